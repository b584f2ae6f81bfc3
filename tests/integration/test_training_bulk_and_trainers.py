"""Employer bulk enrollment (never over capacity, a stated policy when seats are short) and the
trainer pool (qualifications, courses, no double booking under concurrency, evaluations, ranks)."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from talent_pool import InvalidIdNumber
from tests.factories import employ, employer_with_staff, make_employer, make_offering, register_people
from training import (
    AlreadyEnrolled,
    DuplicateCode,
    NotEnoughSeats,
    SessionTimes,
    TrainerUnavailable,
    TrainingInvalid,
    add_session,
    allow_course,
    assign_trainer,
    change_rank,
    complete_offering,
    create_trainer,
    enroll,
    enroll_staff,
    evaluate_trainer,
    evaluations_of,
    get_offering,
    get_trainer,
    list_enrollments,
    list_trainers,
    move_session,
    rank_history,
    record_attendance,
)
from training.attendance_schemas import SessionMoveIn
from training.pool_schemas import EvaluationIn, RankChangeIn, TrainerIn
from training.schemas import BulkEnrollmentIn, SessionIn

NOW = dt.datetime(2026, 11, 29, 2, 0, tzinfo=dt.UTC)
TODAY = dt.date(2026, 11, 29)
TIMES = SessionTimes()


def bulk(ids: list[int], policy: str = "all_or_nothing") -> BulkEnrollmentIn:
    return BulkEnrollmentIn.model_validate({"practitioner_ids": ids, "policy": policy})


async def test_five_staff_into_four_seats(db: None) -> None:
    employer, staff = await employer_with_staff(5)
    oid = await make_offering(capacity=4)
    with pytest.raises(NotEnoughSeats) as short:
        await enroll_staff(oid, employer, bulk(staff), now=NOW, today=TODAY)
    assert short.value.detail == {"requested": 5, "seats_left": 4}
    assert "剩余 4 个" in short.value.message
    assert await list_enrollments(oid) == [] and (await get_offering(oid)).confirmed_count == 0
    result = await enroll_staff(oid, employer, bulk(staff, "fill_and_waitlist"), now=NOW, today=TODAY)
    assert [e.practitioner_id for e in result.confirmed] == staff[:4]
    assert [(e.practitioner_id, e.waitlist_position) for e in result.waitlisted] == [(staff[4], 1)]
    assert (result.seats_left, result.requested) == (0, 5)
    # sending the same request again is harmless
    again = await enroll_staff(oid, employer, bulk(staff, "fill_and_waitlist"), now=NOW, today=TODAY)
    assert (again.confirmed, again.waitlisted, len(again.already_enrolled), again.seats_left) == (
        [],
        [],
        5,
        0,
    )


async def test_all_or_nothing_fits_exactly_and_only_own_current_staff(db: None) -> None:
    employer, staff = await employer_with_staff(3)
    oid = await make_offering(capacity=3)
    from talent_pool.identity import uscc_check_character

    code = "91370100MA3C8H2X0"
    other = await make_employer(credit_code=code + uscc_check_character(code), name="别家托育")
    stranger = (await register_people(4, prefix="人员"))[3]
    await employ(other, [stranger])
    with pytest.raises(TrainingInvalid) as refused:
        await enroll_staff(oid, employer, bulk([*staff[:2], stranger]), now=NOW, today=TODAY)
    assert refused.value.detail["rows"] == [{"practitioner_id": stranger, "reason": "不是本机构在职员工"}]
    await employ(employer, [stranger], start_date=TODAY + dt.timedelta(days=1))  # starts tomorrow: not yet
    with pytest.raises(TrainingInvalid):
        await enroll_staff(oid, employer, bulk([stranger]), now=NOW, today=TODAY)
    result = await enroll_staff(oid, employer, bulk(staff), now=NOW, today=TODAY)
    assert (len(result.confirmed), result.seats_left) == (3, 0)
    assert (await get_offering(oid)).confirmed_count == 3


async def test_bulk_and_single_enrollments_at_once_never_overbook(db: None) -> None:
    employer, staff = await employer_with_staff(8)
    walk_ins = (await register_people(14, prefix="人员"))[8:]
    oid = await make_offering(capacity=6)

    async def one(pid: int) -> object:
        return await enroll(oid, pid, now=NOW, today=TODAY)

    outcomes = await asyncio.gather(
        enroll_staff(oid, employer, bulk(staff[:4]), now=NOW, today=TODAY),
        enroll_staff(oid, employer, bulk(staff[4:], "fill_and_waitlist"), now=NOW, today=TODAY),
        *(one(p) for p in walk_ins),
        return_exceptions=True,
    )
    unexpected = [o for o in outcomes if isinstance(o, Exception) and not isinstance(o, NotEnoughSeats)]
    assert unexpected == []
    offering = await get_offering(oid)
    roster = await list_enrollments(oid)
    assert offering.confirmed_count == sum(1 for e in roster if e.status == "confirmed") <= 6
    assert offering.confirmed_count == 6


def trainer(seq: int, **kw: object) -> TrainerIn:
    from tests.factories import make_id

    data: dict[str, object] = {
        "id_number": make_id(100 + seq, birth="19800101"),
        "name": f"讲师{chr(0x4E00 + seq)}",
        "district_code": "370102",
        **kw,
    }
    return TrainerIn.model_validate(data)


async def two_classes() -> tuple[int, int, int]:
    a = await make_offering(5, course_code="A-COURSE", hours="2")  # its one 2 h session delivers it
    b = await make_offering(5, course_code="B-COURSE", base_name="第二基地")
    return a, b, (await get_offering(a)).course_id


async def test_no_trainer_teaches_two_overlapping_sessions_even_at_once(db: None) -> None:
    a, b, course_a = await two_classes()
    course_b = (await get_offering(b)).course_id
    t = await create_trainer(
        trainer(1, qualifications=[{"name": "育婴员（一级）", "number": "YY-001"}]), today=TODAY
    )
    assert (t.rank, t.rank_name, [q.name for q in t.qualifications]) == (
        "lecturer",
        "讲师",
        ["育婴员（一级）"],
    )
    day = dt.date(2026, 12, 2)
    s1 = await add_session(
        a, SessionIn(day=day, starts_at=dt.time(9), ends_at=dt.time(11)), times=TIMES, now=NOW
    )
    s2 = await add_session(
        b, SessionIn(day=day, starts_at=dt.time(10), ends_at=dt.time(12)), times=TIMES, now=NOW
    )
    s3 = await add_session(
        a, SessionIn(day=day, starts_at=dt.time(11), ends_at=dt.time(12)), times=TIMES, now=NOW
    )
    with pytest.raises(TrainerUnavailable, match="授课资格"):
        await assign_trainer(s1.id, t.id, by="base1", now=NOW)
    await allow_course(t.id, course_a, by="city", now=NOW)
    await allow_course(t.id, course_b, by="city", now=NOW)
    outcomes = await asyncio.gather(
        *(assign_trainer(s, t.id, by="base", now=NOW) for s in (s1.id, s2.id) for _ in range(2)),
        return_exceptions=True,
    )
    assert all(isinstance(o, list | TrainerUnavailable) for o in outcomes), outcomes
    won = {o[0].session_id for o in outcomes if isinstance(o, list)}
    assert len(won) == 1 and sum(isinstance(o, TrainerUnavailable) for o in outcomes) == 2
    from training.tables import SessionTrainer

    assigned = await SessionTrainer.select(SessionTrainer.session).where(SessionTrainer.trainer == t.id)
    assert len({r["session"] for r in assigned}) == 1 == len(assigned)  # one of the two clashing sessions
    held = assigned[0]["session"]
    # touching is fine (11:00–12:00 after 09:00–11:00), overlapping is not
    if held == s1.id:
        assert [x.trainer_id for x in await assign_trainer(s3.id, t.id, by="base", now=NOW)] == [t.id]
    else:
        with pytest.raises(TrainerUnavailable, match="时间重叠"):
            await assign_trainer(s3.id, t.id, by="base", now=NOW)
    # moving another session of the trainer onto the held time is refused too
    c = await make_offering(5, course_code="C-COURSE", base_name="第三基地")
    await allow_course(t.id, (await get_offering(c)).course_id, by="city", now=NOW)
    later = await add_session(
        c, SessionIn(day=day, starts_at=dt.time(13), ends_at=dt.time(14)), times=TIMES, now=NOW
    )
    await assign_trainer(later.id, t.id, by="base", now=NOW)
    clash = SessionMoveIn(day=day, starts_at=dt.time(10, 30), ends_at=dt.time(11), reason="调课")
    with pytest.raises(TrainerUnavailable, match="时间重叠"):
        await move_session(later.id, clash, times=TIMES, now=NOW)
    assert (
        await move_session(
            later.id, clash.model_copy(update={"day": day + dt.timedelta(days=1)}), times=TIMES, now=NOW
        )
    ).starts_at == dt.time(10, 30)


async def test_evaluations_after_the_course_once_per_trainee_and_ranks(db: None) -> None:
    a, _b, course_a = await two_classes()
    t = await create_trainer(trainer(2), today=TODAY)
    await allow_course(t.id, course_a, by="city", now=NOW)
    session = await add_session(
        a,
        SessionIn(day=dt.date(2026, 12, 2), starts_at=dt.time(9), ends_at=dt.time(11)),
        times=TIMES,
        now=NOW,
    )
    await assign_trainer(session.id, t.id, by="base", now=NOW)
    (pid, other) = await register_people(2)
    await enroll(a, pid, now=NOW, today=TODAY)
    with pytest.raises(TrainingInvalid, match="结业后"):
        await evaluate_trainer(a, pid, EvaluationIn(trainer_id=t.id, score=5), now=NOW)
    await record_attendance(
        session.id, [{"practitioner_id": pid}], recorded_by="t", now=NOW, today=dt.date(2099, 1, 1)
    )
    ended = dt.datetime(2026, 12, 2, 3, 0, tzinfo=dt.UTC)  # 11:00 in Jinan: the session is over
    await complete_offering(a, completed_on=dt.date(2026, 12, 2), now=ended)
    done = await evaluate_trainer(a, pid, EvaluationIn(trainer_id=t.id, score=4, comment="讲解清楚"), now=NOW)
    assert (done.score, done.offering_id) == (4, a)
    with pytest.raises(DuplicateCode, match="已评价"):
        await evaluate_trainer(a, pid, EvaluationIn(trainer_id=t.id, score=1), now=NOW)
    t2 = await create_trainer(trainer(3), today=TODAY)
    with pytest.raises(TrainingInvalid, match="没有在您的班级授课"):
        await evaluate_trainer(a, pid, EvaluationIn(trainer_id=t2.id, score=3), now=NOW)
    with pytest.raises(Exception, match="没有参加"):
        await evaluate_trainer(a, other, EvaluationIn(trainer_id=t.id, score=3), now=NOW)
    summary = await get_trainer(t.id)
    assert (summary.evaluations, str(summary.average_score)) == (1, "4.00")
    assert summary.id_number.startswith("370") and "*" in summary.id_number
    assert [e.comment for e in await evaluations_of(t.id)] == ["讲解清楚"]
    promoted = await change_rank(
        t.id, RankChangeIn(rank="senior", reason="年度考核优秀"), by="city", today=TODAY
    )
    assert (promoted.from_rank, promoted.to_rank, promoted.kind, promoted.decided_on) == (
        "lecturer",
        "senior",
        "promotion",
        TODAY,
    )
    with pytest.raises(DuplicateCode):
        await change_rank(t.id, RankChangeIn(rank="senior", reason="x"), by="city", today=TODAY)
    await change_rank(t.id, RankChangeIn(rank="lecturer", reason="投诉属实"), by="city", today=TODAY)
    assert [(h.to_rank, h.kind) for h in await rank_history(t.id)] == [
        ("senior", "promotion"),
        ("lecturer", "demotion"),
    ]


async def test_pool_by_district_and_identity_rules(db: None) -> None:
    await create_trainer(trainer(4), today=TODAY)
    await create_trainer(trainer(5, district_code="370103"), today=TODAY)
    with pytest.raises(DuplicateCode):
        await create_trainer(trainer(4, name="别名"), today=TODAY)
    with pytest.raises(InvalidIdNumber):
        await create_trainer(trainer(6, id_number="370102198001011234"), today=TODAY)
    with pytest.raises(TrainingInvalid, match="不是本市现行区县"):
        await create_trainer(trainer(7, district_code="110101"), today=TODAY)
    assert [t.district_code for t in await list_trainers()] == ["370102", "370103"]
    assert [t.name for t in await list_trainers(district_code="370103", full_ids=True)] == [
        "讲师" + chr(0x4E00 + 5)
    ]
    assert AlreadyEnrolled  # exported
