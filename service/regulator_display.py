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
