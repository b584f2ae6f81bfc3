"""The lesson player (/my/lessons/{lesson_id}) needs no enrollment id: it finds the trainee's own
running enrollment of a course with the lesson. Another person's enrollment, an unknown one, an
unknown lesson, a cancelled enrollment: one Chinese answer (404), never someone else's data."""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient

from service.pages_training import NO_ENROLLMENT
from tests.factories import admin_headers, make_offering, register_people, role_headers
from training import get_offering
from worker.clock import Clock

HTML = {"Accept": "text/html"}


async def test_the_player_finds_the_trainees_own_enrollment(client: AsyncTestClient[Any]) -> None:
    admin = await admin_headers(client)
    offering = await make_offering(capacity=5, start=Clock().today())
    course = (await get_offering(offering)).course_id
    folder = client.app.state.rt.settings.courseware_path()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "yezh-01.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42")  # a lesson's file must exist
    lesson = await client.post(
        f"/api/courses/{course}/lessons",
        headers=admin,
        json={"title": "回应性照护示范", "media": "yezh-01.mp4", "duration_seconds": 600},
    )
    assert lesson.status_code == 201, lesson.text
    lesson_id = lesson.json()["id"]
    mine, other, outsider = await register_people(3)
    enrollments = {}
    for pid in (mine, other):
        e = await client.post(
            f"/api/offerings/{offering}/enrollments", headers=admin, json={"practitioner_id": pid}
        )
        assert e.status_code == 201, e.text
        enrollments[pid] = e.json()["id"]
    me = {**HTML, **await role_headers(client, "me-trainee", "trainee", practitioner_id=mine)}
    stranger = {**HTML, **await role_headers(client, "no-class", "trainee", practitioner_id=outsider)}

    for url in (f"/my/lessons/{lesson_id}", f"/my/lessons/{lesson_id}?enrollment={enrollments[mine]}"):
        page = await client.get(url, headers=me)
        assert page.status_code == 200, page.text
        assert f'data-enrollment="{enrollments[mine]}"' in page.text and "回应性照护示范" in page.text

    others = (
        (me, f"/my/lessons/{lesson_id}?enrollment={enrollments[other]}"),  # someone else's
        (me, f"/my/lessons/{lesson_id}?enrollment=999999"),  # no such enrollment
        (me, "/my/lessons/999999"),  # no such lesson
        (stranger, f"/my/lessons/{lesson_id}"),  # not enrolled
    )
    for headers, url in others:
        page = await client.get(url, headers=headers)
        assert page.status_code == 404, (url, page.text)
        assert NO_ENROLLMENT in page.text and 'href="/my/lessons"' in page.text
        assert "data-enrollment" not in page.text and "<video" not in page.text

    cancelled = await client.delete(f"/api/enrollments/{enrollments[mine]}", headers=me)
    assert cancelled.status_code == 200, cancelled.text
    gone = await client.get(f"/my/lessons/{lesson_id}", headers=me)
    assert gone.status_code == 404 and NO_ENROLLMENT in gone.text
    bad = await client.get(f"/my/lessons/{lesson_id}?enrollment=abc", headers=me)
    assert bad.status_code == 400 and "请求数据不符合接口要求" in bad.text  # the Chinese error page
