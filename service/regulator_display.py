"""What the regulator pages show, as pure functions: texts of indicators and targets, table
cells that know whether they meet the target, and the geometry of the server-drawn SVG charts
(a progress bar per indicator, the districts ranked by 持证率 with the target line).

No I/O: everything is computed from :class:`talent_pool.schemas.TargetsReport` rows. Colour is
never the only signal — every cell, gauge and bar carries 达标 / 未达标 / 无数据 in words.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from talent_pool.schemas import IndicatorValue, TargetsReport

INDICATOR_KEYS = ("certification_rate", "trainings_per_practitioner", "person_trainings", "training_bases")


# --------------------------------------------------------------------------- cells and columns


@dataclass(frozen=True)
class Cell:
    """One table cell: ``text`` for the page, ``value`` for the spreadsheet (a number where the
    cell is a number), ``met`` for the met/not-met badge (``None``: no target or no data)."""

    text: str
    value: object = None
    met: bool | None = None
    progress: str | None = None  # on_track | at_risk: a year-to-date figure of a running year

    @property
    def status(self) -> str:
        """``met`` / ``notmet`` / ``nodata`` (a CSS class; the text says it too)."""
        return "nodata" if self.met is None else ("met" if self.met else "notmet")

    @property
    def mark(self) -> str:
        """✓ / ✗, or ⚠ for a running year at risk — beside :attr:`verdict`, never alone."""
        if self.progress is not None:
            return STATUS_MARK[self.progress]
        return "✓" if self.met else "✗"

    @property
    def verdict(self) -> str:
        """达标 / 未达标 / "" — met or not in words, never by colour alone; for a figure that
        accrues through a year still running, 进度正常 / 有未达标风险 (a year-to-date count below
        the full-year target is not 未达标 yet)."""
        if self.progress is not None:
            return STATUS_TEXT[self.progress]
        return "" if self.met is None else ("达标" if self.met else "未达标")


def indicator_cell(i: IndicatorValue, text: str = "", value: object = None) -> Cell:
    """The cell of an indicator's value: met / not met for a level (持证率) or a finished year;
    for an indicator that accrues (培训人次, 人均培训) while its year runs, the verdict is the
    projection's (进度正常 / 有未达标风险, :data:`STATUS_TEXT`), never 未达标 on a part year."""
    if i.accrues and i.status in ("on_track", "at_risk"):
        return Cell(text, value, i.status == "on_track", progress=i.status)
    return Cell(text, value, i.met)


@dataclass(frozen=True)
class Column:
    """A table column: its Chinese header and how a row becomes a :class:`Cell`."""

    key: str
    header: str
    cell: Callable[[Any], Cell]


def number_value(value: Decimal | int | None) -> object:
    """A spreadsheet value: ``int`` for whole numbers, ``float`` for a rounded display value."""
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
    projection: str = ""  # full-year projection as shown ("" where it equals the value)
    progress: str = ""  # on-track / at-risk (or met / not met) with its mark, "" without status


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
        cell = indicator_cell(i)
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
                projection=projection_text(i) if i.accrues and i.projected is not None else "",
                progress="" if i.status is None else status_cell(i).text,
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


# ------------------------------------------------------------------ projection, status, reconciliation

STATUS_TEXT = {"met": "已达标", "not_met": "未达标", "on_track": "进度正常", "at_risk": "有未达标风险"}
"""An indicator's ``status`` (:func:`talent_pool.target_rules.projection_status`) in words:
``on_track`` / ``at_risk`` while the year runs (the full-year projection against the target),
``met`` / ``not_met`` once it is complete."""

STATUS_MARK = {"met": "✓", "not_met": "✗", "on_track": "✓", "at_risk": "⚠"}


def projection_text(i: IndicatorValue) -> str:
    """The full-year projection of an indicator as shown (``"1.25"``, ``"10,400"``, ``"91.3%"``),
    ``"无数据"`` without one."""
    return _fmt(i.key, i.projected)


