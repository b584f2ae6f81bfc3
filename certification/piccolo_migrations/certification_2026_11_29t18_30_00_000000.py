import sqlite3
from collections.abc import Callable

from piccolo.constraints import Unique

from talent_pool.schema_change import EngineSpecificMigration

ID = "2026-11-29T18:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "exam attempt and practical marking: constraints instead of key strings"

# The n-th attempt of a registration, a position on a paper, an examiner's marking of a candidate
# and a marking round exist once: composite constraints instead of the key strings
# ExamAttempt.attempt_key ("result:number"), AttemptItem.item_key ("attempt:position") and
# PracticalMarking.marking_key ("result:eExaminer") / round_key ("result:rRound"). The keys only
# repeated the columns, so dropping them loses nothing.
POSTGRES = [
    "ALTER TABLE ce_exam_attempt DROP COLUMN attempt_key",
    "ALTER TABLE ce_exam_attempt ADD CONSTRAINT ce_exam_attempt_once UNIQUE (result, number)",
    "ALTER TABLE ce_attempt_item DROP COLUMN item_key",
    "ALTER TABLE ce_attempt_item ADD CONSTRAINT ce_attempt_item_once UNIQUE (attempt, position)",
    "ALTER TABLE ce_practical_marking DROP COLUMN marking_key",
    "ALTER TABLE ce_practical_marking DROP COLUMN round_key",
    "ALTER TABLE ce_practical_marking ADD CONSTRAINT ce_practical_marking_once_per_examiner "
    "UNIQUE (result, examiner_id)",
    "ALTER TABLE ce_practical_marking ADD CONSTRAINT ce_practical_marking_once_per_round UNIQUE (result, round)",
]

