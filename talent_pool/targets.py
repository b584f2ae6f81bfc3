"""Target computation: the plan's four talent indicators for a year and a scope.

Definitions (README.md, table "indicator / computed from"):

- *employed practitioners* on the reference date ``d`` — distinct people with a confirmed
  (``active``) employment whose ``start_date <= d`` and (no ``end_date`` or ``end_date >= d``), at
  an employer in the scope; an employer's unconfirmed claim counts nowhere.
- 持证率 certification rate — employed practitioners holding, on ``d``, a *qualifying* credential
  that is issued on or before ``d``, not expired on ``d``, and not revoked, suspended or
  superseded on or before ``d`` ÷ employed practitioners (%, distinct people).
- 人均接受培训次数 — training records completed in the year up to ``d`` by employed practitioners
  ÷ employed practitioners; also reported: the share of them with ≥ 1 training.
- 培训人次 person-trainings — training records completed in the year up to ``d``: all of them
  for the city (pre-job trainees who are not employed yet count too), those of the scope's
  employed practitioners for a district. The plan's target is city-wide.
- 实训基地 training bases — accredited, active bases; passed in by the caller (the training
  package owns bases and feeds the count), city-wide target.

A zero denominator gives ``value=None`` ("no data"), never an error.

The city and every district come from **one** statement (:data:`_TABLE_SQL`): the employed
people of each district and, separately, of the city (a person employed in two districts counts
once in the city), each joined once to the set of people holding a credential on ``d`` and to
their trainings of the year — never a query per scope or per person.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from talent_pool import target_rules as rules
from talent_pool.errors import ValidationFailed
from talent_pool.schemas import IndicatorValue, ShortfallPage, ShortfallPerson, TargetsReport
from talent_pool.tables import Division, Employment, PlanIndicator

CITY = "city"

_EMPLOYED = """
    SELECT DISTINCT e.practitioner AS pid
    FROM tp_employment e JOIN tp_employer r ON r.id = e.employer
    WHERE e.status = 'active' AND e.start_date <= {} AND (e.end_date IS NULL OR e.end_date >= {})
"""


def _employed_cte(district: str | None) -> tuple[str, list[object]]:
    if district is None:
        return _EMPLOYED, []
    return _EMPLOYED + " AND r.district_code = {}", [district]


# The two per-person predicates over the ``employed`` CTE; written once, used by the counts
# (EXISTS) and by the drill-down (NOT EXISTS).
_HOLDS_CREDENTIAL = """EXISTS (
    SELECT 1 FROM tp_credential c
    WHERE c.practitioner = employed.pid AND c.qualifying = {}
      AND c.issued_on <= {}
      AND (c.expires_on IS NULL OR c.expires_on >= {})
      AND NOT (c.status IN ('revoked', 'suspended', 'superseded') AND c.status_changed_on <= {})
)"""
_TRAINED_IN_YEAR = """EXISTS (
    SELECT 1 FROM tp_training_record t
    WHERE t.practitioner = employed.pid AND t.completed_on >= {} AND t.completed_on <= {}
)"""


def _holds_args(as_of: dt.date) -> list[object]:
    return [True, as_of, as_of, as_of]


def _trained_args(year_start: dt.date, as_of: dt.date) -> list[object]:
    return [year_start, as_of]


async def _scalar(sql: str, *args: object) -> int:
    rows = await Employment.raw(sql, *args)
    if not rows:
        return 0
    value = next(iter(rows[0].values()))
    return int(value or 0)


_TABLE_SQL = """
WITH employed AS (
    SELECT DISTINCT e.practitioner AS pid, r.district_code AS district
    FROM tp_employment e JOIN tp_employer r ON r.id = e.employer
    WHERE e.status = 'active' AND e.start_date <= {} AND (e.end_date IS NULL OR e.end_date >= {})
),
people AS (SELECT DISTINCT pid FROM employed),
certified AS (
    SELECT DISTINCT c.practitioner AS pid FROM tp_credential c
    WHERE c.qualifying = TRUE AND c.issued_on <= {}
      AND (c.expires_on IS NULL OR c.expires_on >= {})
      AND NOT (c.status IN ('revoked', 'suspended', 'superseded') AND c.status_changed_on <= {})
),
trained AS (
    SELECT t.practitioner AS pid, COUNT(*) AS n FROM tp_training_record t
    WHERE t.completed_on >= {} AND t.completed_on <= {}
    GROUP BY t.practitioner
)
SELECT 'city' AS scope, COUNT(*) AS employed, COUNT(c.pid) AS certified, COUNT(t.pid) AS trained_people,
       COALESCE(SUM(t.n), 0) AS trainings_of_employed,
       (SELECT COUNT(*) FROM tp_training_record a
        WHERE a.completed_on >= {} AND a.completed_on <= {}) AS person_trainings
