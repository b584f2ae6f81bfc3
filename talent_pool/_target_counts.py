"""The counts behind the plan's talent indicators, for many scopes in one set-based statement.

Definitions on the reference date ``d`` (a local date) of year ``y``:

- a *post* — a confirmed (``status = 'active'``) employment covering ``d`` (``start_date <= d``,
  no ``end_date`` or ``end_date >= d``); its scope is the employer's district, street (when
  known), the functional zone managing that street, and the employer itself;
- *employed* (从业人员) — distinct people with a post in the scope (a person with posts in two
  districts counts once for the city and once in each district);
- *certified* — employed people holding on ``d`` a qualifying credential issued on or before
  ``d``, not expired on ``d`` and not revoked, suspended or superseded on or before ``d``
  (several credentials count once);
- *trainings of employed* — training records completed from 1 January ``y`` to ``d`` (local
  dates) by the scope's employed people; *trained people* — those with at least one;
- *person-trainings* (培训人次) — for the city **every** training record of the year up to ``d``
  (pre-job trainees not employed yet count too); for a smaller scope the trainings of its
  employed people.

How (both engines; docs/architecture.md, "Targets"): the credential and training facts are
folded into one row per person (one ``GROUP BY`` over a ``UNION ALL``), joined once to the posts;
the posts are folded once more per person (``people``: the city's rows, and whether the person
has posts in more than one district). Each scope *family* (city, district, zone, street,
employer) is one aggregate branch of a ``UNION ALL`` — over ``people`` for the city, over the
distinct (scope, person) rows for the others (two posts in one scope count once) — never a
computation per scope. The row ``#multi`` counts the people with posts in more than one district
and ``#all`` every training record of the year (the city's person-trainings).

Measured on the 1× Jinan bench data (``bench/``, 2026-11-30, each run beside the bench's
hand-written statement): the earlier shape — a ``SELECT DISTINCT`` over every post for the city,
a sorted ``COUNT(DISTINCT district)`` for ``#multi``, one ``GROUP BY scope`` over all branches —
took 1.14× the hand-written statement's time (median of 55 alternating runs); this one 0.88×.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence

from talent_pool.db import fetch_rows
from talent_pool.tables import Employment

LEVELS = ("city", "district", "zone", "street", "employer")
MULTI = "#multi"
ALL_TRAININGS = "#all"
FIELDS = ("employed", "certified", "trained_people", "trainings_of_employed")

_HEAD = """
WITH posts AS (
    SELECT e.practitioner AS pid, r.id AS employer, r.district_code AS district,
           r.street_code AS street, s.zone_code AS zone
    FROM tp_employment e
    JOIN tp_employer r ON r.id = e.employer
    LEFT JOIN tp_division s ON s.code = r.street_code
    WHERE e.status = 'active' AND e.start_date <= {} AND (e.end_date IS NULL OR e.end_date >= {})
),
facts AS (
    SELECT c.practitioner AS pid, 1 AS cert, 0 AS n FROM tp_credential c
    WHERE c.qualifying = {} AND c.issued_on <= {}
      AND (c.expires_on IS NULL OR c.expires_on >= {})
      AND NOT (c.status IN ('revoked', 'suspended', 'superseded')
               AND (c.status_changed_on IS NULL OR c.status_changed_on <= {}))
    UNION ALL
    SELECT t.practitioner, 0, 1 FROM tp_training_record t
    WHERE t.completed_on >= {} AND t.completed_on <= {}
),
per_person AS (SELECT pid, MAX(cert) AS cert, SUM(n) AS n FROM facts GROUP BY pid),
pp AS (
    SELECT p.pid, p.employer, p.district, p.street, p.zone,
           COALESCE(f.cert, 0) AS cert, COALESCE(f.n, 0) AS n
    FROM posts p LEFT JOIN per_person f ON f.pid = p.pid
),
people AS (
    SELECT pid, MAX(cert) AS cert, MAX(n) AS n, MIN(district) <> MAX(district) AS several
    FROM pp GROUP BY pid
)
{branches}
UNION ALL
SELECT '#all', COUNT(*), 0, 0, 0 FROM tp_training_record a
WHERE a.completed_on >= {} AND a.completed_on <= {}
"""

_COUNTS = (
    "COUNT(*) AS employed, SUM(cert) AS certified,"
    " SUM(CASE WHEN n > 0 THEN 1 ELSE 0 END) AS trained_people, SUM(n) AS trainings_of_employed"
)


def _family(key: str, column: str, where: str = "") -> str:
    """One family's branch: each person once per scope (``DISTINCT``: two posts in one scope),
    counted per scope (``key``: the scope key's SQL)."""
    return (
        f"SELECT {key} AS scope, {_COUNTS} FROM (SELECT DISTINCT {column}, pid, cert, n FROM pp{where}) f"
        f" GROUP BY {column}"
    )


_BRANCH = {
    "city": f"SELECT 'city' AS scope, {_COUNTS} FROM people",
    "district": _family("district", "district"),
    "zone": _family("'zone:' || zone", "zone", " WHERE zone IS NOT NULL"),
    "street": _family("'street:' || street", "street", " WHERE street IS NOT NULL"),
    # one person may hold two employments at one employer
    "employer": _family("'employer:' || CAST(employer AS VARCHAR(12))", "employer", "{where}"),
    MULTI: f"SELECT '#multi' AS scope, {_COUNTS} FROM people WHERE several",
}


def statement(levels: Collection[str], employers: Sequence[int] = ()) -> str:
    """The SQL (Piccolo ``{}`` placeholders, see :func:`arguments`) for the scope families
    ``levels`` (a subset of :data:`LEVELS`) plus the ``#multi`` and ``#all`` rows; ``employers``
    limits the employer family to those ids (empty: every employer, when ``"employer"`` is asked)."""
    branches = []
    for level in (*LEVELS, MULTI):
        if level != MULTI and level not in levels:
            continue
        sql = _BRANCH[level]
        where = ""
        if level == "employer" and employers:
            where = " WHERE employer IN (" + ", ".join(str(int(e)) for e in employers) + ")"
        branches.append(sql.replace("{where}", where))
    return _HEAD.replace("{branches}", "\nUNION ALL\n".join(branches))


def arguments(as_of: dt.date) -> list[object]:
    """The values of :func:`statement`'s placeholders for reference date ``as_of``."""
    year_start = dt.date(as_of.year, 1, 1)
    return [as_of, as_of, True, as_of, as_of, as_of, year_start, as_of, year_start, as_of]


async def scope_counts(
    as_of: dt.date, levels: Collection[str], employers: Sequence[int] = ()
) -> dict[str, dict[str, int]]:
    """``{scope: {employed, certified, trained_people, trainings_of_employed}}`` on ``as_of``
    (local date; the year is ``as_of.year`` up to ``as_of``) for every scope of the families
    ``levels`` that has a post — scope keys ``"city"``, a district code, ``"zone:<code>"``,
    ``"street:<code>"``, ``"employer:<id>"`` — plus ``"#multi"`` (people with posts in more than
    one district) and ``"#all"`` (``employed`` = every training record of the year up to
    ``as_of``). One statement, prepared and cached per pooled connection on PostgreSQL
    (:func:`talent_pool.db.fetch_rows`: Piccolo's query building and the planning cost 2 ms of
    the 1× Jinan dashboard's 18). Raises ``DatabaseUnavailable`` as every query does."""
    rows = await fetch_rows(Employment, statement(levels, employers), *arguments(as_of))
    return {str(r["scope"]): {f: int(r[f] or 0) for f in FIELDS} for r in rows}