def status_cell(i: IndicatorValue) -> Cell:
    """The on-track / at-risk cell: mark and words (``"⚠有未达标风险"``), never colour alone;
    ``met`` True for met/on track, False for not met/at risk, None without a target or data."""
    if i.status is None:
        return Cell("—", "—", None)
    text = STATUS_TEXT.get(i.status, i.status)
    return Cell(f"{STATUS_MARK.get(i.status, '')}{text}", text, i.status in ("met", "on_track"))


def reconciliation_text(rec: Any) -> str:
    """Why the districts do not add up to the city (:class:`talent_pool.schemas.Reconciliation`)
    in one Chinese sentence with its numbers, e.g. ``各区县在职人员合计 105 人，其中 3 人在多个
    区县任职、多计 5 人次，全市 100 人；…``."""
    return (
        f"各区县在职人员合计 {rec.districts_employed} 人，其中 {rec.people_in_several_districts} 人"
        f"在多个区县任职、多计 {rec.counted_again} 人次，全市实有 {rec.city_employed} 人；"
        f"各区县培训人次合计 {rec.districts_person_trainings:,}，重复计入 {rec.trainings_counted_again:,}，"
        f"另有 {rec.trainings_without_post:,} 人次属于无在职记录人员（岗前学员、待业等，只计入全市），"
        f"全市培训人次 {rec.city_person_trainings:,}。"
    )


# --------------------------------------------------------------------------- monthly trend (SVG geometry)


@dataclass(frozen=True)
class TrendBar:
    """One month of the trend chart: a bar of ``height`` user units from the baseline at
    ``x`` (its left edge), with the drawn value ``label`` and the status words."""

    month: int
    x: float
    y: float
    height: float
    label: str
    status: str
    verdict: str


@dataclass
class TrendChart:
    """The monthly 持证率 of one scope (the last nightly snapshot of each month) as bars on a
    0–100 % scale, twelve month slots, with the plan's target line (``target_y``)."""

    bars: list[TrendBar] = field(default_factory=list)
    target: Decimal | None = None
    target_y: float | None = None
    width: float = 660.0
    left: float = 44.0
    top: float = 20.0
    plot: float = 180.0  # height of 0–100 %
    slot: float = 50.0  # width of one month

    @property
    def height(self) -> float:
        return self.top + self.plot + 28

    @property
    def baseline(self) -> float:
        return self.top + self.plot

    @property
    def months(self) -> list[tuple[float, str]]:
        return [(self.left + self.slot * (m - 0.5), f"{m}月") for m in range(1, 13)]

    @property
    def ticks(self) -> list[tuple[float, str]]:
        return [(self.top + self.plot * (1 - p / 100), f"{p}%") for p in (0, 50, 100)]


def trend_chart(points: Sequence[Any], key: str = "certification_rate") -> TrendChart:
    """The :class:`TrendChart` of ``points`` (:class:`talent_pool.schemas.TrendPoint`, month
    ``"YYYY-MM"``) for the percentage indicator ``key``; months without a snapshot have no bar,
    a month without data (nobody employed) a zero-height bar labelled 无数据."""
    chart = TrendChart()
    for p in points:
        i = next((x for x in p.indicators if x.key == key), None)
        if i is None:
            continue
        month = int(p.month[5:7])
        height = 0.0 if i.value is None else float(min(i.value, Decimal(100))) / 100 * chart.plot
        cell = Cell("", met=i.met)
        chart.target = chart.target if chart.target is not None else i.target
        chart.bars.append(
            TrendBar(
                month=month,
                x=chart.left + chart.slot * (month - 1) + 8,
                y=chart.baseline - height,
                height=height,
                label="无数据" if i.value is None else f"{i.value}%",
                status=cell.status,
                verdict=cell.verdict or "无数据",
            )
        )
    if chart.target is not None:
        chart.target_y = chart.top + chart.plot * (1 - float(chart.target) / 100)
    return chart