FROM people p LEFT JOIN certified c ON c.pid = p.pid LEFT JOIN trained t ON t.pid = p.pid
UNION ALL
SELECT e.district, COUNT(*), COUNT(c.pid), COUNT(t.pid), COALESCE(SUM(t.n), 0), COALESCE(SUM(t.n), 0)
FROM employed e LEFT JOIN certified c ON c.pid = e.pid LEFT JOIN trained t ON t.pid = e.pid
GROUP BY e.district
"""


async def _table_counts(as_of: dt.date, year_start: dt.date) -> dict[str, dict[str, int]]:
    """``{scope: counts}`` for ``"city"`` and every district with employed people, in one
    statement. ``counts``: ``employed``, ``certified``, ``trained_people`` (distinct people),
    ``trainings_of_employed`` and ``person_trainings`` (training records; for the city all
    records of the year, for a district those of its employed people)."""
    args = [as_of, as_of, as_of, as_of, as_of, year_start, as_of, year_start, as_of]
    rows = await Employment.raw(_TABLE_SQL, *args)
    return {row["scope"]: {k: int(v or 0) for k, v in row.items() if k != "scope"} for row in rows}


def _as_of(year: int, today: dt.date) -> dt.date:
    try:
        return rules.reference_date(year, today)
    except ValueError as exc:
        raise ValidationFailed(str(exc)) from None


async def _resolve_scope(scope: str) -> tuple[str, str | None]:
    """``(scope name, district code or None for the city)``; ValidationFailed for an unknown scope."""
    if scope == CITY:
        city = await Division.objects().get(Division.level == "city")
        return (city.name if city else "全市"), None
    div = await Division.objects().get((Division.code == scope) & (Division.level == "district"))
    if div is None:
        raise ValidationFailed(f"范围 {scope} 不是本市区县代码")
    return div.name, scope


_EMPTY = {
    "employed": 0,
    "certified": 0,
    "trained_people": 0,
    "trainings_of_employed": 0,
    "person_trainings": 0,
}
_NO_DATA = "无在职从业人员数据"


def _report(
    year: int,
    as_of: dt.date,
    scope: str,
    scope_name: str,
    counts: dict[str, int],
    plan: dict[str, dict[str, Any]],
    training_bases: int | None,
) -> TargetsReport:
    """One scope's indicators from its counts and the plan table (pure; exact comparisons)."""
    district = None if scope == CITY else scope
    employed = counts["employed"]

    def indicator(
        key: str,
        *,
        city_only: bool,
        value: Decimal | None,
        numerator: int | None,
        denominator: int | None,
        met: Callable[[str, Decimal], bool | None],
        note: str = "",
    ) -> IndicatorValue:
        p = plan.get(key)
        op = p["op"] if p else ">="
        target = None if p is None or (city_only and district is not None) else Decimal(p["target"])
        return IndicatorValue(
            key=key,
            name=p["name"] if p else key,
            unit=p["unit"] if p else "",
            value=value,
            numerator=numerator,
            denominator=denominator,
            target=target,
            op=op,
            kind=p["kind"] if p else "",
            met=None if target is None else met(op, target),
            note=note,
        )

    certified, trained = counts["certified"], counts["trainings_of_employed"]
    person_trainings = Decimal(counts["person_trainings"])
    bases = None if training_bases is None else Decimal(training_bases)
    share = rules.percent(counts["trained_people"], employed)
    indicators = [
        indicator(
            "certification_rate",
            city_only=False,
            value=rules.percent(certified, employed),
            numerator=certified,
            denominator=employed,
            met=lambda op, t: rules.rate_met(op, certified, employed, t),
            note="" if employed else _NO_DATA,
        ),
        indicator(
            "trainings_per_practitioner",
            city_only=False,
            value=rules.per_person(trained, employed),
            numerator=trained,
            denominator=employed,
            met=lambda op, t: rules.ratio_met(op, trained, employed, t),
            note=f"至少培训1次的在职人员占比 {share}%（{counts['trained_people']}/{employed}）"
            if employed
            else _NO_DATA,
        ),
        indicator(
            "person_trainings",
            city_only=True,
            value=person_trainings,
            numerator=counts["person_trainings"],
            denominator=None,
            met=lambda op, t: rules.compare(op, person_trainings, t),
            note="" if district is None else "区县为本区县在职人员的培训人次；规划目标为全市口径",
        ),
        indicator(
            "training_bases",
            city_only=True,
            value=bases,
            numerator=training_bases,
            denominator=None,
            met=lambda op, t: None if bases is None else rules.compare(op, bases, t),
            note="" if district is None else "规划目标为全市口径",
        ),
    ]
    return TargetsReport(
        year=year,
        as_of=as_of,
        scope=scope,
        scope_name=scope_name,
        employed_practitioners=employed,
        indicators=indicators,
    )


