"""The database itself refuses duplicates and overbooking (composite ``Unique`` and ``Check``
constraints, on PostgreSQL and on the embedded SQLite), and the migration that introduced them
carries existing rows over on both engines."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from tests.servers import PG_ADMIN_URL, _admin

OLD_MIGRATIONS = {  # the last migration of each app before the constraints
    "talent_pool": "2026-11-29T09:33:30:820698",
    "training": "2026-11-29T09:27:34:850439",
    "certification": "2026-11-29T09:51:10:566798",
    "accounts": "2026-11-29T10:07:08:418790",
}
APP_ORDER = ["talent_pool", "training", "certification", "accounts"]

# Rows as the pre-constraint schema stored them (hand-built key strings, sent_at). The programme is
# written in SQL too: the current table class has columns that schema does not have yet.
OLD_ROWS = [
    "INSERT INTO ce_programme (id, code, kind, title, level, level_digit, occupation_code, pass_mark_theory, "
    "pass_mark_practical, validity_years, min_training_hours, training_category, issuer, active) VALUES "
    "(1, '1X-YEZH-1', 'onex', '幼儿照护职业技能等级证书', '初级', 5, '', 60, 60, 3, 0, NULL, '', true)",
    "INSERT INTO tp_practitioner (id, id_number, name, gender, birth_date, phone, created_at) VALUES "
    "(1, '11010519491231002X', '王芳', 'F', '1949-12-31', '', '2026-01-01T00:00:00+00:00'), "
    "(2, '370102199001010010', '李娜', 'F', '1990-01-01', '', '2026-01-01T00:00:00+00:00')",
    "INSERT INTO tr_training_base (id, name, district_code, address, accredited, active, created_at) "
    "VALUES (1, '实训基地', '370102', '', true, true, '2026-01-01T00:00:00+00:00')",
    "INSERT INTO tr_course (id, code, title, category, hours, level, description, created_at) "
    "VALUES (1, 'C1', '课程', 'pre_job', 16, '', '', '2026-01-01T00:00:00+00:00')",
    "INSERT INTO tr_offering (id, course, training_base, title, start_date, end_date, capacity, "
    "confirmed_count, waitlist_seq, status, completed_on, created_at) VALUES "
    "(1, 1, 1, '班', '2026-12-01', '2026-12-07', 1, 1, 1, 'open', NULL, '2026-01-01T00:00:00+00:00')",
    "INSERT INTO tr_session (id, offering, day, starts_at, ends_at, hours, topic) VALUES "
    "(1, 1, '2026-12-01', '09:00', '12:00', 3, '')",
    "INSERT INTO tr_enrollment (id, offering, practitioner, status, waitlist_seq, dedupe_key, enrolled_at, "
    "status_changed_at, attended_hours, outcome_reason) VALUES "
    "(1, 1, 1, 'confirmed', NULL, '1:1', '2026-11-01T00:00:00+00:00', NULL, NULL, ''), "
    "(2, 1, 2, 'cancelled', 1, '1:2:x2', '2026-11-01T00:00:00+00:00', NULL, NULL, ''), "
    "(3, 1, 2, 'waitlisted', 2, '1:2', '2026-11-02T00:00:00+00:00', NULL, NULL, '')",
    "INSERT INTO tr_attendance (id, session, enrollment, present, method, recorded_by, recorded_at, "
    "dedupe_key) VALUES (1, 1, 1, true, 'roster', 'base1', '2026-12-01T02:00:00+00:00', '1:1')",
    "INSERT INTO ce_exam_sitting (id, programme, training_base_id, exam_date, title, status, created_at) "
    "VALUES (1, 1, 1, '2026-11-20', '考试', 'issued', '2026-11-01T00:00:00+00:00')",
    "INSERT INTO ce_exam_result (id, key, sitting, practitioner, theory, practical, passed, entered_by, "
    "entered_at, registered_at) VALUES (1, '1:1', 1, 1, 80, 80, true, 'e', NULL, "
    "'2026-11-01T00:00:00+00:00')",
    "INSERT INTO ce_certificate (id, number, issue_key, programme, practitioner, sitting, holder_name, "
    "holder_id_number, issuer, issued_on, expires_on, status, status_changed_on, status_reason, "
    "status_changed_by, signature, verify_url, kid, created_at) VALUES "
    "(1, 'S000037000001265000001', 'sitting:1:1', 1, 1, 1, '王芳', '11010519491231002X', '', '2026-11-29', "
    "NULL, 'valid', NULL, '', '', 's', 'u', 'k', '2026-11-29T00:00:00+00:00'), "
    "(2, 'S000037000001265000002', 'direct:1X-YEZH-1:2:外部鉴定:2025', 1, 2, NULL, '李娜', "
    "'370102199001010010', '', '2026-11-29', NULL, 'valid', NULL, '', '', 's', 'u', 'k', "
    "'2026-11-29T00:00:00+00:00')",
    "INSERT INTO tp_outbox (id, task, args, created_at, sent_at, attempts) VALUES "
    "(1, 'certification.render_certificate', '[1]', '2026-11-29T00:00:00+00:00', "
    "'2026-11-29T00:00:01+00:00', 1), "
    "(2, 'certification.render_certificate', '[2]', '2026-11-29T00:00:00+00:00', NULL, 0)",
]
CHECKS = {  # booleans compared as 0/1 (SQLite has no boolean type)
    "SELECT id, live FROM tr_enrollment ORDER BY id": [(1, 1), (2, None), (3, 1)],
    "SELECT session, enrollment FROM tr_attendance": [(1, 1)],
    "SELECT sitting, practitioner FROM ce_exam_result": [(1, 1)],
    "SELECT id, issue_reference FROM ce_certificate ORDER BY id": [(1, None), (2, "外部鉴定:2025")],
    "SELECT id, task, done_at IS NOT NULL FROM tp_outbox ORDER BY id": [
        (1, "certification.render_certificates", 1),
        (2, "certification.render_certificates", 0),
    ],
}
# Rows of the exam-attempt and practical-marking tables (created after the old schema), written
# after the migrations so that the violations below have something to duplicate.
NEW_ROWS = [
    "INSERT INTO ce_exam_attempt (id, result, sitting, practitioner, number, status, started_at, deadline, "
    "max_score) VALUES (1, 1, 1, 1, 1, 'open', '2026-11-20T01:00:00+00:00', '2026-11-20T02:00:00+00:00', 100)",
    "INSERT INTO ce_attempt_item (id, attempt, position, kind, stem, points) "
    "VALUES (1, 1, 1, 'single', '题干', 5)",
    "INSERT INTO ce_practical_marking (id, result, sitting, practitioner, examiner_id, round, total, "
    "entered_at) VALUES (1, 1, 1, 1, 7, 1, 80, '2026-11-20T03:00:00+00:00')",
]
# Each of these must be refused by the database itself, by the named constraint
# (PostgreSQL's constraint name; SQLite's message).
VIOLATIONS = [
    (  # a second live enrollment of person 1 in offering 1
        "INSERT INTO tr_enrollment (id, offering, practitioner, status, live, enrolled_at, outcome_reason) "
        "VALUES (100, 1, 1, 'waitlisted', true, '2026-11-03T00:00:00+00:00', '')",
        "tr_enrollment_one_live",
        "UNIQUE constraint failed: tr_enrollment.offering, tr_enrollment.practitioner, tr_enrollment.live",
    ),
    (  # live must follow the status
        "UPDATE tr_enrollment SET status = 'cancelled' WHERE id = 1",
        "tr_enrollment_live_status",
        "CHECK constraint failed: tr_enrollment_live_status",
    ),
    (  # a second attendance row for session 1 and enrollment 1
        "INSERT INTO tr_attendance (id, session, enrollment, present, method, recorded_by, recorded_at) "
        "VALUES (100, 1, 1, false, 'qr', 'x', '2026-12-01T03:00:00+00:00')",
        "tr_attendance_one_row",
        "UNIQUE constraint failed: tr_attendance.session, tr_attendance.enrollment",
    ),
    (  # more confirmed seats than capacity
        "UPDATE tr_offering SET confirmed_count = capacity + 1 WHERE id = 1",
        "tr_offering_seats",
        "CHECK constraint failed: tr_offering_seats",
    ),
    (  # fewer than none
        "UPDATE tr_offering SET confirmed_count = -1 WHERE id = 1",
        "tr_offering_seats",
        "CHECK constraint failed: tr_offering_seats",
    ),
    (  # a second registration for sitting 1 and person 1
        "INSERT INTO ce_exam_result (id, sitting, practitioner, entered_by, registered_at) "
        "VALUES (100, 1, 1, '', '2026-11-02T00:00:00+00:00')",
        "ce_exam_result_one_per_sitting",
        "UNIQUE constraint failed: ce_exam_result.sitting, ce_exam_result.practitioner",
    ),
    (  # a second certificate for sitting 1 and person 1
        "INSERT INTO ce_certificate (id, number, programme, practitioner, sitting, holder_name, "
        "holder_id_number, issuer, issued_on, status, status_reason, status_changed_by, signature, verify_url, "
        "kid, created_at) VALUES (100, 'S000037000001265000009', 1, 1, 1, '王芳', '11010519491231002X', '', "
        "'2026-11-29', 'valid', '', '', 's', 'u', 'k', '2026-11-29T00:00:00+00:00')",
        "ce_certificate_one_per_sitting",
        "UNIQUE constraint failed: ce_certificate.sitting, ce_certificate.practitioner",
    ),
    (  # a second direct certificate with the same programme, person and reference
        "INSERT INTO ce_certificate (id, number, issue_reference, programme, practitioner, holder_name, "
        "holder_id_number, issuer, issued_on, status, status_reason, status_changed_by, signature, verify_url, "
        "kid, created_at) VALUES (101, 'S000037000001265000010', '外部鉴定:2025', 1, 2, '李娜', "
        "'370102199001010010', '', '2026-11-29', 'valid', '', '', 's', 'u', 'k', '2026-11-29T00:00:00+00:00')",
        "ce_certificate_one_direct",
        "UNIQUE constraint failed: ce_certificate.programme, ce_certificate.practitioner, "
        "ce_certificate.issue_reference",
    ),
    (  # a second attempt number 1 of registration 1
        "INSERT INTO ce_exam_attempt (id, result, sitting, practitioner, number, status, started_at, deadline, "
        "max_score) VALUES (100, 1, 1, 1, 1, 'open', '2026-11-20T01:00:00+00:00', '2026-11-20T02:00:00+00:00', 100)",
        "ce_exam_attempt_once",
        "UNIQUE constraint failed: ce_exam_attempt.result, ce_exam_attempt.number",
    ),
    (  # a second question at position 1 of attempt 1
        "INSERT INTO ce_attempt_item (id, attempt, position, kind, stem, points) "
        "VALUES (100, 1, 1, 'single', '另一题', 5)",
        "ce_attempt_item_once",
        "UNIQUE constraint failed: ce_attempt_item.attempt, ce_attempt_item.position",
    ),
    (  # examiner 7 marking registration 1 a second time (in another round)
        "INSERT INTO ce_practical_marking (id, result, sitting, practitioner, examiner_id, round, total, "
        "entered_at) VALUES (100, 1, 1, 1, 7, 2, 70, '2026-11-20T04:00:00+00:00')",
        "ce_practical_marking_once_per_examiner",
        "UNIQUE constraint failed: ce_practical_marking.result, ce_practical_marking.examiner_id",
    ),
    (  # a second first-round marking of registration 1 (by another examiner)
        "INSERT INTO ce_practical_marking (id, result, sitting, practitioner, examiner_id, round, total, "
        "entered_at) VALUES (101, 1, 1, 1, 8, 1, 70, '2026-11-20T04:00:00+00:00')",
        "ce_practical_marking_once_per_round",
        "UNIQUE constraint failed: ce_practical_marking.result, ce_practical_marking.round",
    ),
]


@pytest.fixture(params=["postgres", "sqlite"])
async def old_schema_db(request: pytest.FixtureRequest, pg_engine: Any, tmp_path: Path) -> AsyncIterator[Any]:
    """A database of its own (PostgreSQL or SQLite) migrated to just before the constraints,
    bound for the test; the run's engine is bound again afterwards."""
    from talent_pool.db import close_pool, engine_for_url, start_pool, use_engine

    name = f"{pg_engine.config['dsn'].rsplit('/', 1)[1]}_mig"
    if request.param == "postgres":
        await _admin(f'CREATE DATABASE "{name}"')
        url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    else:
        url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    engine = engine_for_url(url)
    use_engine(engine)
    await start_pool(engine)
    try:
        yield engine
    finally:
        await close_pool(engine)
        use_engine(pg_engine)
        if request.param == "postgres":
            await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def _migrate_to_old_schema() -> None:
    from piccolo.apps.migrations.commands.forwards import run_forwards

    for app in APP_ORDER:
        response = await run_forwards(app_name=app, migration_id=OLD_MIGRATIONS[app], fake=False)
        assert response.success, response.message


