"""The regulator pages in depth, server side: the ``background_overdue`` drill-down registered
with the targets lists (same rule as the credit list, exact rows and columns on PostgreSQL), the
rule's cut-off date around 29 February, and the pure display pieces of the dashboard (status
words, reconciliation sentence, monthly trend geometry); the drill-down on SQLite too."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import talent_pool
from service import regulator
from service.regulator_display import reconciliation_text, status_cell, trend_chart
from talent_pool._credit_lists import last_overdue_check
from talent_pool.credit_rules import add_years, is_overdue
from talent_pool.credit_schemas import BackgroundCheckIn
from talent_pool.identity import uscc_check_character
from talent_pool.schemas import EmploymentIn, IndicatorValue, PractitionerIn, Reconciliation, TrendPoint
from tests.factories import employ, make_employer, make_id
from tests.integration.test_embedded_sqlite import REPO, _env

TODAY = dt.date(2026, 11, 29)
GOOD17 = "91370102MA3C0X1PK"


def test_last_overdue_check_is_the_rule_of_is_overdue_on_every_day() -> None:
    day = dt.date(2023, 1, 1)
    while day <= dt.date(2025, 12, 31):
        cut = last_overdue_check(day)
        for delta in range(-3, 4):
            checked = cut + dt.timedelta(days=delta)
            assert (checked <= cut) == is_overdue(add_years(checked, 1), day), (day, checked)
        day += dt.timedelta(days=1)
    assert last_overdue_check(dt.date(2025, 3, 1)) == dt.date(2024, 2, 29)
    assert last_overdue_check(dt.date(2024, 2, 29)) == dt.date(2023, 2, 28)
    assert last_overdue_check(TODAY) == dt.date(2025, 11, 28)


async def _person(seq: int, name: str) -> int:
    out = await talent_pool.register_practitioner(
        PractitionerIn(id_number=make_id(seq), name=name), today=TODAY
    )
    return out.id


async def test_background_overdue_drill_down_is_the_credit_list(db: None) -> None:
    employer = await make_employer()
    never, lapsed, fresh, leap, hired_today = (
        await _person(11, "甲一"),
        await _person(12, "乙二"),
        await _person(13, "丙三"),
        await _person(14, "丁四"),
        await _person(15, "戊五"),
    )
    await employ(employer, [never, lapsed, fresh, leap], start_date=dt.date(2026, 3, 1))
    await employ(employer, [hired_today], start_date=TODAY)  # due today: not yet overdue
    for person, day in (
        (lapsed, dt.date(2025, 11, 28)),
        (fresh, dt.date(2025, 11, 29)),
        (leap, dt.date(2024, 2, 29)),
    ):
        await talent_pool.record_background_check(
            person, BackgroundCheckIn(checked_on=day), recorded_by_id=1, recorded_by="district", today=TODAY
        )
    # the same person employed in a second district: a row there too
    other = await make_employer(
        credit_code=GOOD17 + uscc_check_character(GOOD17), name="第二家", district_code="370105"
    )
    await talent_pool.start_employment(
        EmploymentIn(practitioner_id=never, employer_id=other, start_date=dt.date(2026, 3, 1))
    )
    page = await talent_pool.drill_down_list("background_overdue", None, today=TODAY, scope="370102")
    rows = [(p.practitioner_id, p.employer_id, p.due_on, p.detail) for p in page.people]
    assert sorted(rows) == sorted(
        [
            (never, employer, None, "从未审查"),
            (lapsed, employer, dt.date(2025, 11, 28), "上次审查已满一年"),
            (leap, employer, dt.date(2024, 2, 29), "上次审查已满一年"),
        ]
    )
    assert (page.total, page.people_total) == (3, 3)
    credit = await talent_pool.background_checks_overdue(today=TODAY, district_code="370102")
    assert sorted(r.practitioner_id for r in credit) == sorted(p for p, *_ in rows)
    there = await talent_pool.drill_down_list("background_overdue", None, today=TODAY, scope="370105")
    assert [(p.practitioner_id, p.employer_id, p.detail) for p in there.people] == [
        (never, other, "从未审查")
    ]
    # a day later the fresh check lapses and today's hire is overdue too
    later = await talent_pool.drill_down_list(
        "background_overdue", None, today=TODAY + dt.timedelta(days=1), scope="city"
    )
    assert sorted(p.practitioner_id for p in later.people) == sorted(
        [never, never, lapsed, fresh, leap, hired_today]
    )
    assert (later.total, later.people_total) == (6, 5)
    # on an earlier date only checks done by then count (and employments current then)
    earlier = await talent_pool.drill_down_list(
        "background_overdue", None, today=TODAY, as_of=dt.date(2026, 3, 2), scope="370102"
    )
    assert {p.practitioner_id for p in earlier.people} == {never, leap}  # leap: due 2025-02-28


def _indicator(key: str, value: str | None, status: str | None, target: str = "90") -> IndicatorValue:
    return IndicatorValue(
        key=key,
        name="持证率",
        unit="%",
        value=None if value is None else Decimal(value),
        target=Decimal(target),
        op=">=",
        kind="rate",
        met=None if value is None else Decimal(value) >= Decimal(target),
        status=status,
    )


def test_a_running_years_accruing_indicator_is_judged_by_its_projection() -> None:
    """培训人次 year to date below the full-year target is not 未达标 while the year runs (trial
    finding): the card, table and spreadsheet say the projection's 进度正常 / 有未达标风险."""
    from service.regulator_display import indicator_cell

    running = _indicator("person_trainings", "4000", "at_risk", target="10000")
    running = running.model_copy(update={"accrues": True})
    assert (indicator_cell(running).verdict, indicator_cell(running).mark) == ("有未达标风险", "⚠")
    ahead = running.model_copy(update={"status": "on_track"})
    assert (indicator_cell(ahead).verdict, indicator_cell(ahead).status) == ("进度正常", "met")
    finished = running.model_copy(update={"status": "not_met"})
    assert indicator_cell(finished).verdict == "未达标"
    level = _indicator("certification_rate", "80.0", "at_risk")  # a level, not accruing
    assert indicator_cell(level).verdict == "未达标"


