"""The regulator's pages as data: the dashboard, a district's employers, an employer's people, a
person's record, and the tables behind them as spreadsheets.

Each function here is the one service call of a page handler (``service/pages_regulator.py``):
it takes the :class:`~service.runtime.Runtime` first (for the local ``today``) and returns plain
data; the record checks (``service.policy``) are the handler's. The page and its spreadsheet are
built from the **same** :class:`Column` lists, so a number in a download is the number on the
page. Extending the dashboard — another scope level (功能区, 街道) or another column (a full-year
projection, on-track/at-risk) — is one more entry in :data:`TARGET_COLUMNS` or one more report
in :func:`dashboard`'s list; the templates and exports iterate over them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import certification
import talent_pool
from certification.exam_schemas import MyExamOut
from service import usecases
from service.regulator_display import (
    BarChart,
    Cell,
    Column,
    Gauge,
    credential_state,
    gauges,
    indicator_text,
    number_value,
    rate_chart,
)
from service.runtime import Runtime
from talent_pool.schemas import PractitionerRecord, TargetsReport
from talent_pool.target_rules import credential_counts

PLAN_FIRST_YEAR = 2021  # 济南市普惠托育服务发展规划（2021-2025年）
SHORTFALL_NAMES = {
    "certification_rate": "在职未持有效证书人员",
    "trainings_per_practitioner": "本年度未参加培训的在职人员",
}
POSITIONS = {
    "carer": "保育人员",
    "teacher": "教师",
    "health": "保健人员",
    "manager": "管理人员",
    "other": "其他",
}
EMPLOYER_KINDS = {
    "institution": "托育机构",
    "kindergarten_class": "幼儿园托班",
    "community_point": "社区托育点",
    "home_point": "家庭托育点",
}


# --------------------------------------------------------------------------- columns


def _indicator_column(key: str, header: str) -> Column:
    def cell(report: TargetsReport) -> Cell:
        i = report.indicator(key)
        return Cell(indicator_text(i), number_value(i.value), i.met)

    return Column(key, header, cell)


TARGET_COLUMNS: list[Column] = [
    Column("scope_name", "范围", lambda r: Cell(r.scope_name, r.scope_name)),
    Column("employed", "在职人员", lambda r: Cell(str(r.employed_practitioners), r.employed_practitioners)),
    _indicator_column("certification_rate", "持证率（%）"),
    _indicator_column("trainings_per_practitioner", "人均培训次数"),
    _indicator_column("person_trainings", "培训人次"),
    _indicator_column("training_bases", "实训基地（个）"),
]
"""The targets table, page and spreadsheet alike (one row per :class:`TargetsReport`)."""


def _rate_cell(e: talent_pool.EmployerSummary) -> Cell:
    text = "无在职人员" if e.certification_rate is None else f"{e.certification_rate}%"
    return Cell(text, number_value(e.certification_rate), e.certification_met)


EMPLOYER_COLUMNS: list[Column] = [
    Column("name", "机构", lambda e: Cell(e.name, e.name)),
    Column(
        "kind", "类型", lambda e: Cell(EMPLOYER_KINDS.get(e.kind, e.kind), EMPLOYER_KINDS.get(e.kind, e.kind))
    ),
    Column("employed", "在职人员", lambda e: Cell(str(e.employed), e.employed)),
    Column("certified", "持证人数", lambda e: Cell(str(e.certified), e.certified)),
    Column("certification_rate", "持证率（%）", _rate_cell),
    Column("trained_people", "本年已培训人数", lambda e: Cell(str(e.trained_people), e.trained_people)),
    Column("trainings", "本年培训人次", lambda e: Cell(str(e.trainings), e.trainings)),
]
"""A district's employers (one row per :class:`talent_pool.EmployerSummary`)."""

PEOPLE_COLUMNS: list[Column] = [
    Column("name", "姓名", lambda p: Cell(p.name, p.name)),
    Column("id_number", "身份证号", lambda p: Cell(p.id_number, p.id_number)),
    Column(
        "position",
        "岗位",
        lambda p: Cell(POSITIONS.get(p.position, p.position), POSITIONS.get(p.position, p.position)),
    ),
    Column("start_date", "入职日期", lambda p: Cell(p.start_date.isoformat(), p.start_date)),
    Column(
        "certified",
        "持有效证书",
        lambda p: Cell("是" if p.certified else "否", "是" if p.certified else "否", p.certified),
    ),
    Column(
        "valid_credentials",
        "有效证书",
        lambda p: Cell("、".join(p.valid_credentials) or "—", "、".join(p.valid_credentials)),
    ),
    Column("trainings", "本年培训次数", lambda p: Cell(str(p.trainings), p.trainings, p.trainings > 0)),
]
"""An employer's people (one row per :class:`talent_pool.EmployerPerson`, ID numbers masked)."""


# --------------------------------------------------------------------------- pages


def years(rt: Runtime) -> list[int]:
    """The years a regulator can pick: the plan's first year to this local year, newest first."""
    return list(range(rt.today().year, PLAN_FIRST_YEAR - 1, -1))


async def district_names() -> dict[str, str]:
    """``{district code: name}`` of the city's current districts, in code order."""
    return {d["code"]: d["name"] for d in await talent_pool.list_districts()}


@dataclass
class Dashboard:
    """The dashboard of ``year``: the targets table (``reports``: the city first for a city admin,
    then the districts; only their district for a district admin), the ``focus`` report the
    gauges show, its :class:`Gauge` list and the districts' ranking :class:`BarChart`."""

    year: int
    reports: list[TargetsReport]
    focus: TargetsReport
    gauges: list[Gauge]
    chart: BarChart


