"""The baseline of the ``targets`` measure: ONE hand-written SQL statement computing the numbers
behind ``GET /api/targets`` for the city and every district, run over asyncpg directly.

Written from the definitions (README.md; ``talent_pool/targets.py`` docstring), not from the
application's statement. On the reference date ``d`` of year ``y``:

- a *post* is a (person, district) pair with an employment covering ``d`` (``start_date <= d``,
  no ``end_date`` or ``end_date >= d``) at an employer of that district — a confirmed one
  (``status = 'active'``) where employments carry a status;
- *employed*: distinct people with a post — in a district, or anywhere in the city (a person
  with posts in two districts counts once for the city);
- *certified*: employed and holding a qualifying credential issued on or before ``d``, not
  expired on ``d``, and not revoked, suspended or superseded on or before ``d`` (a change without
  a date counts as one on or before ``d``);
- *trainings of employed*: training records completed from 1 January of ``y`` to ``d`` by the
  employed people; *trained people*: the employed people with at least one;
- *person-trainings*: for the city every training record of the year up to ``d``, for a
  district the trainings of its employed people.

How: the credential and training facts of each person are folded into one row per person by a
single ``GROUP BY`` over a ``UNION ALL``; each post is joined to it, the person's first post
(lowest district code) marked with a window function; one ``GROUPING SETS ((district), ())``
pass then gives every district (all posts) and the city (first posts only) together.
"""

from __future__ import annotations

import datetime as dt

import asyncpg

SQL = """
WITH posts AS (
    SELECT DISTINCT e.practitioner AS pid, r.district_code AS district
    FROM tp_employment e
    JOIN tp_employer r ON r.id = e.employer
    WHERE e.start_date <= $1 AND (e.end_date IS NULL OR e.end_date >= $1){active}
),
facts AS (
    SELECT c.practitioner AS pid, 1 AS cert, 0 AS n
    FROM tp_credential c
    WHERE c.qualifying
      AND c.issued_on <= $1
      AND (c.expires_on IS NULL OR c.expires_on >= $1)
      AND NOT (c.status IN ('revoked', 'suspended', 'superseded')
               AND (c.status_changed_on IS NULL OR c.status_changed_on <= $1))
    UNION ALL
    SELECT t.practitioner, 0, 1
    FROM tp_training_record t
    WHERE t.completed_on BETWEEN $2 AND $1
),
per_person AS (
    SELECT pid, max(cert) AS cert, sum(n) AS n FROM facts GROUP BY pid
),
marked AS (
    SELECT p.district,
           COALESCE(f.cert, 0) AS cert,
           COALESCE(f.n, 0) AS n,
           p.district = min(p.district) OVER (PARTITION BY p.pid) AS first_post
    FROM posts p
    LEFT JOIN per_person f ON f.pid = p.pid
)
SELECT
    CASE WHEN GROUPING(district) = 1 THEN 'city' ELSE district END AS scope,
    CASE WHEN GROUPING(district) = 1 THEN count(*) FILTER (WHERE first_post)
         ELSE count(*) END AS employed,
    CASE WHEN GROUPING(district) = 1 THEN count(*) FILTER (WHERE first_post AND cert = 1)
         ELSE count(*) FILTER (WHERE cert = 1) END AS certified,
    CASE WHEN GROUPING(district) = 1 THEN count(*) FILTER (WHERE first_post AND n > 0)
         ELSE count(*) FILTER (WHERE n > 0) END AS trained_people,
    CASE WHEN GROUPING(district) = 1 THEN COALESCE(sum(n) FILTER (WHERE first_post), 0)
         ELSE sum(n) END AS trainings_of_employed,
    CASE WHEN GROUPING(district) = 1
         THEN (SELECT count(*) FROM tp_training_record a WHERE a.completed_on BETWEEN $2 AND $1)
         ELSE sum(n) END AS person_trainings
FROM marked
GROUP BY GROUPING SETS ((district), ())
"""

# Once employments carry a confirmation status, an unconfirmed claim is no post.
ACTIVE_ONLY = " AND e.status = 'active'"

FIELDS = ("employed", "certified", "trained_people", "trainings_of_employed", "person_trainings")


async def counts(conn: asyncpg.Connection, sql: str, as_of: dt.date) -> dict[str, dict[str, int]]:
    """``{scope: {field: n}}`` for ``"city"`` and every district with a post on ``as_of``
    (``sql``: :func:`statement` of this database)."""
    rows = await conn.fetch(sql, as_of, dt.date(as_of.year, 1, 1))
    return {row["scope"]: {f: int(row[f] or 0) for f in FIELDS} for row in rows}


async def statement(conn: asyncpg.Connection) -> str:
    """:data:`SQL` for this database: posts must be confirmed (``status = 'active'``) where
    ``tp_employment`` has a ``status`` column."""
    has_status = await conn.fetchval(
        "SELECT 1 FROM information_schema.columns"
        " WHERE table_name = 'tp_employment' AND column_name = 'status'"
    )
    return SQL.format(active=ACTIVE_ONLY if has_status else "")
