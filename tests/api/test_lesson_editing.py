"""Lessons (fresh-user trial, MEDIUM): a lesson naming a file that is not in the courseware folder
was accepted (201) and trainees got a black player; lessons could not be edited or removed.
Now a file name must exist in the local courseware folder (not checkable with an object store:
accepted), ``PATCH``/``DELETE /api/lessons/{id}`` exist for whoever may add lessons, and a lesson
trainees have progress on is neither removed nor changed in length (409 ``lesson_in_use``).
On PostgreSQL; each test failed before the fix."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from talent_pool import count_rows
from tests.factories import admin_headers, login, make_offering, register_people
from tests.servers import serve_in_process, settings_for
from training import enroll, get_offering
from training.tables import Lesson, LessonProgress
from worker.clock import Clock


def _lesson(media: str, seconds: int = 600) -> dict[str, Any]:
    return {"title": "回应性照护", "media": media, "duration_seconds": seconds}


async def _course_with_file(client: Any) -> tuple[int, int]:
    """A course (of a class running today) and the courseware file ``a.mp4``; returns (course, offering)."""
    offering = await make_offering(capacity=5, start=Clock().today())
    folder = client.app.state.rt.settings.courseware_path()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "a.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42")
    return (await get_offering(offering)).course_id, offering


async def test_a_lesson_file_must_be_in_the_courseware_folder(
    client: Any, pg_engine: Any, tmp_path: Path
) -> None:
    from service.app import create_app

    admin = await admin_headers(client)
    course, _ = await _course_with_file(client)
    missing = await client.post(
        f"/api/courses/{course}/lessons", headers=admin, json=_lesson("no-such-file.mp4")
    )
    assert missing.status_code == 422, missing.text
    assert (
        missing.json()["detail"]
        == "课件目录中没有文件 no-such-file.mp4：请先把视频文件放入课件目录，再填写其文件名"
    )
    assert await count_rows(Lesson) == 0
    added = await client.post(f"/api/courses/{course}/lessons", headers=admin, json=_lesson("a.mp4"))
    assert added.status_code == 201, added.text
    # with an object store the app cannot see the files: a file name is accepted
    store = settings_for(tmp_path / "store", courseware_url="https://media.example.cn/courseware/")
    async with serve_in_process(create_app(store, engine=pg_engine)) as other:
        headers = await login(other, "regulator")
        far = await other.post(
            f"/api/courses/{course}/lessons", headers=headers, json=_lesson("no-such-file.mp4")
        )
        assert far.status_code == 201, far.text


async def test_a_lesson_can_be_edited_and_removed_until_someone_learns_from_it(client: Any) -> None:
    admin = await admin_headers(client)
    course, offering = await _course_with_file(client)
    first = (await client.post(f"/api/courses/{course}/lessons", headers=admin, json=_lesson("a.mp4"))).json()
    second = (
        await client.post(f"/api/courses/{course}/lessons", headers=admin, json=_lesson("a.mp4", 60))
    ).json()

    renamed = await client.patch(
        f"/api/lessons/{first['id']}", headers=admin, json={"title": " 回应性照护  示范 ", "position": 3}
    )
    assert renamed.status_code == 200, renamed.text
    assert (renamed.json()["title"], renamed.json()["position"], renamed.json()["media"]) == (
        "回应性照护 示范",
        3,
        "a.mp4",
    )
    bad_file = await client.patch(f"/api/lessons/{first['id']}", headers=admin, json={"media": "gone.mp4"})
    assert bad_file.status_code == 422 and "课件目录中没有文件 gone.mp4" in bad_file.json()["detail"]
    empty = await client.patch(f"/api/lessons/{first['id']}", headers=admin, json={})
    assert empty.status_code in (400, 422) and "至少修改一项" in empty.text
    assert (await client.patch("/api/lessons/999999", headers=admin, json={"title": "x"})).status_code == 404

    # nobody has watched the second lesson yet: it can be removed
    removed = await client.delete(f"/api/lessons/{second['id']}", headers=admin)
    assert removed.status_code == 204, removed.text
    listed = await client.get(f"/api/courses/{course}/lessons", headers=admin)
    assert [x["id"] for x in listed.json()] == [first["id"]]
    assert (await client.delete(f"/api/lessons/{second['id']}", headers=admin)).status_code == 404

    # a trainee has progress on the first: its length and its existence are kept
    (person,) = await register_people(1)
    enrollment = await enroll(offering, person, now=client.app.state.rt.now(), today=Clock().today())
    await LessonProgress.insert(
        LessonProgress(enrollment=enrollment.id, lesson=first["id"], covered_seconds=300, watched_seconds=300)
    )
    kept = await client.delete(f"/api/lessons/{first['id']}", headers=admin)
    assert kept.status_code == 409, kept.text
    assert kept.json()["code"] == "lesson_in_use" and "已有 1 名学员学习过课件" in kept.json()["detail"]
    longer = await client.patch(f"/api/lessons/{first['id']}", headers=admin, json={"duration_seconds": 900})
    assert longer.status_code == 409 and longer.json()["code"] == "lesson_in_use"
    same = await client.patch(
        f"/api/lessons/{first['id']}", headers=admin, json={"duration_seconds": 600, "title": "改名"}
    )
    assert same.status_code == 200 and same.json()["title"] == "改名"  # the length unchanged: fine
    assert await count_rows(Lesson) == 1 and await count_rows(LessonProgress) == 1
