"""Online lessons and heartbeat progress (only real watching counts, parallel tabs once), per-course
completion rules with online share and quiz, the per-person report, one training record per
completion, and the training-subsidy roster, its xlsx and grants."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
from decimal import Decimal

import pytest

from talent_pool.tables import TrainingRecord
from tests.factories import EMPLOYED_SINCE, employ, make_employer, make_offering, register_people
from training import (
    CourseHoursNotHeld,
    DuplicateCode,
    OfferingNotOpen,
    ProgressRefused,
    SessionTimes,
    TrainingInvalid,
    add_lesson,
    add_session,
    complete_offering,
    completion_preview,
    enroll,
    get_offering,
    heartbeat,
    list_lessons,
    progress_of,
    record_attendance,
    record_quiz_results,
    record_subsidy_claims,
    set_course_rule,
    set_subsidised,
    subsidy_roster,
    subsidy_roster_xlsx,
)
from training.online_schemas import CourseRuleIn, HeartbeatIn, LessonIn, QuizResultIn
from training.schemas import SessionIn

TIMES = SessionTimes()
DAY = dt.date(2026, 12, 2)
T0 = dt.datetime(2026, 12, 2, 1, 0, tzinfo=dt.UTC)
ENDED = dt.datetime(2026, 12, 2, 10, 0, tzinfo=dt.UTC)  # 18:00 in Jinan: the day's sessions are over


async def online_class(capacity: int = 5, hours: str = "4", **kw: object) -> tuple[int, int, int]:
    oid = await make_offering(capacity, hours=hours, **kw)  # type: ignore[arg-type]
    course = (await get_offering(oid)).course_id
    lesson = await add_lesson(
        course,
        LessonIn(title="婴幼儿回应性照护", media="yezh-01.mp4", duration_seconds=600),
        media_base="/courseware",
    )
    return oid, course, lesson.id


async def beat(eid: int, lesson: int, position: int, seconds: float, playing: bool = True):  # type: ignore[no-untyped-def]
    return await heartbeat(
        eid,
        lesson,
        HeartbeatIn(position=position, playing=playing),
        now=T0 + dt.timedelta(seconds=seconds),
        today=DAY,
    )


async def test_only_time_actually_watched_counts(db: None) -> None:
    oid, course, lesson = await online_class()
    assert [
        (x.media_url, x.duration_seconds)
        for x in await list_lessons(course, media_base="https://oss.example.cn/tuoyu")
    ] == [("https://oss.example.cn/tuoyu/yezh-01.mp4", 600)]
    (pid,) = await register_people(1)
    eid = (await enroll(oid, pid, now=T0, today=DAY)).id
    assert (await beat(eid, lesson, 0, 0)).credited == 0
    beats = [await beat(eid, lesson, 15 * i, 15 * i) for i in range(1, 5)]
    assert [(p.credited, p.covered_seconds) for p in beats] == [(15, 15), (15, 30), (15, 45), (15, 60)]
    with pytest.raises(ProgressRefused, match="不能跳过未观看的内容：已连续观看至 01:00") as skip:
        await beat(eid, lesson, 300, 75)
    assert skip.value.detail == {"covered_seconds": 60}
    paused = await beat(eid, lesson, 60, 600, playing=False)
    assert (paused.credited, paused.covered_seconds, paused.watched_seconds) == (0, 60, 60)
    # two tabs at the same instant: the second measures from the first, nothing twice
    tabs = await asyncio.gather(*(beat(eid, lesson, 75, 615) for _ in range(6)))
    assert sorted(t.credited for t in tabs) == [0, 0, 0, 0, 0, 15]
    (progress,) = await progress_of(eid)
    assert (progress.covered_seconds, progress.watched_seconds, progress.percent) == (75, 75, Decimal("12.5"))
    with pytest.raises(OfferingNotOpen, match="学习期"):
        await heartbeat(eid, lesson, HeartbeatIn(position=90), now=T0, today=dt.date(2027, 1, 1))
    other_oid, _, other_lesson = await online_class(course_code="OTHER")
    with pytest.raises(TrainingInvalid, match="不属于本班级"):
        await beat(eid, other_lesson, 90, 630)
    assert other_oid


async def test_two_lessons_played_at_once_share_one_clock(db: None) -> None:
    """One person watches one thing at a time: two lessons of one enrollment played in two tabs
    get together at most the real time that passed, also when their heartbeats arrive at the
    same moment. (Before: each lesson had its own clock — 15 s of real time credited 30 s.)"""
    oid, course, first = await online_class()
    second = (
        await add_lesson(
            course, LessonIn(title="安全防护", media="yezh-02.mp4", duration_seconds=600), media_base="/c"
        )
    ).id
    people = await register_people(4)
    eids = [(await enroll(oid, pid, now=T0, today=DAY)).id for pid in people]
    for eid in eids:  # the trial: both lessons start at 0 and report 15 s later, at the same moment
        await asyncio.gather(beat(eid, first, 0, 0), beat(eid, second, 0, 0))
    rounds = await asyncio.gather(
        *(asyncio.gather(beat(eid, first, 15, 15), beat(eid, second, 15, 15)) for eid in eids)
    )
    assert [sorted(p.credited for p in pair) for pair in rounds] == [[0, 15]] * len(eids)
    eid = eids[0]
    won, lost = (first, second) if rounds[0][0].credited else (second, first)
    assert (await beat(eid, won, 30, 30)).credited == 15  # one tab alone still gets every second
    # the other tab's position ran ahead of what was credited to it: it continues from there
    with pytest.raises(ProgressRefused, match="已连续观看至 00:00"):
        await beat(eid, lost, 30, 45)
    assert (await beat(eid, lost, 0, 45)).credited == 0
    assert (await beat(eid, lost, 15, 60)).credited == 15
    progress = await progress_of(eid)
    assert sum(p.watched_seconds for p in progress) == 45  # 15 + 15 + 15 in 60 s of real time
    for other in eids[1:]:
        assert sum(p.watched_seconds for p in await progress_of(other)) == 15


async def watch(eid: int, lesson: int, seconds: int, start: float = 0) -> None:
    await beat(eid, lesson, 0, start)
    for i in range(1, seconds // 15 + 1):
        await beat(eid, lesson, 15 * i, start + 15 * i)


async def test_course_rule_with_online_share_and_quiz_says_why(db: None) -> None:
    oid, course, lesson = await online_class(hours="2.5")  # 2 h in class + 10 min online
    session = await add_session(
        oid, SessionIn(day=DAY, starts_at=dt.time(9), ends_at=dt.time(11)), times=TIMES, now=T0
    )
    await set_course_rule(
        course,
        CourseRuleIn(
            min_hours_percent=Decimal(80),
            min_online_percent=Decimal(90),
            quiz_pass_score=Decimal(60),
            source="市卫健委 2026 年岗前培训结业要求",
        ),
        by="city",
        now=T0,
    )
    a, b, c = await register_people(3)
    ea, eb, ec = [(await enroll(oid, p, now=T0, today=DAY)).id for p in (a, b, c)]
    await record_attendance(
        session.id, [{"practitioner_id": p} for p in (a, b, c)], recorded_by="t", now=T0, today=DAY
    )
    await watch(ea, lesson, 600)
    await watch(eb, lesson, 300, start=1000)
    await watch(ec, lesson, 600, start=2000)
    await record_quiz_results(
        oid,
        [
            QuizResultIn(enrollment_id=ea, score=Decimal("55")),
            QuizResultIn(practitioner_id=a, score=Decimal("85.5")),
            QuizResultIn(enrollment_id=eb, score=Decimal(90)),
        ],
        by="base1",
        now=T0,
    )
    with pytest.raises(TrainingInvalid, match="1 行无效"):
        await record_quiz_results(
            oid, [QuizResultIn(practitioner_id=999999, score=Decimal(1))], by="base1", now=T0
        )
    preview = await completion_preview(oid, today=DAY)
    reasons = {e.enrollment_id: (e.status, e.reason) for e in preview.entries}
    assert reasons[ea] == (
        "completed",
        "出勤 2.0 + 线上 0.16 / 2.5 学时（86.7%），出勤 1 / 1 次课，线上学习 10.0 / 10.0 分钟（100.0%），"
        "结业测验 85.5 分（及格 60 分），达到结业要求",
    )
    assert reasons[eb] == ("not_completed", "线上学习 5.0 / 10.0 分钟（50.0%），未达到 90%")
    assert reasons[ec] == ("not_completed", "未参加结业测验（及格 60 分）")
    assert preview.rule == "市卫健委 2026 年岗前培训结业要求"
    assert await TrainingRecord.count() == 0  # a preview writes nothing
    report = await complete_offering(oid, completed_on=DAY, now=ENDED)
    assert [(e.enrollment_id, e.status, e.credited_hours) for e in report.entries] == [
        (ea, "completed", Decimal("2.1")),  # 2 h attended + 10 min online = 2.16… → 2.1 in the ledger
        (eb, "not_completed", None),
        (ec, "not_completed", None),
    ]
    assert report.entries[0].online_seconds == 600 and report.entries[0].quiz_score == Decimal("85.5")
    again = await complete_offering(oid, completed_on=DAY, now=ENDED)
    assert again.already_completed and await TrainingRecord.count() == 1
    record = (await TrainingRecord.select())[0]
    assert (record["source_ref"], record["completed_on"], record["category"]) == (
        f"training:enrollment:{ea}",
        DAY,
        "pre_job",
    )


async def test_an_online_only_course_completes_without_sessions(db: None) -> None:
    # (Before: a 4-hour course completed with 10 minutes of lessons — the hours rule was skipped
    # without sessions. Now the course's hours match its lessons: 10 min of a 0.2 h course.)
    oid, course, lesson = await online_class(hours="0.2")
    await set_course_rule(course, CourseRuleIn(min_online_percent=Decimal(100)), by="city", now=T0)
    (pid,) = await register_people(1)
    eid = (await enroll(oid, pid, now=T0, today=DAY)).id
    await watch(eid, lesson, 600)
    report = await complete_offering(oid, completed_on=DAY, now=ENDED)
    assert [(e.status, e.credited_hours, e.reason) for e in report.entries] == [
        (
            "completed",
            Decimal("0.1"),
            "线上 0.16 / 0.2 学时（83.3%），线上学习 10.0 / 10.0 分钟（100.0%），达到结业要求",
        )
    ]


async def test_an_online_only_class_applies_the_hours_rule_it_displays(db: None) -> None:
    """The default rule (出勤学时（含线上学习）不少于课程学时的 80%) holds without sessions too: 5 of
    10 minutes of a 0.2 h course is 41.7 %, not a completion; lessons that cannot reach 80 % of
    the course's hours (10 minutes of a 1-hour course) make the class not completable at all."""
    oid, _, lesson = await online_class(hours="0.2")
    (a, b) = await register_people(2)
    ea = (await enroll(oid, a, now=T0, today=DAY)).id
    eb = (await enroll(oid, b, now=T0, today=DAY)).id
    await watch(ea, lesson, 300)
    await watch(eb, lesson, 600, start=1000)
    preview = await completion_preview(oid, today=DAY)
    reasons = {e.enrollment_id: (e.status, e.reason) for e in preview.entries}
    assert reasons[ea] == ("not_completed", "线上 0.08 / 0.2 学时（41.7%），未达到 80%")
    assert reasons[eb] == (
        "completed",
        "线上 0.16 / 0.2 学时（83.3%），线上学习 10.0 / 10.0 分钟（100.0%），达到结业要求",
    )

    short, _, short_lesson = await online_class(hours="1", course_code="YEZH-1H", base_name="基地1H")
    c = (await register_people(3))[2]
    ec = (await enroll(short, c, now=T0, today=DAY)).id
    await watch(ec, short_lesson, 600)
    (entry,) = (await completion_preview(short, today=DAY)).entries
    assert entry.status == "not_completed"
    assert entry.reason.startswith("线上 0.16 / 1.0 学时（16.7%），未达到 80%；班级仅安排 0.16 学时")
    assert entry.reason.endswith("无人能够结业；请补足课次或线上课件后再结业")
    with pytest.raises(CourseHoursNotHeld, match=r"课程要求 1\.0 学时"):
        await complete_offering(short, completed_on=DAY, now=ENDED)
    assert await TrainingRecord.count() == 0


