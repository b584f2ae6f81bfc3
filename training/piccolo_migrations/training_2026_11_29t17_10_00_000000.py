from piccolo.columns.column_types import Boolean
from piccolo.columns.indexes import IndexMethod
from piccolo.constraints import Check
from piccolo.constraints import Unique

from talent_pool.schema_change import EngineSpecificMigration

ID = "2026-11-29T17:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "constraints instead of key strings"

# One live enrollment per person and offering, one attendance row per session and enrollment,
# 0 <= confirmed_count <= capacity: database constraints instead of hand-built dedupe_key strings.
# Existing rows are carried over: live = TRUE for confirmed/waitlisted enrollments, NULL otherwise.
LIVE = "CASE WHEN status IN ('confirmed', 'waitlisted') THEN TRUE ELSE NULL END"
LIVE_STATUS = (
    "(live IS NULL AND status NOT IN ('confirmed', 'waitlisted')) "
    "OR (live = TRUE AND status IN ('confirmed', 'waitlisted'))"
)
SEATS = "capacity >= 1 AND confirmed_count >= 0 AND confirmed_count <= capacity"

POSTGRES = [
    "ALTER TABLE tr_enrollment ADD COLUMN live BOOLEAN DEFAULT TRUE",
    f"UPDATE tr_enrollment SET live = {LIVE}",
    "ALTER TABLE tr_enrollment DROP COLUMN dedupe_key",
    "ALTER TABLE tr_enrollment ADD CONSTRAINT tr_enrollment_one_live UNIQUE (offering, practitioner, live)",
    f"ALTER TABLE tr_enrollment ADD CONSTRAINT tr_enrollment_live_status CHECK ({LIVE_STATUS})",
    "ALTER TABLE tr_attendance DROP COLUMN dedupe_key",
    "ALTER TABLE tr_attendance ADD CONSTRAINT tr_attendance_one_row UNIQUE (session, enrollment)",
    f"ALTER TABLE tr_offering ADD CONSTRAINT tr_offering_seats CHECK ({SEATS})",
]

_FK = "ON DELETE RESTRICT ON UPDATE CASCADE DEFAULT null"
SQLITE = [
    # tr_offering: + CHECK seats
    'CREATE TABLE "tr_offering_new" ("id" INTEGER PRIMARY KEY NOT NULL, '
    f'"course" INTEGER REFERENCES "tr_course" ("id") {_FK}, '
    f'"training_base" INTEGER REFERENCES "tr_training_base" ("id") {_FK}, '
    '"title" VARCHAR(255) NOT NULL DEFAULT \'\', "start_date" DATE NOT NULL DEFAULT CURRENT_DATE, '
    '"end_date" DATE NOT NULL DEFAULT CURRENT_DATE, "capacity" INTEGER NOT NULL DEFAULT 0, '
    '"confirmed_count" INTEGER NOT NULL DEFAULT 0, "waitlist_seq" INTEGER NOT NULL DEFAULT 0, '
    '"status" VARCHAR(12) NOT NULL DEFAULT \'open\', "completed_on" DATE DEFAULT null, '
    '"created_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp, '
    f"CONSTRAINT tr_offering_seats CHECK ({SEATS}))",
    "INSERT INTO tr_offering_new SELECT id, course, training_base, title, start_date, end_date, capacity, "
    "confirmed_count, waitlist_seq, status, completed_on, created_at FROM tr_offering",
    "DROP TABLE tr_offering",
    "ALTER TABLE tr_offering_new RENAME TO tr_offering",
    'CREATE INDEX tr_offering_course ON "tr_offering" ("course")',
    'CREATE INDEX tr_offering_training_base ON "tr_offering" ("training_base")',
    'CREATE INDEX tr_offering_status ON "tr_offering" ("status")',
    # tr_enrollment: - dedupe_key, + live, UNIQUE (offering, practitioner, live), CHECK live/status
    'CREATE TABLE "tr_enrollment_new" ("id" INTEGER PRIMARY KEY NOT NULL, '
    f'"offering" INTEGER REFERENCES "tr_offering" ("id") {_FK}, '
    f'"practitioner" INTEGER REFERENCES "tp_practitioner" ("id") {_FK}, '
    '"status" VARCHAR(16) NOT NULL DEFAULT \'\', "waitlist_seq" INTEGER DEFAULT null, '
    '"live" BOOLEAN DEFAULT true, "enrolled_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp, '
    '"status_changed_at" TIMESTAMPTZ DEFAULT null, "attended_hours" NUMERIC(8, 2) DEFAULT null, '
    '"outcome_reason" TEXT NOT NULL DEFAULT \'\', '
    "CONSTRAINT tr_enrollment_one_live UNIQUE (offering, practitioner, live), "
    f"CONSTRAINT tr_enrollment_live_status CHECK ({LIVE_STATUS}))",
    "INSERT INTO tr_enrollment_new SELECT id, offering, practitioner, status, waitlist_seq, "
    f"{LIVE}, enrolled_at, status_changed_at, attended_hours, outcome_reason FROM tr_enrollment",
    "DROP TABLE tr_enrollment",
    "ALTER TABLE tr_enrollment_new RENAME TO tr_enrollment",
    'CREATE INDEX tr_enrollment_offering ON "tr_enrollment" ("offering")',
    'CREATE INDEX tr_enrollment_practitioner ON "tr_enrollment" ("practitioner")',
    'CREATE INDEX tr_enrollment_status ON "tr_enrollment" ("status")',
    # tr_attendance: - dedupe_key, UNIQUE (session, enrollment)
    'CREATE TABLE "tr_attendance_new" ("id" INTEGER PRIMARY KEY NOT NULL, '
    f'"session" INTEGER REFERENCES "tr_session" ("id") {_FK}, '
    f'"enrollment" INTEGER REFERENCES "tr_enrollment" ("id") {_FK}, '
    '"present" BOOLEAN NOT NULL DEFAULT true, "method" VARCHAR(8) NOT NULL DEFAULT \'roster\', '
    '"recorded_by" VARCHAR(64) NOT NULL DEFAULT \'\', '
    '"recorded_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp, '
    "CONSTRAINT tr_attendance_one_row UNIQUE (session, enrollment))",
    "INSERT INTO tr_attendance_new SELECT id, session, enrollment, present, method, recorded_by, recorded_at "
    "FROM tr_attendance",
    "DROP TABLE tr_attendance",
    "ALTER TABLE tr_attendance_new RENAME TO tr_attendance",
    'CREATE INDEX tr_attendance_session ON "tr_attendance" ("session")',
    'CREATE INDEX tr_attendance_enrollment ON "tr_attendance" ("enrollment")',
]


