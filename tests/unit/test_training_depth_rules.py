"""Pure rules of training in depth: recurring days, session times, the rotating check-in token,
heartbeat credit, completion with online and quiz criteria, trainer ranks, the subsidy xlsx."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from training.checkin_token import EXPIRED, INVALID, issue_token, read_token, window_of
from training.errors import CheckinRefused
from training.online_rules import credit_heartbeat
from training.rules import CompletionRule, evaluate_completion
from training.schedule import SessionTimes, attended_minutes, recurring_days
from training.subsidy import SubsidyRoster, SubsidyRow, certificate_number, roster_xlsx
from training.trainer_rules import average_score, rank_change_kind

D = dt.date
KEY = b"k" * 32


def test_fridays_of_september_2024_are_exactly_four() -> None:
    days, skipped = recurring_days(D(2024, 9, 6), D(2024, 9, 27), [5])
    assert days == [D(2024, 9, 6), D(2024, 9, 13), D(2024, 9, 20), D(2024, 9, 27)]
    assert all(d.isoweekday() == 5 for d in days) and skipped == []


def test_holidays_are_skipped_and_reported_and_others_ignored() -> None:
    days, skipped = recurring_days(
        D(2024, 9, 1), D(2024, 9, 30), [1, 3], skip=[D(2024, 9, 16), D(2024, 9, 17), D(2024, 10, 1)]
    )
    assert skipped == [D(2024, 9, 16)]  # 17 Sep is a Tuesday, 1 Oct is outside
    assert len(days) == 8 and days[0] == D(2024, 9, 2) and days[-1] == D(2024, 9, 30)


def test_recurring_refuses_bad_input() -> None:
    with pytest.raises(ValueError, match="早于"):
        recurring_days(D(2024, 9, 27), D(2024, 9, 6), [5])
    with pytest.raises(ValueError, match="1（周一）至 7"):
        recurring_days(D(2024, 9, 6), D(2024, 9, 27), [0])
    with pytest.raises(ValueError, match="至少"):
        recurring_days(D(2024, 9, 6), D(2024, 9, 27), [])
    with pytest.raises(ValueError, match="最多"):
        recurring_days(D(2000, 1, 1), D(2100, 12, 31), [1, 2, 3, 4, 5, 6, 7])


def test_session_times_are_local_wall_times() -> None:
    times = SessionTimes()
    assert times.instant(D(2024, 9, 6), dt.time(14)) == dt.datetime(2024, 9, 6, 6, 0, tzinfo=dt.UTC)
    opens, closes = times.checkin_window(D(2024, 9, 6), dt.time(14))
    assert (opens, closes) == (
        dt.datetime(2024, 9, 6, 5, 30, tzinfo=dt.UTC),
        dt.datetime(2024, 9, 6, 6, 30, tzinfo=dt.UTC),
    )
    assert not times.is_late(D(2024, 9, 6), dt.time(14), dt.datetime(2024, 9, 6, 6, 5, tzinfo=dt.UTC))
    assert times.is_late(D(2024, 9, 6), dt.time(14), dt.datetime(2024, 9, 6, 6, 5, 1, tzinfo=dt.UTC))
    # reminder: 09:00 Shanghai the day before = 01:00 UTC on Thursday
    assert times.reminder_due(D(2024, 9, 6)) == dt.datetime(2024, 9, 5, 1, 0, tzinfo=dt.UTC)
    other = SessionTimes(zone=ZoneInfo("Europe/Berlin"), reminder_at=dt.time(18, 30))
    assert other.reminder_due(D(2024, 9, 6)) == dt.datetime(2024, 9, 5, 16, 30, tzinfo=dt.UTC)
    with pytest.raises(ValueError):
        SessionTimes(checkin_opens=-1)


def test_attended_minutes_are_within_the_session() -> None:
    start = dt.datetime(2024, 9, 6, 6, 0, tzinfo=dt.UTC)
    end = start + dt.timedelta(hours=2)
    assert (
        attended_minutes(start, end, start - dt.timedelta(minutes=20), end + dt.timedelta(minutes=5)) == 120
    )
    assert attended_minutes(start, end, start + dt.timedelta(minutes=7, seconds=59), end) == 112
    assert attended_minutes(start, end, end, end + dt.timedelta(minutes=1)) == 0


def test_token_lives_between_15_and_30_seconds() -> None:
    issued_at = dt.datetime(2024, 9, 6, 6, 0, 3, tzinfo=dt.UTC)
    token = issue_token(KEY, 12, "checkin", now=issued_at)
    start = dt.datetime.fromtimestamp(window_of(issued_at) * 15, dt.UTC)
    assert token.expires_at == start + dt.timedelta(seconds=30)
    assert read_token(KEY, token.token, now=issued_at) == (12, "checkin")
    assert read_token(KEY, token.token, now=token.expires_at - dt.timedelta(microseconds=1)) == (
        12,
        "checkin",
    )
    with pytest.raises(CheckinRefused) as expired:
        read_token(KEY, token.token, now=token.expires_at)
    assert expired.value.message == EXPIRED and "二维码已过期" in EXPIRED
    assert expired.value.detail["reason"] == "expired"


def test_token_has_no_static_secret_and_cannot_be_forged() -> None:
    now = dt.datetime(2024, 9, 6, 6, 0, 3, tzinfo=dt.UTC)
    a = issue_token(KEY, 12, "checkin", now=now).token
    b = issue_token(KEY, 12, "checkin", now=now + dt.timedelta(seconds=15)).token
    assert a != b and a.split(".")[:2] == b.split(".")[:2]  # a new code every window
    session, letter, window, mac = a.split(".")
    for forged in (
        f"13.{letter}.{window}.{mac}",  # another session
        f"{session}.o.{window}.{mac}",  # another purpose
        f"{session}.{letter}.{int(window) + 40}.{mac}",  # a later window
        a[:-2] + ("AA" if a[-2:] != "AA" else "BB"),
        "garbage",
        "",
        "1.i.2.3.4",
    ):
        with pytest.raises(CheckinRefused) as bad:
            read_token(KEY, forged, now=now)
        assert bad.value.message == INVALID
    with pytest.raises(CheckinRefused):
        read_token(b"x" * 32, a, now=now)  # another service's key
    with pytest.raises(CheckinRefused, match="无效"):  # a code from the future
        read_token(KEY, issue_token(KEY, 12, "checkin", now=now + dt.timedelta(minutes=1)).token, now=now)


T0 = dt.datetime(2026, 12, 1, 1, 0, tzinfo=dt.UTC)


def beat(position: int, seconds: float, **state: object) -> tuple[int, int, int, str | None]:
    args: dict[str, object] = {
        "duration": 600,
        "covered": 0,
        "watched": 0,
        "last_position": 0,
        "last_beat_at": T0,
        "playing": True,
        **state,
    }
    out = credit_heartbeat(position=position, at=T0 + dt.timedelta(seconds=seconds), **args)  # type: ignore[arg-type]
    return out.credited, out.covered, out.watched, out.refused


def test_heartbeat_credits_only_real_watching() -> None:
    assert beat(0, 0, last_beat_at=None) == (0, 0, 0, None)  # first beat: nothing to measure from
    assert beat(15, 15) == (15, 15, 15, None)
    assert beat(15, 5) == (5, 5, 5, None)  # 15 s of video in 5 s of time (fast-forward) → 5
    assert beat(15, 15, playing=False, covered=15, last_position=15) == (0, 15, 0, None)  # paused
    assert beat(100, 3600, covered=100, last_position=100) == (0, 100, 0, None)  # idle for an hour
    assert beat(220, 3600, covered=200, last_position=160) == (60, 220, 60, None)  # at most 60 s a beat
    credited, covered, watched, refused = beat(300, 15)
    assert (
        (credited, covered, watched) == (0, 0, 0) and refused and "不能跳过" in refused and "00:00" in refused
    )
    assert beat(24, 15)[3] is None and beat(26, 15)[3] is not None  # 15 s + 10 s tolerance
    assert beat(601, 15)[3] == "播放位置 10:01 超出视频长度 10:00"
    # rewatching the beginning counts as playing time but does not add coverage
    assert beat(45, 15, covered=300, last_position=30, watched=300) == (15, 300, 315, None)


def test_two_tabs_share_one_clock() -> None:
    covered = watched = last = 0
    at: dt.datetime | None = None
    clock = T0
    positions = {"a": 0, "b": 0}
    for step in range(40):  # each tab beats every 15 s, offset by 7.5 s: 300 s of wall time
        tab = "a" if step % 2 == 0 else "b"
        clock += dt.timedelta(seconds=7.5)
        positions[tab] += 15
        out = credit_heartbeat(
            duration=600,
            covered=covered,
            watched=watched,
            last_position=last,
            last_beat_at=at,
            position=positions[tab],
            playing=True,
            at=clock,
        )
        if out.refused is None:
            covered, watched, last, at = out.covered, out.watched, positions[tab], clock
    assert watched <= 300 and covered <= 300


def reason(**kw: object) -> tuple[bool, str]:
    rule = CompletionRule(
        min_online_percent=kw.pop("online_pct", None),  # type: ignore[arg-type]
        quiz_pass_score=kw.pop("pass_mark", None),  # type: ignore[arg-type]
    )
    args: dict[str, object] = {
        "scheduled_hours": Decimal(8),
        "attended_hours": Decimal(8),
        "scheduled_sessions": 2,
        "attended_sessions": 2,
        **kw,
    }
    d = evaluate_completion(rule=rule, **args)  # type: ignore[arg-type]
    return d.completed, d.reason


def test_completion_with_online_share_and_quiz() -> None:
    assert reason() == (True, "出勤 8.0 / 8.0 学时（100.0%），出勤 2 / 2 次课，达到结业要求")
    assert reason(
        online_seconds=2700,
        online_total_seconds=3600,
        online_pct=Decimal(75),
        pass_mark=Decimal(60),
        quiz_score=Decimal("60"),
    ) == (
        True,
        "出勤 8.0 / 8.0 学时（100.0%），出勤 2 / 2 次课，线上学习 45.0 / 60.0 分钟（75.0%），"
        "结业测验 60 分（及格 60 分），达到结业要求",
    )
    assert reason(online_seconds=2699, online_total_seconds=3600, online_pct=Decimal(75)) == (
        False,
        "线上学习 44.9 / 60.0 分钟（74.9%），未达到 75%",
    )
    assert reason(pass_mark=Decimal(60), quiz_score=Decimal("59.5")) == (
        False,
        "结业测验 59.5 分，未达到 60 分",
    )
    assert reason(pass_mark=Decimal(60)) == (False, "未参加结业测验（及格 60 分）")
    # an online-only course: no sessions, lessons only
    assert reason(
        scheduled_hours=Decimal(0),
        attended_hours=Decimal(0),
        scheduled_sessions=0,
        attended_sessions=0,
        online_seconds=3600,
        online_total_seconds=3600,
        online_pct=Decimal(90),
    ) == (True, "线上学习 60.0 / 60.0 分钟（100.0%），达到结业要求")
    assert reason(
        scheduled_hours=Decimal(0),
        attended_hours=Decimal(0),
        scheduled_sessions=0,
        attended_sessions=0,
        online_seconds=0,
        online_total_seconds=3600,
    ) == (False, "未出勤，也未进行线上学习，不能结业")


def test_trainer_ranks_and_scores() -> None:
    assert rank_change_kind("lecturer", "senior") == "promotion"
    assert rank_change_kind("chief", "assistant") == "demotion"
    with pytest.raises(ValueError):
        rank_change_kind("lecturer", "general")
    assert average_score([5, 4, 4]) == Decimal("4.33") and average_score([]) is None


def test_subsidy_roster_xlsx_keeps_id_numbers_as_text() -> None:
    from openpyxl import load_workbook

    assert certificate_number(D(2024, 9, 27), 123) == "PX202400000123"
    row = SubsidyRow(
        enrollment_id=123,
        practitioner_id=7,
        name="王芳",
        id_number="370102199001010012",
        course="幼儿照护岗前培训",
        hours=Decimal("16.0"),
        start_date=D(2024, 9, 1),
        end_date=D(2024, 9, 30),
        completed_on=D(2024, 9, 27),
        certificate_number="PX202400000123",
        employer="历下区示范托育中心",
    )
    roster = SubsidyRoster(
        offering_id=3,
        offering_title="2024年9月岗前班",
        training_base_name="济南市托育实训基地",
        course_title="幼儿照护岗前培训",
        course_category="pre_job",
        start_date=D(2024, 9, 1),
        end_date=D(2024, 9, 30),
        completed_on=D(2024, 9, 27),
        period_year=2024,
        eligible=[row],
        excluded=[],
    )
    ws = load_workbook(io.BytesIO(roster_xlsx(roster, prepared_on=D(2024, 10, 8)))).active
    assert ws is not None
    assert ws["A1"].value == "职业培训补贴申请人员花名册"
    assert [c.value for c in ws[4]] == [
        "序号", "姓名", "公民身份号码", "培训课程（职业/工种）", "培训学时",
        "培训开始日期", "培训结束日期", "结业日期", "证书编号", "就业单位",
    ]  # fmt: skip
    data = [c.value for c in ws[5]]
    assert data[:5] == [1, "王芳", "370102199001010012", "幼儿照护岗前培训", 16]
    assert ws["C5"].number_format == "@" and isinstance(ws["C5"].value, str)
    assert data[5].date() == D(2024, 9, 1) and data[8] == "PX202400000123" and data[9] == "历下区示范托育中心"
    assert ws["A6"].value == "合计：1 人，培训学时合计 16.0"
    assert ws["F8"].value == "填报日期：2024-10-08"
