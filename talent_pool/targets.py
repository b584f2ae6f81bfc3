"""The plan's talent indicators for any date or year and any scope.

What is counted (employed, certified, trainings…) is defined in :mod:`talent_pool._target_counts`;
how an indicator is computed from those counts is **data**: the ``formula`` of each in-scope
indicator in the plan file (``reference_data/plan_indicators_<end year>.json``; a later plan is
another file, chosen by the year — :func:`talent_pool.reference.plan_for_year`). The 2021–2025
plan (济发改社会〔2021〕239号):

- 持证率 = certified ÷ employed (%), target ≥ 90 %;
- 人均接受培训次数 = 培训人次 ÷ 从业人员 (person-trainings ÷ employed), ≥ 1 per year, with the share
  of employed people trained at least once shown beside it;
- 培训人次 = training records of the year, ≥ 1 万人次 per year, city-wide target;
- 实训基地 = bases accredited and not withdrawn on the reference date, ≥ 10, city-wide target
  (the training package owns bases and passes the counts in).

Scopes: ``"city"``, a district code, ``"zone:<code>"`` (a functional zone: the streets it
manages), ``"street:<code>"``, ``"employer:<id>"``. All scopes of one call come from one
statement. Year-to-date figures carry a full-year projection and a status (``on_track`` /
``at_risk``; ``met`` / ``not_met`` once the year is complete) — the projection rule is
:func:`talent_pool.target_rules.projection_status`. A zero denominator gives ``value=None``
("no data"), never an error. The city report explains what the districts do not add up to
(:class:`~talent_pool.schemas.Reconciliation`).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from talent_pool import reference
from talent_pool import target_rules as rules
from talent_pool._target_counts import ALL_TRAININGS, LEVELS, MULTI, scope_counts
from talent_pool._target_lists import BY_INDICATOR, drill_down
from talent_pool.db import fetch_rows, read_concurrently
from talent_pool.errors import ValidationFailed
from talent_pool.schemas import IndicatorValue, Reconciliation, ShareValue, ShortfallPage, TargetsReport
from talent_pool.tables import Division, Employer, PlanIndicator

CITY = "city"
_MAX_ID = 2**31 - 1  # PostgreSQL's integer: the largest employer id there can be
_NO_DATA = "无在职从业人员数据"
_MEASURE_NAMES = {
    "employed": "从业人员",
    "certified": "持证从业人员",
    "person_trainings": "培训人次",
    "trainings_of_employed": "从业人员培训人次",
    "trained_people": "至少培训1次的从业人员",
    "training_bases": "实训基地",
}


@dataclass(frozen=True)
class Scope:
    """A resolved scope: ``key`` as in the API, its ``level`` and display ``name``."""

    key: str
    level: str
    name: str


def scope_level(key: str) -> str:
    """The level of a scope key (``city`` / ``district`` / ``zone`` / ``street`` / ``employer``);
    raises :class:`ValidationFailed` for a malformed key."""
    if key == CITY:
        return CITY
    prefix, sep, rest = key.partition(":")
    if sep and prefix in ("zone", "street", "employer") and rest:
        # an id of the table's integer key: ASCII digits ("²" is a digit to Python), at most 2³¹−1
        if prefix == "employer" and not (
            rest.isascii() and rest.isdigit() and len(rest) <= 10 and int(rest) <= _MAX_ID
        ):
            raise ValidationFailed(f"范围 {key} 不是有效的机构范围")
        return prefix
    if key.isascii() and key.isdigit() and len(key) == 6:
        return "district"
    raise ValidationFailed(f"范围 {key} 无效（可用：city、区县代码、zone:代码、street:代码、employer:编号）")


def reference_date(year: int | None, today: dt.date, as_of: dt.date | None = None) -> dt.date:
    """The date figures are taken at: ``as_of`` when given (not after ``today``; its year must be
    ``year`` when both are given), else 31 December of ``year`` or ``today`` in the current year.
    Raises :class:`ValidationFailed`."""
    if as_of is not None:
        if as_of > today:
            raise ValidationFailed(f"日期 {as_of} 晚于今天 {today}")
        if year is not None and year != as_of.year:
            raise ValidationFailed(f"日期 {as_of} 不在 {year} 年内")
        return as_of
    try:
        return rules.reference_date(year if year is not None else today.year, today)
    except ValueError as exc:
        raise ValidationFailed(str(exc)) from None


# the dashboard's small reads, prepared once per pooled connection (talent_pool.db.fetch_rows)
_DIVISIONS = (
    "SELECT code, name, level FROM tp_division"
    " WHERE level IN ('city', 'district', 'functional_zone', 'street')"
)
_PLAN_TARGETS = "SELECT key, target, op FROM tp_plan_indicator WHERE plan = {}"
_TARGET_PLACES = Decimal("0.01")  # tp_plan_indicator.target: NUMERIC(12, 2)


def _asked(scopes: Sequence[str] | None, levels: Sequence[str] | None) -> tuple[list[str], dict[str, str]]:
    """``(levels wanted, {scope key: its level})`` of a request, as :func:`resolve_scopes` reads
    it, before any lookup; raises :class:`ValidationFailed` for an unknown level or a malformed
    scope key."""
    wanted_levels = list(levels or ([] if scopes else [CITY, "district"]))
    bad = [lv for lv in wanted_levels if lv not in LEVELS]
    if bad:
        raise ValidationFailed(f"层级 {bad[0]} 无效（可用：{'、'.join(LEVELS)}）")
    return wanted_levels, {k: scope_level(k) for k in dict.fromkeys(scopes or [])}


async def resolve_scopes(scopes: Sequence[str] | None, levels: Sequence[str] | None) -> list[Scope]:
    """The scopes asked for — explicit ``scopes`` keys, and/or every scope of the families in
    ``levels`` — with their names, in the order city, districts, zones, streets, employers (code
    order inside). Default (both None): the city and every district. Raises
    :class:`ValidationFailed` for an unknown level or scope."""
    wanted_levels, by_level = _asked(scopes, levels)
    keys = list(by_level)
    divisions = await fetch_rows(Division, _DIVISIONS)
    names: dict[str, tuple[str, str]] = {}
    for d in divisions:
        level = {"functional_zone": "zone", "city": CITY}.get(d["level"], d["level"])
        key = CITY if level == CITY else (d["code"] if level == "district" else f"{level}:{d['code']}")
        names[key] = (level, d["name"])
    names.setdefault(CITY, (CITY, "全市"))
    employer_ids = [int(k.split(":", 1)[1]) for k, lv in by_level.items() if lv == "employer"]
    want_all_employers = "employer" in wanted_levels
    if employer_ids or want_all_employers:
        query = Employer.select(Employer.id, Employer.name)
        if not want_all_employers:
            query = query.where(Employer.id.is_in(employer_ids))
        for e in await query:
            names[f"employer:{e['id']}"] = ("employer", e["name"])
    unknown = [k for k in keys if k not in names]
    if unknown:
        raise ValidationFailed(f"范围 {unknown[0]} 不存在")
    chosen = set(keys) | {k for k, (lv, _) in names.items() if lv in wanted_levels}
    order = {lv: i for i, lv in enumerate(LEVELS)}

    def sort_key(k: str) -> tuple[int, int, str]:
        rest = k.split(":", 1)[-1]
        return order[names[k][0]], int(rest) if rest.isdigit() and names[k][0] == "employer" else 0, rest

    return [Scope(k, names[k][0], names[k][1]) for k in sorted(chosen, key=sort_key)]


async def _plan(year: int) -> tuple[str, list[dict[str, Any]]]:
    """``(plan name, in-scope indicators)`` for ``year``: formulas from the plan file, targets
    from ``tp_plan_indicator`` when it holds that plan (a regulator may have edited a target)."""
    doc = reference.plan_for_year(year)
    stored = {p["key"]: p for p in await fetch_rows(PlanIndicator, _PLAN_TARGETS, doc["plan"])}
    out = []
    for ind in doc["indicators"]:
        if not ind.get("in_scope") or "formula" not in ind:
            continue
        target, unit = reference.indicator_target(ind)
        row = stored.get(ind["key"])
        if row is not None:
            target, op = Decimal(row["target"]), row["op"]
        else:
            op = ind["op"]
        # as stored (NUMERIC(12, 2)) on every engine: SQLite gave back "90" where PostgreSQL "90.00"
        out.append({**ind, "target": target.quantize(_TARGET_PLACES), "unit": unit, "op": op})
    return doc["plan"], out


def _measures(
    counts: Mapping[str, int], *, city: bool, all_trainings: int, bases: int | None
) -> dict[str, int | None]:
    return {
        "employed": counts["employed"],
        "certified": counts["certified"],
        "trained_people": counts["trained_people"],
        "trainings_of_employed": counts["trainings_of_employed"],
        "person_trainings": all_trainings if city else counts["trainings_of_employed"],
        "training_bases": bases,
    }


def _formula_text(f: Mapping[str, Any]) -> str:
    num = _MEASURE_NAMES.get(f["numerator"], f["numerator"])
    if not f.get("denominator"):
        return num
    text = f"{num} ÷ {_MEASURE_NAMES.get(f['denominator'], f['denominator'])}"
    return text + " × 100%" if f.get("display") == "percent" else text


def _value(display: str, numerator: int | None, denominator: int | None) -> Decimal | None:
    if numerator is None:
        return None
    if denominator is None:
        return Decimal(numerator)
    if display == "percent":
        return rules.percent(numerator, denominator)
    return rules.per_person(numerator, denominator)


@dataclass(frozen=True, eq=False)
class _Rule:
    """One in-scope indicator of the plan (an entry of :func:`_plan`) as :func:`_indicator_value`
    reads it. Interned (:func:`_rule_of`): one object per distinct content, compared and hashed
    by identity, so it is a cheap part of the memo's key."""

    key: str
    name: str
    unit: str
    kind: str
    op: str
    target: Decimal
    numerator: str
    denominator: str | None
    display: str
    accrues: bool
    city_target_only: bool  # ``target_scope: city``: no target below the city
    beside: tuple[str, str, str, str, str] | None  # key, name, numerator, denominator, display
    formula: str
    notes_below_city: tuple[str, ...]  # the notes of any scope smaller than the city