async def forwards():
    manager = EngineSpecificMigration(
        postgres=POSTGRES,
        sqlite=SQLITE,
        marker=("tr_enrollment", "dedupe_key"),
        migration_id=ID,
        app_name="training",
        description=DESCRIPTION,
    )

    manager.drop_column(
        table_class_name="Attendance",
        tablename="tr_attendance",
        column_name="dedupe_key",
        db_column_name="dedupe_key",
        schema=None,
    )

    manager.drop_column(
        table_class_name="Enrollment",
        tablename="tr_enrollment",
        column_name="dedupe_key",
        db_column_name="dedupe_key",
        schema=None,
    )

    manager.add_column(
        table_class_name="Enrollment",
        tablename="tr_enrollment",
        column_name="live",
        db_column_name="live",
        column_class_name="Boolean",
        column_class=Boolean,
        params={
            "default": True,
            "null": True,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_constraint(
        table_class_name="Attendance",
        tablename="tr_attendance",
        constraint_name="tr_attendance_one_row",
        constraint_class=Unique,
        params={"columns": ["session", "enrollment"], "nulls_distinct": True},
        schema=None,
    )

    manager.add_constraint(
        table_class_name="Enrollment",
        tablename="tr_enrollment",
        constraint_name="tr_enrollment_live_status",
        constraint_class=Check,
        params={
            "condition": "(live IS NULL AND status NOT IN ('confirmed', 'waitlisted')) OR (live = TRUE AND status IN ('confirmed', 'waitlisted'))"
        },
        schema=None,
    )

    manager.add_constraint(
        table_class_name="Enrollment",
        tablename="tr_enrollment",
        constraint_name="tr_enrollment_one_live",
        constraint_class=Unique,
        params={
            "columns": ["offering", "practitioner", "live"],
            "nulls_distinct": True,
        },
        schema=None,
    )

    manager.add_constraint(
        table_class_name="Offering",
        tablename="tr_offering",
        constraint_name="tr_offering_seats",
        constraint_class=Check,
        params={
            "condition": "capacity >= 1 AND confirmed_count >= 0 AND confirmed_count <= capacity"
        },
        schema=None,
    )

    return manager