_FK = "ON DELETE RESTRICT ON UPDATE CASCADE DEFAULT null"
_ATTEMPT_COLUMNS = "id, result, sitting, practitioner, number, status, started_at, deadline, closed_at, score, max_score"
_ITEM_COLUMNS = (
    "id, attempt, position, question, kind, stem, options, correct, points, chosen, saved_at, is_correct"
)
_MARKING_COLUMNS = "id, result, sitting, practitioner, examiner_id, round, items, total, entered_at"
SQLITE: list[str | Callable[[sqlite3.Connection], None]] = [
    'CREATE TABLE "ce_exam_attempt_new" ("id" INTEGER PRIMARY KEY NOT NULL, '
    f'"result" INTEGER REFERENCES "ce_exam_result" ("id") {_FK}, '
    f'"sitting" INTEGER REFERENCES "ce_exam_sitting" ("id") {_FK}, '
    f'"practitioner" INTEGER REFERENCES "tp_practitioner" ("id") {_FK}, '
    '"number" INTEGER NOT NULL DEFAULT 0, "status" VARCHAR(12) NOT NULL DEFAULT \'open\', '
    '"started_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp, '
    '"deadline" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp, "closed_at" TIMESTAMPTZ DEFAULT null, '
    '"score" NUMERIC(5, 1) DEFAULT null, "max_score" NUMERIC(5, 1) NOT NULL DEFAULT 100, '
    "CONSTRAINT ce_exam_attempt_once UNIQUE (result, number))",
    f"INSERT INTO ce_exam_attempt_new ({_ATTEMPT_COLUMNS}) SELECT {_ATTEMPT_COLUMNS} FROM ce_exam_attempt",
    'CREATE TABLE "ce_attempt_item_new" ("id" INTEGER PRIMARY KEY NOT NULL, '
    f'"attempt" INTEGER REFERENCES "ce_exam_attempt" ("id") {_FK}, "position" INTEGER NOT NULL DEFAULT 0, '
    f'"question" INTEGER REFERENCES "ce_question" ("id") {_FK}, "kind" VARCHAR(12) NOT NULL DEFAULT \'\', '
    '"stem" TEXT NOT NULL DEFAULT \'\', "options" JSON NOT NULL DEFAULT \'[]\', '
    '"correct" JSON NOT NULL DEFAULT \'[]\', "points" NUMERIC(5, 1) NOT NULL DEFAULT 0, '
    '"chosen" JSON DEFAULT null, "saved_at" TIMESTAMPTZ DEFAULT null, "is_correct" BOOLEAN DEFAULT null, '
    "CONSTRAINT ce_attempt_item_once UNIQUE (attempt, position))",
    f"INSERT INTO ce_attempt_item_new ({_ITEM_COLUMNS}) SELECT {_ITEM_COLUMNS} FROM ce_attempt_item",
    # The items refer to the attempts by name: with foreign keys off, the old tables are dropped and
    # the new ones renamed, so "ce_exam_attempt" names the rebuilt table again.
    "DROP TABLE ce_attempt_item",
    "DROP TABLE ce_exam_attempt",
    "ALTER TABLE ce_exam_attempt_new RENAME TO ce_exam_attempt",
    "ALTER TABLE ce_attempt_item_new RENAME TO ce_attempt_item",
    'CREATE INDEX ce_exam_attempt_result ON "ce_exam_attempt" ("result")',
    'CREATE INDEX ce_exam_attempt_sitting ON "ce_exam_attempt" ("sitting")',
    'CREATE INDEX ce_exam_attempt_practitioner ON "ce_exam_attempt" ("practitioner")',
    'CREATE INDEX ce_attempt_item_attempt ON "ce_attempt_item" ("attempt")',
    'CREATE TABLE "ce_practical_marking_new" ("id" INTEGER PRIMARY KEY NOT NULL, '
    f'"result" INTEGER REFERENCES "ce_exam_result" ("id") {_FK}, '
    f'"sitting" INTEGER REFERENCES "ce_exam_sitting" ("id") {_FK}, '
    f'"practitioner" INTEGER REFERENCES "tp_practitioner" ("id") {_FK}, '
    '"examiner_id" INTEGER NOT NULL DEFAULT 0, "round" INTEGER NOT NULL DEFAULT 0, '
    '"items" JSON NOT NULL DEFAULT \'{}\', "total" NUMERIC(5, 1) NOT NULL DEFAULT 0, '
    '"entered_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp, '
    "CONSTRAINT ce_practical_marking_once_per_examiner UNIQUE (result, examiner_id), "
    "CONSTRAINT ce_practical_marking_once_per_round UNIQUE (result, round))",
    f"INSERT INTO ce_practical_marking_new ({_MARKING_COLUMNS}) SELECT {_MARKING_COLUMNS} FROM ce_practical_marking",
    "DROP TABLE ce_practical_marking",
    "ALTER TABLE ce_practical_marking_new RENAME TO ce_practical_marking",
    'CREATE INDEX ce_practical_marking_result ON "ce_practical_marking" ("result")',
    'CREATE INDEX ce_practical_marking_sitting ON "ce_practical_marking" ("sitting")',
    'CREATE INDEX ce_practical_marking_practitioner ON "ce_practical_marking" ("practitioner")',
    'CREATE INDEX ce_practical_marking_examiner_id ON "ce_practical_marking" ("examiner_id")',
]


async def forwards():
    manager = EngineSpecificMigration(
        postgres=POSTGRES,
        sqlite=SQLITE,
        marker=("ce_exam_attempt", "attempt_key"),
        migration_id=ID,
        app_name="certification",
        description=DESCRIPTION,
    )

    for class_name, tablename, column in (
        ("ExamAttempt", "ce_exam_attempt", "attempt_key"),
        ("AttemptItem", "ce_attempt_item", "item_key"),
        ("PracticalMarking", "ce_practical_marking", "marking_key"),
        ("PracticalMarking", "ce_practical_marking", "round_key"),
    ):
        manager.drop_column(
            table_class_name=class_name,
            tablename=tablename,
            column_name=column,
            db_column_name=column,
            schema=None,
        )

    for class_name, tablename, name, columns in (
        ("ExamAttempt", "ce_exam_attempt", "ce_exam_attempt_once", ["result", "number"]),
        ("AttemptItem", "ce_attempt_item", "ce_attempt_item_once", ["attempt", "position"]),
        (
            "PracticalMarking",
            "ce_practical_marking",
            "ce_practical_marking_once_per_examiner",
            ["result", "examiner_id"],
        ),
        ("PracticalMarking", "ce_practical_marking", "ce_practical_marking_once_per_round", ["result", "round"]),
    ):
        manager.add_constraint(
            table_class_name=class_name,
            tablename=tablename,
            constraint_name=name,
            constraint_class=Unique,
            params={"columns": columns, "nulls_distinct": True},
            schema=None,
        )

    return manager