def _rule_of(ind: Mapping[str, Any]) -> _Rule:
    """The interned :class:`_Rule` of a plan indicator (``ind``: an entry of :func:`_plan`)."""
    f = ind["formula"]
    b = f.get("beside")
    return _interned_rule(
        ind["key"],
        ind["name"],
        ind["unit"],
        ind["kind"],
        ind["op"],
        str(Decimal(ind["target"])),  # "90" and "90.00" are equal, but answer differently
        f["numerator"],
        f.get("denominator") or None,
        f.get("display", "count"),
        bool(f.get("accrues")),
        f.get("target_scope", "any"),
        None
        if b is None
        else (b["key"], b["name"], b["numerator"], b["denominator"], b.get("display", "percent")),
    )


@functools.lru_cache(maxsize=64)
def _interned_rule(
    key: str,
    name: str,
    unit: str,
    kind: str,
    op: str,
    target: str,
    numerator: str,
    denominator: str | None,
    display: str,
    accrues: bool,
    target_scope: str,
    beside: tuple[str, str, str, str, str] | None,
) -> _Rule:
    formula = {"numerator": numerator, "denominator": denominator, "display": display}
    return _Rule(
        key=key,
        name=name,
        unit=unit,
        kind=kind,
        op=op,
        target=Decimal(target),
        numerator=numerator,
        denominator=denominator,
        display=display,
        accrues=accrues,
        city_target_only=target_scope != "any",
        beside=beside,
        formula=_formula_text(formula),
        notes_below_city=(
            *(["规划目标为全市口径"] if target_scope == "city" else []),
            *(["本范围为其在职人员的培训人次"] if numerator == "person_trainings" else []),
        ),
    )