async def compute_targets_table(
    year: int,
    *,
    today: dt.date,
    training_bases: Mapping[str, int] | None = None,
    scopes: Sequence[str] | None = None,
) -> list[TargetsReport]:
    """The four talent indicators for ``year`` as of ``today`` for the city and every current
    district (in code order), or only for ``scopes`` (``"city"`` and/or district codes) — all of
    them from one statement (:data:`_TABLE_SQL`) plus the plan and division tables.

    ``today`` is the local business date and fixes the reference date (31 Dec, or today in the
    current year). ``training_bases`` maps ``"city"`` and district codes to the number of
    accredited active bases (missing → "no data"). Raises :class:`ValidationFailed` for an
    unknown scope or a future year.
    """
    as_of = _as_of(year, today)
    divisions = await (
        Division.select(Division.code, Division.name, Division.level)
        .where(Division.level.is_in(["city", "district"]))
        .order_by(Division.code)
    )
    names = {CITY if d["level"] == "city" else d["code"]: d["name"] for d in divisions}
    names.setdefault(CITY, "全市")
    wanted = list(scopes) if scopes is not None else [CITY] + [c for c in names if c != CITY]
    unknown = [s for s in wanted if s not in names]
    if unknown:
        raise ValidationFailed(f"范围 {unknown[0]} 不是本市区县代码")
    counts = await _table_counts(as_of, dt.date(year, 1, 1))
    plan = {p["key"]: p for p in await PlanIndicator.select().where(PlanIndicator.in_scope == True)}  # noqa: E712
    bases = training_bases or {}
    return [_report(year, as_of, s, names[s], counts.get(s, _EMPTY), plan, bases.get(s)) for s in wanted]


async def compute_targets(
    year: int,
    *,
    today: dt.date,
    scope: str = CITY,
    training_bases: int | None = None,
) -> TargetsReport:
    """:func:`compute_targets_table` for one scope (``"city"`` or a current district code);
    ``training_bases`` is the number of accredited active bases in it (``None`` → "no data").
    Raises :class:`ValidationFailed` for an unknown scope or a future year."""
    bases = None if training_bases is None else {scope: training_bases}
    (report,) = await compute_targets_table(year, today=today, training_bases=bases, scopes=[scope])
    return report


SHORTFALL_INDICATORS = ("certification_rate", "trainings_per_practitioner")


async def shortfall(
    indicator: str,
    year: int,
    *,
    today: dt.date,
    scope: str = CITY,
    limit: int = 100,
    offset: int = 0,
) -> ShortfallPage:
    """Drill-down: the employed practitioners in ``scope`` who pull ``indicator`` down in ``year``.

    ``certification_rate`` → employed on the reference date without a qualifying valid credential;
    ``trainings_per_practitioner`` → employed without any training completed in the year so far.
    One row per person and employment in the scope (a person working for two employers appears
    under each, every row naming its own employer), ordered by district, employer, name;
    ``total`` counts the rows, ``people_total`` the distinct people, ``people`` is one page.
    Raises :class:`ValidationFailed` for another indicator, an unknown scope or a future year.
    """
    if indicator not in SHORTFALL_INDICATORS:
        raise ValidationFailed(f"指标 {indicator} 不支持下钻（可用：{'、'.join(SHORTFALL_INDICATORS)}）")
    as_of = _as_of(year, today)
    _, district = await _resolve_scope(scope)
    employed_sql, extra = _employed_cte(district)
    cte_args: list[object] = [as_of, as_of, *extra]
    if indicator == "certification_rate":
        where, where_args = f"NOT {_HOLDS_CREDENTIAL}", _holds_args(as_of)
    else:
        where, where_args = f"NOT {_TRAINED_IN_YEAR}", _trained_args(dt.date(year, 1, 1), as_of)
    base = f"WITH employed AS ({employed_sql}) "
    in_scope = "" if district is None else " AND r.district_code = {}"
    scope_args: list[object] = [] if district is None else [district]
    rows_sql = f"""
        FROM employed
        JOIN tp_practitioner p ON p.id = employed.pid
        JOIN tp_employment e ON e.practitioner = p.id AND e.status = 'active'
             AND e.start_date <= {{}} AND (e.end_date IS NULL OR e.end_date >= {{}})
        JOIN tp_employer r ON r.id = e.employer{in_scope}
        WHERE {where}
    """
    args = [*cte_args, as_of, as_of, *scope_args, *where_args]
    counted = await Employment.raw(
        base + f"SELECT COUNT(*) AS n, COUNT(DISTINCT p.id) AS people {rows_sql}", *args
    )
    total, people_total = (int(counted[0]["n"] or 0), int(counted[0]["people"] or 0)) if counted else (0, 0)
    rows = await Employment.raw(
        base
        + f"""
        SELECT p.id AS practitioner_id, p.name, p.id_number, p.phone, e.id AS employment_id,
               r.id AS employer_id, r.name AS employer_name, r.district_code
        {rows_sql}
        ORDER BY r.district_code, r.name, p.name, p.id, e.id
        LIMIT {{}} OFFSET {{}}
        """,
        *args,
        limit,
        offset,
    )
    return ShortfallPage(
        indicator=indicator,
        year=year,
        as_of=as_of,
        scope=scope,
        total=total,
        people_total=people_total,
        people=[ShortfallPerson(**r) for r in rows],
    )
