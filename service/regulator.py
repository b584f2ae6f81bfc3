"""The regulator's pages as data: the dashboard (city, districts, functional zones, streets; with
projection, status, reconciliation and the monthly trend), a district's streets and employers,
an employer's people, a person's record with the credit file, the drill-down lists, and the
tables behind them as spreadsheets.

Each function here is the one service call of a page handler (``service/pages_regulator.py``):
it takes the :class:`~service.runtime.Runtime` first (for the local ``today``) and returns plain
data; the record checks (``service.policy``) are the handler's. The page and its spreadsheet are
built from the **same** :class:`Column` lists, so a number in a download is the number on the
page. Extending the dashboard — another scope level or another column — is one more entry in
:data:`TARGET_COLUMNS` or one more report in :func:`dashboard`'s list; another drill-down list
is one more name in :data:`LIST_NAMES` (registered with :func:`talent_pool.register_drill_down`);
the templates and exports iterate over them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel

import certification
import talent_pool
from certification.exam_schemas import MyExamOut
from service import usecases
from service.regulator_display import (
    BarChart,
    Cell,
    Column,
    Gauge,
    TrendChart,
    credential_state,
    gauges,
    indicator_cell,
    indicator_text,
    number_value,
    projection_text,
    rate_chart,
    reconciliation_text,
    status_cell,
    trend_chart,
)
from service.runtime import Runtime
from talent_pool.credit_schemas import CreditFile
from talent_pool.schemas import PractitionerRecord, TargetsReport, TrendPoint
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
        return indicator_cell(i, indicator_text(i), number_value(i.value))

    return Column(key, header, cell)


def _projection_column(key: str, header: str) -> Column:
    def cell(report: TargetsReport) -> Cell:
        i = report.indicator(key)
        return Cell(projection_text(i), number_value(i.projected))

    return Column(f"{key}.projected", header, cell)


def _status_column(key: str, header: str) -> Column:
    return Column(f"{key}.status", header, lambda r: status_cell(r.indicator(key)))


def _indicator_columns(key: str, header: str, short: str) -> list[Column]:
    """An indicator's value (year to date), its full-year projection and on-track/at-risk."""
    return [
        _indicator_column(key, header),
        _projection_column(key, f"{short}全年预计"),
        _status_column(key, f"{short}进度"),
    ]


LEVEL_NAMES = {"city": "全市", "district": "区县", "zone": "功能区", "street": "街道", "employer": "机构"}

TARGET_COLUMNS: list[Column] = [
    Column("scope_name", "范围", lambda r: Cell(r.scope_name, r.scope_name)),
    Column("employed", "在职人员", lambda r: Cell(str(r.employed_practitioners), r.employed_practitioners)),
    *_indicator_columns("certification_rate", "持证率（%）", "持证率"),
    *_indicator_columns("trainings_per_practitioner", "人均培训次数", "人均培训"),
    *_indicator_columns("person_trainings", "培训人次", "培训人次"),
    *_indicator_columns("training_bases", "实训基地（个）", "实训基地"),
    Column(
        "level", "层级", lambda r: Cell(LEVEL_NAMES.get(r.level, r.level), LEVEL_NAMES.get(r.level, r.level))
    ),
]
"""The targets table, page and spreadsheet alike (one row per :class:`TargetsReport`): each
indicator's year-to-date value, full-year projection and on-track / at-risk status."""


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
    """The dashboard of ``year``: the targets table (``reports``: for a city admin the city, the
    districts, the functional zones and — when a district or one of its streets is in focus —
    that district's streets; for a district admin their district and its streets), the
    ``focus`` report the gauges show, its :class:`Gauge` list, the districts' ranking
    :class:`BarChart`, the focus scope's monthly :class:`TrendChart` (``trend``: its points,
    empty before the first nightly snapshot) and the city row's reconciliation in words."""

    year: int
    reports: list[TargetsReport]
    focus: TargetsReport
    gauges: list[Gauge]
    chart: BarChart
    trend: list[TrendPoint]
    trend_chart: TrendChart
    reconciliation: str


async def _district_of_street(street_key: str) -> str | None:
    tree = await talent_pool.divisions_tree()
    code = street_key.split(":", 1)[1]
    return next((d["code"] for d in tree["districts"] if any(s["code"] == code for s in d["streets"])), None)