def _indicator(rule: _Rule, m: Mapping[str, int | None], scope: Scope, as_of: dt.date) -> IndicatorValue:
    """One indicator of one scope from its formula and the scope's measures ``m``."""
    b = rule.beside
    return _indicator_value(
        rule,
        m[rule.numerator],
        m[rule.denominator] if rule.denominator else None,
        m["employed"] == 0,
        (m[b[2]] or 0) if b else 0,
        (m[b[3]] or 0) if b else 0,
        scope.level == CITY,
        as_of,
    )


@functools.lru_cache(maxsize=4096)
def _indicator_value(
    rule: _Rule,
    numerator: int | None,
    denominator: int | None,
    no_one_employed: bool,
    beside_numerator: int,
    beside_denominator: int,
    city: bool,
    as_of: dt.date,
) -> IndicatorValue:
    """One indicator from its inputs (pure; exact comparisons). Memoised: the answer is fully
    determined by the arguments, and a dashboard asked again mostly asks the same 720
    (180 scopes × 4 indicators) — building them was the largest part of the answer's own time
    (2.7 ms of the 1× Jinan dashboard, 2026-11-30). The values are frozen models, shared."""
    display, accrues = rule.display, rule.accrues
    value = _value(display, numerator, denominator)
    target = rule.target if city or not rule.city_target_only else None
    op = rule.op
    met: bool | None = None
    status: str | None = None
    projected: Decimal | None = None
    if numerator is not None and denominator != 0:
        projected = rules.project(numerator, as_of, denominator) if accrues else value
        if target is not None:
            if denominator is None:
                met = rules.compare(op, Decimal(numerator), target)
            elif display == "percent":
                met = rules.rate_met(op, numerator, denominator, target)
            else:
                met = rules.ratio_met(op, numerator, denominator, target)
            status = rules.projection_status(
                op, numerator, denominator, target, as_of, accrues=accrues, percent=display == "percent"
            )
    notes = [_NO_DATA] if no_one_employed and denominator == 0 else []
    if not city:
        notes.extend(rule.notes_below_city)
    beside = None
    if rule.beside is not None:
        key, name, _, _, beside_display = rule.beside
        bn, bd = beside_numerator, beside_denominator
        beside = ShareValue(
            key=key, name=name, value=_value(beside_display, bn, bd), numerator=bn, denominator=bd
        )
        if bd:
            notes.append(f"{name} {beside.value}%（{bn}/{bd}）")
    # validated from a dict: a third quicker than keyword arguments (a cold dashboard builds 720)
    return IndicatorValue.model_validate(
        {
            "key": rule.key,
            "name": rule.name,
            "unit": rule.unit,
            "value": value,
            "numerator": numerator,
            "denominator": denominator,
            "target": target,
            "op": op,
            "kind": rule.kind,
            "met": met,
            "note": "；".join(notes),
            "formula": rule.formula,
            "accrues": accrues,
            "projected": projected,
            "status": status,
            "beside": beside,
        }
    )