async def completed_subsidised_class(people: list[int], *, course_code: str = "YEZH-PRE") -> int:
    oid = await make_offering(10, hours="4", course_code=course_code, base_name=f"基地{course_code}")
    session = await add_session(
        oid, SessionIn(day=DAY, starts_at=dt.time(9), ends_at=dt.time(13)), times=TIMES, now=T0
    )
    for p in people:
        await enroll(oid, p, now=T0, today=DAY)
    await record_attendance(
        session.id, [{"practitioner_id": p} for p in people], recorded_by="t", now=T0, today=DAY
    )
    await set_subsidised(oid, True)
    await complete_offering(oid, completed_on=DAY, now=ENDED)
    return oid


async def test_subsidy_roster_eligibility_xlsx_and_grants(db: None) -> None:
    from openpyxl import load_workbook

    a, b, c = await register_people(3)
    employer = await make_employer(name="历下区示范托育中心")
    await employ(employer, [a, b])
    await employ(employer, [c], start_date=DAY + dt.timedelta(days=1))  # hired after the class ended
    plain = await make_offering(5, course_code="PLAIN", base_name="普通基地")
    with pytest.raises(OfferingNotOpen, match="不是补贴性"):
        await subsidy_roster(plain)
    oid = await completed_subsidised_class([a, b, c])
    roster = await subsidy_roster(oid)
    assert [(r.practitioner_id, r.hours, r.employer, r.completed_on) for r in roster.eligible] == [
        (a, Decimal("4.0"), "历下区示范托育中心", DAY),
        (b, Decimal("4.0"), "历下区示范托育中心", DAY),
    ]
    assert roster.eligible[0].certificate_number == f"PX2026{roster.eligible[0].enrollment_id:08d}"
    assert [(x.practitioner_id, x.reason) for x in roster.excluded] == [
        (c, "结业日（2026-12-02）不在本市托育机构在职")
    ]
    export = await subsidy_roster_xlsx(oid, today=DAY)
    assert export.file_name == f"培训补贴花名册-班级{oid}-2026-12-02.xlsx"
    assert export.practitioner_ids == [a, b]
    data = export.content
    ws = load_workbook(io.BytesIO(data)).active
    assert ws is not None
    assert [ws.cell(row=r, column=3).value for r in (5, 6)] == [
        roster.eligible[0].id_number,
        roster.eligible[1].id_number,
    ]
    after = await record_subsidy_claims(
        oid, [roster.eligible[0].enrollment_id], by="city", now=T0, claimed_on=DAY
    )
    assert [r.practitioner_id for r in after.eligible] == [b]
    assert next((x.practitioner_id, x.reason, x.claimed) for x in after.excluded) == (
        a,
        "已领取本次培训补贴",
        True,
    )
    with pytest.raises(TrainingInvalid, match="不在可申请补贴名单"):
        await record_subsidy_claims(
            oid, [roster.eligible[0].enrollment_id], by="city", now=T0, claimed_on=DAY
        )
    with pytest.raises(OfferingNotOpen, match="不能取消补贴标记"):
        await set_subsidised(oid, False)
    # the same course again in the same year: not eligible a second time
    again = await completed_subsidised_class_same_course(oid, [a])
    assert [(x.practitioner_id, x.reason) for x in (await subsidy_roster(again)).excluded] == [
        (a, "2026 年已享受过该课程的培训补贴")
    ]
    assert EMPLOYED_SINCE


