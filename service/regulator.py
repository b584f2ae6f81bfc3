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
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import certification
import talent_pool
from certification.exam_schemas import MyExamOut
from service import usecases
from service.runtime import Runtime
from talent_pool.schemas import IndicatorValue, PractitionerRecord, TargetsReport
from talent_pool.target_rules import credential_counts

PLAN_FIRST_YEAR = 2021  # 济南市普惠托育服务发展规划（2021-2025年）
INDICATOR_KEYS = ("certification_rate", "trainings_per_practitioner", "person_trainings", "training_bases")
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


# --------------------------------------------------------------------------- cells and columns


@dataclass(frozen=True)
class Cell:
    """One table cell: ``text`` for the page, ``value`` for the spreadsheet (a number where the
    cell is a number), ``met`` for the met/not-met badge (``None``: no target or no data)."""

    text: str
    value: object = None
    met: bool | None = None

    @property
    def status(self) -> str:
        """``met`` / ``notmet`` / ``nodata`` (a CSS class; the text says it too)."""
        return "nodata" if self.met is None else ("met" if self.met else "notmet")

    @property
    def verdict(self) -> str:
        """达标 / 未达标 / "" — met or not in words, never by colour alone."""
        return "" if self.met is None else ("达标" if self.met else "未达标")


@dataclass(frozen=True)
class Column:
    """A table column: its Chinese header and how a row becomes a :class:`Cell`."""

    key: str
    header: str
    cell: Callable[[Any], Cell]


def _number(value: Decimal | int | None) -> object:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _fmt(key: str, value: Decimal | None) -> str:
    if value is None:
        return "无数据"
    if key == "certification_rate":
        return f"{value}%"
    if key in ("person_trainings", "training_bases"):
        return f"{int(value):,}"
    return str(value)


def _plain(value: Decimal) -> Decimal:
    """``90.00`` → ``90``, ``1.50`` → ``1.5`` (a plan target as written, not as stored)."""
    return Decimal(f"{value.normalize():f}")


def indicator_text(i: IndicatorValue) -> str:
    """``"87.5%（7/8）"`` — the value with its numerator/denominator where it has one."""
    text = _fmt(i.key, i.value)
    if i.value is not None and i.denominator:
        text += f"（{i.numerator}/{i.denominator}）"
    return text


def target_text(i: IndicatorValue) -> str:
    """``"≥90%"``, or ``"全市口径"`` where the plan's target is city-wide only."""
    if i.target is None:
        return "全市口径" if i.key in ("person_trainings", "training_bases") else "—"
    op = {">=": "≥", "<=": "≤", ">": ">", "<": "<", "=": "="}.get(i.op, i.op)
    return f"{op}{_fmt(i.key, _plain(i.target))}"


def _indicator_column(key: str, header: str) -> Column:
    def cell(report: TargetsReport) -> Cell:
        i = report.indicator(key)
        return Cell(indicator_text(i), _number(i.value), i.met)

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
    return Cell(text, _number(e.certification_rate), e.certification_met)


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


# --------------------------------------------------------------------------- charts (SVG geometry)


@dataclass(frozen=True)
class Gauge:
    """A progress bar of one indicator against its target: ``fill`` and ``mark`` are the value
    and the target as a share (0–100) of the bar's scale, which runs to ``scale_max``."""

    key: str
    name: str
    value_text: str
    target_text: str
    fill: float
    mark: float | None
    status: str
    verdict: str
    note: str


def _scale_max(key: str, value: Decimal | None, target: Decimal | None) -> Decimal:
    if key == "certification_rate":
        return Decimal(100)
    top = max(value or Decimal(0), (target or Decimal(1)) * Decimal("1.25"))
    return top if top > 0 else Decimal(1)


def gauges(report: TargetsReport) -> list[Gauge]:
    """One :class:`Gauge` per plan indicator of ``report`` (value and target on one scale)."""
    out = []
    for key in INDICATOR_KEYS:
        i = report.indicator(key)
        top = _scale_max(key, i.value, i.target)
        cell = Cell("", met=i.met)
        out.append(
            Gauge(
                key=key,
                name=i.name,
                value_text=indicator_text(i),
                target_text=target_text(i),
                fill=0.0 if i.value is None else float(min(i.value / top, Decimal(1)) * 100),
                mark=None if i.target is None else float(min(i.target / top, Decimal(1)) * 100),
                status=cell.status,
                verdict=cell.verdict or ("无数据" if i.value is None else "无区县目标"),
                note=i.note,
            )
        )
    return out


@dataclass(frozen=True)
class Bar:
    """One bar of the ranking chart (SVG user units; the chart is ``BarChart.width`` wide)."""

    scope: str
    name: str
    y: float
    width: float
    label: str  # value, counts and verdict (for screen readers)
    short: str  # value and verdict (drawn)
    status: str
    verdict: str


@dataclass
class BarChart:
    """Scopes ranked by 持证率 (highest first, no data last) with the plan's target line."""

    bars: list[Bar] = field(default_factory=list)
    target: Decimal | None = None
    target_x: float | None = None
    width: float = 660.0
    left: float = 80.0  # room for the district names
    plot: float = 420.0  # 0–100 % across this many units; the values are written after it
    row: float = 30.0

    @property
    def height(self) -> float:
        return 34.0 + self.row * len(self.bars)

    @property
    def label_x(self) -> float:
        return self.left + self.plot + 12

    @property
    def ticks(self) -> list[tuple[float, str]]:
        return [(self.left + self.plot * p / 100, f"{p}%") for p in (0, 25, 50, 75, 100)]


def rate_chart(reports: Sequence[TargetsReport]) -> BarChart:
    """The ranking chart of every scope but the city in ``reports``, by certification rate."""
    chart = BarChart()
    rows = [r for r in reports if r.scope != "city"]

    def rank(r: TargetsReport) -> tuple[int, Decimal, str]:
        v = r.indicator("certification_rate").value
        return (1, Decimal(0), r.scope) if v is None else (0, -v, r.scope)

    for n, r in enumerate(sorted(rows, key=rank)):
        i = r.indicator("certification_rate")
        cell = Cell("", met=i.met)
        chart.target = chart.target if chart.target is not None else i.target
        chart.bars.append(
            Bar(
                scope=r.scope,
                name=r.scope_name,
                y=24.0 + chart.row * n,
                width=0.0 if i.value is None else float(i.value) / 100 * chart.plot,
                label=indicator_text(i) + (f" {cell.verdict}" if cell.verdict else ""),
                short="无数据" if i.value is None else f"{i.value}% {cell.verdict}".strip(),
                status=cell.status,
                verdict=cell.verdict or "无数据",
            )
        )
    if chart.target is not None:
        chart.target_x = chart.left + float(chart.target) / 100 * chart.plot
    return chart


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


_STATES = {"revoked": "已吊销", "suspended": "已暂停", "superseded": "已换发"}


def credential_state(c: Any, today: dt.date) -> str:
    """有效 / 已过期 / 已吊销 / 已暂停 / 已换发 / 未生效 on ``today`` (local date)."""
    if c.status in _STATES and (c.status_changed_on is None or c.status_changed_on <= today):
        return _STATES[c.status]
    if c.issued_on > today:
        return "未生效"
    if c.expires_on is not None and c.expires_on < today:
        return "已过期"
    return "有效"


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