_EMPTY = dict.fromkeys(("employed", "certified", "trained_people", "trainings_of_employed"), 0)


def _reconciliation(counts: Mapping[str, Mapping[str, int]]) -> Reconciliation:
    districts = [c for k, c in counts.items() if k.isdigit()]
    city = counts.get(CITY, _EMPTY)
    all_trainings = counts.get(ALL_TRAININGS, _EMPTY)["employed"]
    d_employed = sum(c["employed"] for c in districts)
    d_trainings = sum(c["trainings_of_employed"] for c in districts)
    return Reconciliation(
        city_employed=city["employed"],
        districts_employed=d_employed,
        people_in_several_districts=counts.get(MULTI, _EMPTY)["employed"],
        counted_again=d_employed - city["employed"],
        city_person_trainings=all_trainings,
        districts_person_trainings=d_trainings,
        trainings_counted_again=d_trainings - city["trainings_of_employed"],
        trainings_without_post=all_trainings - city["trainings_of_employed"],
        note=(
            "各区县合计 − 在多个区县任职者的重复计数 = 全市从业人员；"
            "各区县培训人次合计 − 重复计数 + 无在职记录人员（岗前学员等）的培训人次 = 全市培训人次"
        ),
    )


async def _bases(
    ref: dt.date,
    given: Mapping[str, int] | None,
    count: Callable[[dt.date], Awaitable[Mapping[str, int]]] | None,
) -> Mapping[str, int]:
    return await count(ref) if count is not None else (given or {})


async def compute_targets_table(
    year: int | None = None,
    *,
    today: dt.date,
    as_of: dt.date | None = None,
    training_bases: Mapping[str, int] | None = None,
    count_bases: Callable[[dt.date], Awaitable[Mapping[str, int]]] | None = None,
    scopes: Sequence[str] | None = None,
    levels: Sequence[str] | None = None,
) -> list[TargetsReport]:
    """The plan's talent indicators on a reference date for many scopes, from one statement.

    ``today`` is the local business date; the reference date is ``as_of`` (a local date, not
    after ``today``) or 31 December of ``year`` (``today`` in the current year). ``scopes``:
    explicit scope keys; ``levels``: whole families (``city``, ``district``, ``zone``,
    ``street``, ``employer``); neither → the city and every district. ``training_bases`` maps
    ``"city"`` and district codes to the bases accredited and not withdrawn on the reference
    date (missing → "no data"); or ``count_bases``, called with the reference date, returns
    them (read while the statement runs) — it counts every base, so a district it does not name
    has none (0). Raises :class:`ValidationFailed` for an unknown scope
    or level, a future year or date.
    """
    ref = reference_date(year, today, as_of)
    wanted_levels, by_level = _asked(scopes, levels)
    families = set(wanted_levels) | set(by_level.values())
    if CITY in families:
        families.add("district")  # the reconciliation needs the districts
    employers = (
        []
        if "employer" in wanted_levels
        else [int(k.split(":")[1]) for k, level in by_level.items() if level == "employer"]
    )
    # the scope names and the plan are read while the statement runs
    chosen, counts, (plan_name, indicators), bases = await read_concurrently(
        resolve_scopes(scopes, levels),
        scope_counts(ref, families, employers),
        _plan(ref.year),
        _bases(ref, training_bases, count_bases),
    )
    plan_rules = [_rule_of(ind) for ind in indicators]
    all_trainings = counts.get(ALL_TRAININGS, _EMPTY)["employed"]
    out = []
    for s in chosen:
        c = counts.get(s.key, _EMPTY)
        # counted (count_bases): a district none of the bases is in has none, a known 0
        known = 0 if count_bases is not None and s.level in (CITY, "district") else None
        m = _measures(c, city=s.level == CITY, all_trainings=all_trainings, bases=bases.get(s.key, known))
        out.append(
            TargetsReport(
                year=ref.year,
                as_of=ref,
                scope=s.key,
                scope_name=s.name,
                level=s.level,
                plan=plan_name,
                employed_practitioners=c["employed"],
                indicators=[_indicator(rule, m, s, ref) for rule in plan_rules],
                reconciliation=_reconciliation(counts) if s.level == CITY else None,
            )
        )
    return out