def test_status_words_never_colour_alone() -> None:
    assert status_cell(_indicator("certification_rate", "80.0", "at_risk")).text == "⚠有未达标风险"
    assert status_cell(_indicator("certification_rate", "95.0", "on_track")).text == "✓进度正常"
    assert status_cell(_indicator("certification_rate", "95.0", "met")).met is True
    assert status_cell(_indicator("certification_rate", "80.0", "not_met")).text == "✗未达标"
    assert status_cell(_indicator("certification_rate", None, None)).text == "—"
    headers = [c.header for c in regulator.TARGET_COLUMNS]
    assert headers[:5] == ["范围", "在职人员", "持证率（%）", "持证率全年预计", "持证率进度"]
    assert headers[-1] == "层级" and len(headers) == 15


def test_reconciliation_sentence_has_the_numbers() -> None:
    rec = Reconciliation(
        city_employed=100,
        districts_employed=105,
        people_in_several_districts=3,
        counted_again=5,
        city_person_trainings=12000,
        districts_person_trainings=11800,
        trainings_counted_again=300,
        trainings_without_post=500,
    )
    assert reconciliation_text(rec) == (
        "各区县在职人员合计 105 人，其中 3 人在多个区县任职、多计 5 人次，全市实有 100 人；"
        "各区县培训人次合计 11,800，重复计入 300，另有 500 人次属于无在职记录人员"
        "（岗前学员、待业等，只计入全市），全市培训人次 12,000。"
    )


def test_trend_chart_geometry() -> None:
    points = [
        TrendPoint(
            month=month,
            taken_on=dt.date(2026, int(month[5:]), 28),
            employed_practitioners=10,
            indicators=[_indicator("certification_rate", value, None)],
        )
        for month, value in (("2026-01", "50"), ("2026-03", "90.0"), ("2026-04", None))
    ]
    chart = trend_chart(points)
    assert [(b.month, b.x, b.y, b.height, b.label, b.verdict) for b in chart.bars] == [
        (1, 52.0, 110.0, 90.0, "50%", "未达标"),
        (3, 152.0, 38.0, 162.0, "90.0%", "达标"),
        (4, 202.0, 200.0, 0.0, "无数据", "无数据"),
    ]
    assert chart.target == Decimal(90) and chart.target_y == 38.0
    assert trend_chart([]).bars == []


SQLITE_FLOW = r"""
import asyncio, datetime as dt

async def main():
    from service.bootstrap import prepare
    from talent_pool.db import engine_for_url, start_pool, use_engine
    from worker.settings import WorkerSettings
    engine = engine_for_url(WorkerSettings().db_url)
    use_engine(engine)
    await start_pool(engine)
    await prepare(engine)
    import talent_pool
    from talent_pool.credit_schemas import BackgroundCheckIn
    from talent_pool.identity import uscc_check_character
    from tests.factories import employ, make_employer, register_people
    today = dt.date(2026, 11, 29)
    code = "91370102MA3C0X1P6"
    jf = await make_employer(credit_code=code + uscc_check_character(code), street_code="370176001")
    a, b, c = await register_people(3)
    await employ(jf, [a, b, c])
    for person, day in ((a, dt.date(2025, 6, 1)), (c, dt.date(2026, 6, 1))):
        await talent_pool.record_background_check(
            person, BackgroundCheckIn(checked_on=day), recorded_by_id=1, recorded_by="city", today=today)
    page = await talent_pool.drill_down_list("background_overdue", None, today=today, scope="zone:370176")
    print(sorted(((p.practitioner_id == a, p.practitioner_id == b), p.due_on, p.detail) for p in page.people))
    print(page.total, page.people_total)

asyncio.run(main())
"""


def test_background_overdue_drill_down_on_sqlite(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-c", SQLITE_FLOW],
        cwd=REPO,
        env=_env(tmp_path / "data"),
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert proc.stdout.splitlines() == [
        "[((False, True), None, '从未审查'), ((True, False), datetime.date(2025, 6, 1), '上次审查已满一年')]",
        "2 2",
    ]