async def completed_subsidised_class_same_course(first: int, people: list[int]) -> int:
    from training import create_offering
    from training.schemas import OfferingIn

    o = await get_offering(first)
    oid = (
        await create_offering(
            OfferingIn(
                course_id=o.course_id,
                training_base_id=o.training_base_id,
                start_date=DAY,
                end_date=DAY,
                capacity=5,
            )
        )
    ).id
    session = await add_session(
        oid, SessionIn(day=DAY, starts_at=dt.time(14), ends_at=dt.time(18)), times=TIMES, now=T0
    )
    for p in people:
        await enroll(oid, p, now=T0, today=DAY)
    await record_attendance(
        session.id, [{"practitioner_id": p} for p in people], recorded_by="t", now=T0, today=DAY
    )
    await set_subsidised(oid, True)
    await complete_offering(oid, completed_on=DAY, now=ENDED)
    return oid


async def test_two_grants_for_one_person_course_and_year_at_once_give_one(db: None) -> None:
    (a,) = await register_people(1)
    employer = await make_employer()
    await employ(employer, [a])
    first = await completed_subsidised_class([a])
    second = await completed_subsidised_class_same_course(first, [a])
    e1 = (await subsidy_roster(first)).eligible[0].enrollment_id
    e2 = (await subsidy_roster(second)).eligible[0].enrollment_id
    outcomes = await asyncio.gather(
        record_subsidy_claims(first, [e1], by="city", now=T0, claimed_on=DAY),
        record_subsidy_claims(second, [e2], by="district", now=T0, claimed_on=DAY),
        return_exceptions=True,
    )
    assert sum(isinstance(o, DuplicateCode | TrainingInvalid) for o in outcomes) == 1
    from training.tables import SubsidyClaim

    assert await SubsidyClaim.count() == 1