async def compute_targets(
    year: int,
    *,
    today: dt.date,
    scope: str = CITY,
    training_bases: int | None = None,
) -> TargetsReport:
    """:func:`compute_targets_table` for one scope; ``training_bases`` is the number of bases
    counted in it (``None`` → "no data"). Raises :class:`ValidationFailed` for an unknown scope
    or a future year."""
    bases = None if training_bases is None else {scope: training_bases}
    (report,) = await compute_targets_table(year, today=today, training_bases=bases, scopes=[scope])
    return report


async def drill_down_list(
    list_name: str,
    year: int | None,
    *,
    today: dt.date,
    as_of: dt.date | None = None,
    scope: str = CITY,
    limit: int = 100,
    offset: int = 0,
) -> ShortfallPage:
    """A drill-down list (:data:`talent_pool._target_lists.DRILL_DOWNS`: ``uncertified``,
    ``untrained``, ``expiring``, and lists registered by other packages) for ``scope`` on the
    reference date (as :func:`compute_targets_table`): one row per person and employment.
    Raises :class:`ValidationFailed` for an unknown list or scope, a future year or date."""
    ref = reference_date(year, today, as_of)
    await resolve_scopes([scope], [])
    return await drill_down(list_name, scope, ref, limit=limit, offset=offset)


SHORTFALL_INDICATORS = tuple(BY_INDICATOR)


async def shortfall(
    indicator: str,
    year: int,
    *,
    today: dt.date,
    scope: str = CITY,
    limit: int = 100,
    offset: int = 0,
) -> ShortfallPage:
    """The drill-down behind ``indicator``: ``certification_rate`` → ``uncertified``,
    ``trainings_per_practitioner`` → ``untrained`` (see :func:`drill_down_list`); the page's
    ``indicator`` is the indicator asked for. Raises :class:`ValidationFailed` for another
    indicator, an unknown scope or a future year."""
    if indicator not in BY_INDICATOR:
        raise ValidationFailed(f"指标 {indicator} 不支持下钻（可用：{'、'.join(SHORTFALL_INDICATORS)}）")
    page = await drill_down_list(
        BY_INDICATOR[indicator], year, today=today, scope=scope, limit=limit, offset=offset
    )
    return page.model_copy(update={"indicator": indicator})


async def scopes_within_district(
    district: str, scopes: Sequence[str] | None, levels: Sequence[str] | None
) -> list[str] | None:
    """For a district regulator: the scope keys of ``scopes``/``levels`` restricted to
    ``district`` — the district itself (for ``city``/``district``), its streets, its employers —
    or ``None`` when something asked lies outside it (a zone, another district, the city, a
    street or employer elsewhere). Neither given → the district."""
    if not scopes and not levels:
        return [district]
    out: list[str] = []
    for level in levels or []:
        if level in (CITY, "district"):
            out.append(district)
        elif level == "street":
            rows = await Division.select(Division.code).where(
                (Division.level == "street") & (Division.parent_code == district)
            )
            out.extend(f"street:{r['code']}" for r in rows)
        elif level == "employer":
            rows = await Employer.select(Employer.id).where(Employer.district_code == district)
            out.extend(f"employer:{r['id']}" for r in rows)
        else:
            return None
    for key in scopes or []:
        level = scope_level(key)
        code = key.split(":", 1)[-1]
        if level == "district" and key == district:
            ok = True
        elif level == "street":
            ok = await Division.exists().where(
                (Division.code == code) & (Division.level == "street") & (Division.parent_code == district)
            )
        elif level == "employer":
            ok = await Employer.exists().where(
                (Employer.id == int(code)) & (Employer.district_code == district)
            )
        else:
            ok = False
        if not ok:
            return None
        out.append(key)
    return list(dict.fromkeys(out))
