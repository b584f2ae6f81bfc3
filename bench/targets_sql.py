"""The baseline of the ``targets`` measure: ONE hand-written SQL statement computing the numbers
behind the whole dashboard — ``GET /api/targets?levels=city,district,zone,street``: the city,
every district, functional zone and street — run over asyncpg directly.

Written from the definitions (README.md; ``talent_pool/targets.py`` docstring), not from the
application's statement. On the reference date ``d`` of year ``y``:

- a *post* is a (person, district, street, zone) row with an employment covering ``d``
  (``start_date <= d``, no ``end_date`` or ``end_date >= d``) at an employer of that district and
  street (a zone is the overlay managing the street) — a confirmed one (``status = 'active'``)
  where employments carry a status;
- *employed*: distinct people with a post — in a district, street, zone, or anywhere in the city
  (a person with posts in two districts counts once for the city);
- *certified*: employed and holding a qualifying credential issued on or before ``d``, not
  expired on ``d``, and not revoked, suspended or superseded on or before ``d`` (a change without
  a date counts as one on or before ``d``);
- *trainings of employed*: training records completed from 1 January of ``y`` to ``d`` by the
  employed people; *trained people*: the employed people with at least one;
- *person-trainings*: for the city every training record of the year up to ``d``, for a
  smaller scope the trainings of its employed people.

How: the credential and training facts of each person are folded into one row per person by a
single ``GROUP BY`` over a ``UNION ALL``; each post is joined to it, the person's first post in
the city, in each district and in each zone marked with window functions (a street row is one
per person already); one ``GROUPING SETS ((district), (street), (zone), ())`` pass then gives
every scope, each counting only its first posts.
"""

from __future__ import annotations

import datetime as dt

import asyncpg

SQL = """
WITH posts AS (
    SELECT DISTINCT e.practitioner AS pid, r.district_code AS district, r.street_code AS street,
           s.zone_code AS zone
    FROM tp_employment e
    JOIN tp_employer r ON r.id = e.employer
    LEFT JOIN tp_division s ON s.code = r.street_code AND s.level = 'street'
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
    SELECT p.district, p.street, p.zone,
           COALESCE(f.cert, 0) AS cert,
           COALESCE(f.n, 0) AS n,
           row_number() OVER (PARTITION BY p.pid ORDER BY p.district, p.street) = 1 AS first_city,
           row_number() OVER (PARTITION BY p.pid, p.district ORDER BY p.street) = 1 AS first_district,
           row_number() OVER (PARTITION BY p.pid, p.zone ORDER BY p.street) = 1 AS first_zone
    FROM posts p
    LEFT JOIN per_person f ON f.pid = p.pid
),
grouped AS (
    SELECT
        CASE WHEN GROUPING(district) = 0 THEN 'district'
             WHEN GROUPING(street) = 0 THEN 'street'
             WHEN GROUPING(zone) = 0 THEN 'zone' ELSE 'city' END AS level,
        CASE WHEN GROUPING(district) = 0 THEN district
             WHEN GROUPING(street) = 0 THEN 'street:' || street
             WHEN GROUPING(zone) = 0 THEN 'zone:' || zone ELSE 'city' END AS scope,
        count(*) FILTER (WHERE first_city) AS c_employed,
        count(*) FILTER (WHERE first_city AND cert = 1) AS c_certified,
        count(*) FILTER (WHERE first_city AND n > 0) AS c_trained,
        COALESCE(sum(n) FILTER (WHERE first_city), 0) AS c_trainings,
        count(*) FILTER (WHERE first_district) AS d_employed,
        count(*) FILTER (WHERE first_district AND cert = 1) AS d_certified,
        count(*) FILTER (WHERE first_district AND n > 0) AS d_trained,
        COALESCE(sum(n) FILTER (WHERE first_district), 0) AS d_trainings,
        count(*) FILTER (WHERE first_zone) AS z_employed,
        count(*) FILTER (WHERE first_zone AND cert = 1) AS z_certified,
        count(*) FILTER (WHERE first_zone AND n > 0) AS z_trained,
        COALESCE(sum(n) FILTER (WHERE first_zone), 0) AS z_trainings,
        count(*) AS s_employed,
        count(*) FILTER (WHERE cert = 1) AS s_certified,
        count(*) FILTER (WHERE n > 0) AS s_trained,
        COALESCE(sum(n), 0) AS s_trainings
    FROM marked
    GROUP BY GROUPING SETS ((district), (street), (zone), ())
)
SELECT scope,
       CASE level WHEN 'city' THEN c_employed WHEN 'district' THEN d_employed
                  WHEN 'zone' THEN z_employed ELSE s_employed END AS employed,
       CASE level WHEN 'city' THEN c_certified WHEN 'district' THEN d_certified
                  WHEN 'zone' THEN z_certified ELSE s_certified END AS certified,
       CASE level WHEN 'city' THEN c_trained WHEN 'district' THEN d_trained
                  WHEN 'zone' THEN z_trained ELSE s_trained END AS trained_people,
       CASE level WHEN 'city' THEN c_trainings WHEN 'district' THEN d_trainings
                  WHEN 'zone' THEN z_trainings ELSE s_trainings END AS trainings_of_employed,
       CASE level WHEN 'city'
                  THEN (SELECT count(*) FROM tp_training_record a WHERE a.completed_on BETWEEN $2 AND $1)
                  WHEN 'district' THEN d_trainings WHEN 'zone' THEN z_trainings
                  ELSE s_trainings END AS person_trainings
FROM grouped
WHERE scope IS NOT NULL
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