def _executor(engine: Any) -> Callable[[str], Any]:
    """Run one statement directly on the database (no ORM), returning rows as tuples."""
    from piccolo.engine.sqlite import SQLiteEngine

    if isinstance(engine, SQLiteEngine):

        def run_sqlite(sql: str) -> list[tuple[Any, ...]]:
            con = sqlite3.connect(engine.connection_kwargs["database"], isolation_level=None)
            try:
                con.execute("PRAGMA foreign_keys = ON")
                return [tuple(r) for r in con.execute(sql).fetchall()]
            finally:
                con.close()

        return lambda sql: asyncio.to_thread(run_sqlite, sql)

    async def run_pg(sql: str) -> list[tuple[Any, ...]]:
        conn = await asyncpg.connect(engine.config["dsn"])
        try:
            return [tuple(r) for r in await conn.fetch(sql)]
        finally:
            await conn.close()

    return run_pg


async def test_migration_carries_rows_over_and_the_database_refuses_violations(old_schema_db: Any) -> None:
    from service.migrations import migrate

    run = _executor(old_schema_db)
    await _migrate_to_old_schema()
    for statement in OLD_ROWS:
        await run(statement)
    await migrate()  # the constraint migrations, on existing data
    for query, expected in CHECKS.items():
        rows = [tuple(int(v) if isinstance(v, bool) else v for v in r) for r in await run(query)]
        assert rows == expected, query
    for statement in NEW_ROWS:
        await run(statement)
    integrity = (sqlite3.IntegrityError, asyncpg.IntegrityConstraintViolationError)
    for statement, pg_constraint, sqlite_message in VIOLATIONS:
        with pytest.raises(integrity) as refused:
            await run(statement)
        if isinstance(refused.value, sqlite3.IntegrityError):
            assert str(refused.value) == sqlite_message
        else:
            assert refused.value.constraint_name == pg_constraint  # type: ignore[attr-defined]
    # what the constraints allow still works: a cancelled enrollment frees the person to enroll again
    await run("UPDATE tr_enrollment SET status = 'cancelled', live = NULL WHERE id = 3")
    await run(
        "INSERT INTO tr_enrollment (id, offering, practitioner, status, live, enrolled_at, outcome_reason) "
        "VALUES (101, 1, 2, 'waitlisted', true, '2026-11-04T00:00:00+00:00', '')"
    )
    # and a second examiner's marking in the second round
    await run(
        "INSERT INTO ce_practical_marking (id, result, sitting, practitioner, examiner_id, round, total, "
        "entered_at) VALUES (102, 1, 1, 1, 8, 2, 70, '2026-11-20T04:00:00+00:00')"
    )