async def dashboard(rt: Runtime, *, year: int | None, district: str | None, focus: str | None) -> Dashboard:
    """The dashboard for ``year`` (default: this local year). ``district`` (a district admin's)
    limits the table to that district and its streets; otherwise the city, districts and
    functional zones, plus the streets of the district in ``focus`` (a district code or one of
    its ``street:<code>`` keys). ``focus`` picks the scope the gauges and the trend show
    (default: the first row). Raises :class:`talent_pool.ValidationFailed` for an unknown scope,
    one the board does not show (an employer, another district's street for a district admin)
    or a future year."""
    y = year or rt.today().year
    if district is not None:
        scopes = await talent_pool.scopes_within_district(district, None, ["district", "street"])
        reports = await usecases.targets_table(rt, year=year, scopes=scopes)
    else:
        streets_of = focus if focus and focus.isdigit() else None
        if focus and focus.startswith("street:"):
            streets_of = await _district_of_street(focus)
        streets = await talent_pool.scopes_within_district(streets_of, None, ["street"]) if streets_of else []
        reports = await usecases.targets_table(
            rt, year=year, scopes=streets or None, levels=["city", "district", "zone"]
        )
    chosen = next((r for r in reports if r.scope == focus), None if focus else reports[0])
    if chosen is None:  # a scope the board does not show: said, never the city instead (a trial)
        talent_pool.scope_level(focus or "")  # a malformed key: its own message
        raise talent_pool.ValidationFailed(
            f"范围 {focus} 不在监管看板中：看板显示全市、区县、功能区与街道，机构请在所在区县的页面查看"
        )
    points = await usecases.targets_trend(rt, scope=chosen.scope, year=y)
    city = next((r for r in reports if r.reconciliation is not None), None)
    return Dashboard(
        year=y,
        reports=reports,
        focus=chosen,
        gauges=gauges(chosen),
        chart=rate_chart([r for r in reports if r.level == "district"]),
        trend=points,
        trend_chart=trend_chart(points),
        reconciliation="" if city is None else reconciliation_text(city.reconciliation),
    )


@dataclass
class DistrictView:
    """A district's indicators (``report``), its streets' rows (``streets``, code order) and its
    employers for ``year``."""

    year: int
    report: TargetsReport
    streets: list[TargetsReport]
    employers: list[talent_pool.EmployerSummary]


async def district(rt: Runtime, district_code: str, *, year: int | None) -> DistrictView:
    """The district page: its targets row, its streets' rows (same columns) and its employers
    (:func:`talent_pool.district_employers`). Raises :class:`talent_pool.ValidationFailed` for
    a code that is not a current district."""
    y = year or rt.today().year
    employers = await talent_pool.district_employers(district_code, y, today=rt.today())
    scopes = await talent_pool.scopes_within_district(district_code, None, ["district", "street"])
    reports = await usecases.targets_table(rt, year=y, scopes=scopes)
    report = next(r for r in reports if r.scope == district_code)
    streets = [r for r in reports if r.level == "street"]
    return DistrictView(year=y, report=report, streets=streets, employers=employers)


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
    credit: CreditFile


async def person(rt: Runtime, practitioner_id: int) -> PersonView:
    """The person page's data (:func:`talent_pool.practitioner_record`, employments with their
    confirmation status, :func:`certification.exams_of`) and the credit file
    (:func:`talent_pool.credit_file`: credit records, background checks, health certificates and
    their status on the local ``today``). Raises :class:`talent_pool.NotFound`."""
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
        credit=await talent_pool.credit_file(practitioner_id, today=today),
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


LIST_NAMES = ("uncertified", "untrained", "expiring", "background_overdue")
"""The drill-down lists the regulator pages offer (:data:`talent_pool.DRILL_DOWNS`)."""

LIST_EXTRA = {
    "expiring": ("证书到期日", "证书编号"),
    "background_overdue": ("上次审查日期", "情况"),
}
"""A list's own columns (``due_on``, ``detail``) where it has them."""


def _date_cell(p: Any) -> Cell:
    return Cell(p.due_on.isoformat() if p.due_on else "—", p.due_on)


_P = TypeVar("_P", bound=BaseModel)


def masked_contact(person: _P) -> _P:
    """``person`` (a list row with ``id_number`` and ``phone``) with both masked, as every list
    shows them; the full ones are on the person's record page."""
    return person.model_copy(
        update={
            "id_number": talent_pool.mask_id_number(getattr(person, "id_number", "")),
            "phone": talent_pool.mask_phone(getattr(person, "phone", "")),
        }
    )


def _masked(value: str) -> Cell:
    return Cell(value, value)