async def dashboard(rt: Runtime, *, year: int | None, scope: str | None, focus: str | None) -> Dashboard:
    """The dashboard for ``year`` (default: this local year). ``scope`` limits the table to one
    scope (a district admin's district); ``focus`` picks the scope the gauges show (default: the
    first row). Raises :class:`talent_pool.ValidationFailed` for an unknown scope or a future
    year."""
    reports = await usecases.targets_table(rt, year=year, scope=scope)
    chosen = next((r for r in reports if r.scope == focus), reports[0])
    return Dashboard(
        year=year or rt.today().year,
        reports=reports,
        focus=chosen,
        gauges=gauges(chosen),
        chart=rate_chart(reports),
    )


@dataclass
class DistrictView:
    """A district's indicators (``report``) and its employers for ``year``."""

    year: int
    report: TargetsReport
    employers: list[talent_pool.EmployerSummary]


async def district(rt: Runtime, district_code: str, *, year: int | None) -> DistrictView:
    """The district page: its targets row and its employers (:func:`talent_pool.district_employers`).
    Raises :class:`talent_pool.ValidationFailed` for a code that is not a current district."""
    y = year or rt.today().year
    (report,) = await usecases.targets_table(rt, year=y, scope=district_code)
    employers = await talent_pool.district_employers(district_code, y, today=rt.today())
    return DistrictView(year=y, report=report, employers=employers)


@dataclass
class EmployerView:
    """An employer, its district's name and its people for ``year`` (ID numbers masked)."""

    year: int
    as_of: dt.date
    employer: Any
    district_name: str
    people: list[talent_pool.EmployerPerson]


async def employer(rt: Runtime, employer_id: int, *, year: int | None) -> EmployerView:
    """The employer page: the people it employs on the year's reference date with their
    standing (:func:`talent_pool.employer_people`), ID numbers masked and no phones — the
    person page shows them in full. Raises :class:`talent_pool.NotFound`."""
    y = year or rt.today().year
    today = rt.today()
    found = await talent_pool.get_employer(employer_id)
    people = await talent_pool.employer_people(employer_id, y, today=today)
    masked = [
        p.model_copy(update={"id_number": talent_pool.mask_id_number(p.id_number), "phone": ""})
        for p in people
    ]
    names = await district_names()
    return EmployerView(
        year=y,
        as_of=min(dt.date(y, 12, 31), today),
        employer=found,
        district_name=names.get(found.district_code, found.district_code),
        people=masked,
    )


@dataclass(frozen=True)
class CredentialLine:
    """A credential on the person page with its state on ``today`` in words."""

    title: str
    number: str
    level: str
    issuer: str
    issued_on: dt.date
    expires_on: dt.date | None
    state: str
    counts: bool


@dataclass
class PersonView:
    """The person page: the whole record (full ID number and phone — regulators need them),
    employments with district names, credentials with their state today, trainings (newest
    first) and exam results (newest first)."""

    record: PractitionerRecord
    employments: list[Any]
    credentials: list[CredentialLine]
    trainings: list[Any]
    exams: list[MyExamOut]


async def person(rt: Runtime, practitioner_id: int) -> PersonView:
    """The person page's data (:func:`talent_pool.practitioner_record`, employments with their
    confirmation status, :func:`certification.exams_of`). Raises :class:`talent_pool.NotFound`."""
    today = rt.today()
    record = await talent_pool.practitioner_record(practitioner_id)
    jobs = await talent_pool.employments(practitioner_id=practitioner_id)
    names = await district_names()
    lines = [
        CredentialLine(
            title=c.title,
            number=c.number,
            level=c.level,
            issuer=c.issuer,
            issued_on=c.issued_on,
            expires_on=c.expires_on,
            state=credential_state(c, today),
            counts=credential_counts(
                qualifying=c.qualifying,
                issued_on=c.issued_on,
                expires_on=c.expires_on,
                status=c.status,
                status_changed_on=c.status_changed_on,
                on=today,
            ),
        )
        for c in sorted(record.credentials, key=lambda c: c.issued_on, reverse=True)
    ]
    return PersonView(
        record=record,
        employments=[
            {**j.model_dump(), "district_name": names.get(j.district_code, j.district_code)} for j in jobs
        ],
        credentials=lines,
        trainings=sorted(record.trainings, key=lambda t: t.completed_on, reverse=True),
        exams=await certification.exams_of(practitioner_id),
    )


async def shortfall_rows(
    rt: Runtime, indicator: str, *, year: int | None, scope: str | None, batch: int = 1000
) -> list[Any]:
    """Every row of a shortfall list (not one page), fetched ``batch`` rows at a time."""
    rows: list[Any] = []
    while True:
        page = await usecases.shortfall(rt, indicator, year=year, scope=scope, limit=batch, offset=len(rows))
        rows.extend(page.people)
        if len(page.people) < batch:
            return rows


SHORTFALL_HEADERS = ["姓名", "身份证号", "电话", "机构", "区县"]
"""The shortfall list's columns (page and spreadsheet): full ID numbers and phones, audited."""


def rows_of(columns: Sequence[Column], items: Sequence[Any]) -> Iterator[list[object]]:
    """The spreadsheet rows of ``items`` under ``columns`` (cell values, not texts)."""
    for item in items:
        yield [c.cell(item).value for c in columns]
