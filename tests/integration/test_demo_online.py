"""The online-learning and talent-search demo data (``service.demo_online``) on PostgreSQL:
trainee1 holds a seat in a class whose course has two playable video lessons (the files copied
into the courseware folder), and certificate holders — job seekers first — consented to the
talent search with a district each, so agencies and employers find candidates. Running it again
adds nothing. (Before: the demo's course had no lessons and nobody had consented: 0 results.)"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import talent_pool
import training
from service.accounts import AccountIn, create_account
from service.demo_online import (
    CONSENT_DISTRICTS,
    MEDIA,
    ONLINE_LESSONS,
    ensure_online_demo,
    ensure_talent_demo,
)
from service.runtime import build_runtime
from tests.factories import PASSWORD, credential, employ, make_employer, register_people, training_base
from tests.servers import settings_for
from training.online_schemas import HeartbeatIn
from worker.clock import FixedClock

NOW = dt.datetime(2026, 11, 30, 1, 0, tzinfo=dt.UTC)  # 09:00 in Jinan
TODAY = dt.date(2026, 11, 30)


async def test_trainee1_can_start_learning_and_candidates_can_be_found(
    db: None, pg_engine: Any, tmp_path: Path
) -> None:
    rt = build_runtime(settings_for(tmp_path), clock=FixedClock(NOW), engine=pg_engine)
    base_id = await training_base()
    people = await register_people(12)
    employer = await make_employer()
    await employ(employer, people[:6])
    for i, pid in enumerate(people[:10]):
        await credential(
            pid,
            number=f"YY-DEMO-{i:03d}",
            issued_on=dt.date(2024, 6, 1),
            source_ref=f"demo-test:{i}",
            expires_on=dt.date(2026, 1, 1) if i == 8 else None,  # expired: not a candidate
        )
    await create_account(
        AccountIn(username="trainee1", password=PASSWORD, role="trainee", practitioner_id=people[11])
    )

    offering_id = await ensure_online_demo(rt, base_id)
    assert offering_id is not None and await ensure_online_demo(rt, base_id) is None  # a rerun
    offering = await training.get_offering(offering_id)
    lessons = await training.list_lessons(offering.course_id, media_base=rt.settings.courseware_base())
    assert [(x.title, x.media_url, x.duration_seconds) for x in lessons] == [
        (title, f"/courseware/{name}", seconds) for title, name, seconds in ONLINE_LESSONS
    ]
    for _, name, _ in ONLINE_LESSONS:  # the app serves these bytes; a real WebM (EBML header)
        served = (rt.settings.courseware_path() / name).read_bytes()
        assert served == (MEDIA / name).read_bytes() and served.startswith(b"\x1a\x45\xdf\xa3")
    (seat,) = await training.list_enrollments(offering_id)
    assert (seat.practitioner_id, seat.status) == (people[11], "confirmed")
    progress = await training.progress_of(seat.id)  # what 我的培训's 开始学习 link is made of
    assert [p.title for p in progress] == [title for title, _, _ in ONLINE_LESSONS]
    assert offering.start_date <= TODAY <= offering.end_date
    # coherent: 90 s of sample lessons cannot complete a 1-hour course, and every page says so
    # (before: the preview said 达到结业要求 for 29 s watched, then 不计培训记录)
    for position, at in ((0, NOW), (29, NOW + dt.timedelta(seconds=29))):  # the trial's 29 s
        await training.heartbeat(seat.id, lessons[0].id, HeartbeatIn(position=position), now=at, today=TODAY)
    (entry,) = (await training.completion_preview(offering_id, today=TODAY)).entries
    assert entry.status == "not_completed" and "达到结业要求" not in entry.reason
    assert "未达到 80%" in entry.reason and "无人能够结业" in entry.reason
    assert "不能结业" in (await training.get_course(offering.course_id)).description

    chosen = await ensure_talent_demo(rt)
    # holders whose credential counts (not the expired one): job seekers (up to half) first, then employed
    assert chosen == [people[6], people[7], people[9], *people[:5]]
    assert await ensure_talent_demo(rt) == []  # a rerun
    found = await talent_pool.search_talent(today=TODAY)
    assert found.total == 8
    assert {c.district_code for c in found.items} == set(CONSENT_DISTRICTS)
    assert "370113" not in {c.district_code for c in found.items}  # left to the browser tests
    assert (await talent_pool.search_talent(today=TODAY, for_employer=employer)).total == 3
    assert (await talent_pool.search_talent(today=TODAY, district_code="370102")).total == 2