def list_columns(list_name: str) -> list[Column]:
    """The columns of a drill-down list, page and spreadsheet alike: name, ID number and phone
    masked (the full ones are on the person's record page, one audited read per person — a list
    of hundreds never carries them), employer, district, and the list's own date and detail."""
    columns = [
        Column("name", "姓名", lambda p: Cell(p.name, p.name)),
        Column("id_number", "身份证号", lambda p: _masked(talent_pool.mask_id_number(p.id_number))),
        Column("phone", "电话", lambda p: _masked(talent_pool.mask_phone(p.phone))),
        Column("employer", "机构", lambda p: Cell(p.employer_name, p.employer_name)),
        Column("district", "区县", lambda p: Cell(p.district_name, p.district_name)),
    ]
    if list_name in LIST_EXTRA:
        date_header, detail_header = LIST_EXTRA[list_name]
        columns.append(Column("due_on", date_header, _date_cell))
        columns.append(Column("detail", detail_header, lambda p: Cell(p.detail or "—", p.detail)))
    return columns


@dataclass
class ListView:
    """One page of a drill-down list: its ``title``, the scope's name, the rows (each with
    ``district_name``), the page numbers and the list's :class:`Column` list."""

    name: str
    title: str
    scope_name: str
    result: Any
    people: list[Any]
    page: int
    pages: int
    columns: list[Column]


async def _with_district_names(people: Sequence[Any]) -> list[Any]:
    names = await district_names()
    return [{**p.model_dump(), "district_name": names.get(p.district_code, p.district_code)} for p in people]


class _Row:
    """A list row with attribute access for the :class:`Column` cells."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.__dict__.update(data)


async def drill_list(
    rt: Runtime, list_name: str, *, year: int | None, scope: str, page: int, page_size: int
) -> ListView:
    """Page ``page`` (1-based, ``page_size`` rows) of the drill-down list ``list_name`` in
    ``scope`` (a scope key the caller may see) for ``year`` (:func:`talent_pool.drill_down_list`:
    one row per person and employment). Raises :class:`talent_pool.ValidationFailed` for an
    unknown list or scope or a future year."""
    if list_name not in talent_pool.DRILL_DOWNS:
        raise talent_pool.ValidationFailed(f"名单 {list_name} 不存在（可用：{'、'.join(LIST_NAMES)}）")
    (resolved,) = await talent_pool.resolve_scopes([scope], [])
    result = await usecases.drill_down(
        rt, list_name, year=year, as_of=None, scope=scope, limit=page_size, offset=(page - 1) * page_size
    )
    pages = max(1, (result.total + page_size - 1) // page_size)
    return ListView(
        name=list_name,
        title=talent_pool.DRILL_DOWNS[list_name].title,
        scope_name=resolved.name,
        result=result,
        people=[_Row(p) for p in await _with_district_names(result.people)],
        page=min(page, pages),
        pages=pages,
        columns=list_columns(list_name),
    )


async def drill_list_rows(
    rt: Runtime, list_name: str, *, year: int | None, scope: str, batch: int = 1000
) -> ListView:
    """The whole list (every page) as one :class:`ListView`, for the spreadsheet."""
    first = await drill_list(rt, list_name, year=year, scope=scope, page=1, page_size=batch)
    rows = list(first.people)
    while len(rows) < first.result.total:
        more = await drill_list(
            rt, list_name, year=year, scope=scope, page=len(rows) // batch + 1, page_size=batch
        )
        if not more.people:
            break
        rows.extend(more.people)
    first.people = rows
    return first


HEALTH_STATUS = {"valid": "有效", "expiring": "即将到期", "expired": "已过期", "missing": "无健康证"}
CHECK_KINDS = {"pre_hire": "入职前审查", "annual": "年度审查"}
CHECK_RESULTS = {"clear": "无异常", "concern": "发现问题"}
CREDIT_KINDS = {"commendation": "表彰（红名单）", "violation": "违规（黑名单）"}


SHORTFALL_HEADERS = ["姓名", "身份证号", "电话", "机构", "区县"]
"""The shortfall list's columns (page and spreadsheet): ID numbers and phones masked, as in
:func:`list_columns`."""


def rows_of(columns: Sequence[Column], items: Sequence[Any]) -> Iterator[list[object]]:
    """The spreadsheet rows of ``items`` under ``columns`` (cell values, not texts)."""
    for item in items:
        yield [c.cell(item).value for c in columns]
