from piccolo.columns.base import OnDelete
from piccolo.columns.base import OnUpdate
from piccolo.columns.column_types import ForeignKey
from piccolo.columns.column_types import Integer
from piccolo.columns.column_types import Serial
from piccolo.columns.column_types import Timestamptz
from piccolo.columns.column_types import Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod
from piccolo.constraints import Unique
from piccolo.table import Table


class ExamSitting(Table, tablename="ce_exam_sitting", schema=None):
    id = Serial(
        null=False,
        primary_key=True,
        unique=False,
        index=False,
        index_method=IndexMethod.btree,
        choices=None,
        db_column_name=None,
        secret=False,
    )



from talent_pool.schema_change import EngineSpecificMigration

ID = "2026-11-29T17:51:19:335288"
VERSION = "1.38.0"
DESCRIPTION = "examiners assigned to sittings"

# A new table with a composite unique constraint: Piccolo's CREATE TABLE adds the constraint with
# ALTER TABLE, which SQLite cannot do, so the table is created here with the constraint inline.
POSTGRES = [
    'CREATE TABLE "ce_sitting_examiner" ("id" SERIAL PRIMARY KEY NOT NULL, '
    '"sitting" INTEGER REFERENCES "ce_exam_sitting" ("id") ON DELETE RESTRICT ON UPDATE CASCADE DEFAULT null, '
    '"examiner_id" INTEGER NOT NULL DEFAULT 0, "assigned_by" VARCHAR(64) NOT NULL DEFAULT \'\', '
    '"assigned_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp, '
    "CONSTRAINT ce_sitting_examiner_once UNIQUE (sitting, examiner_id))",
    'CREATE INDEX ce_sitting_examiner_sitting ON "ce_sitting_examiner" ("sitting")',
    'CREATE INDEX ce_sitting_examiner_examiner_id ON "ce_sitting_examiner" ("examiner_id")',
]
SQLITE = [
    'CREATE TABLE "ce_sitting_examiner" ("id" INTEGER PRIMARY KEY NOT NULL, '
    '"sitting" INTEGER REFERENCES "ce_exam_sitting" ("id") ON DELETE RESTRICT ON UPDATE CASCADE DEFAULT null, '
    '"examiner_id" INTEGER NOT NULL DEFAULT 0, "assigned_by" VARCHAR(64) NOT NULL DEFAULT \'\', '
    '"assigned_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp, '
    "CONSTRAINT ce_sitting_examiner_once UNIQUE (sitting, examiner_id))",
    'CREATE INDEX ce_sitting_examiner_sitting ON "ce_sitting_examiner" ("sitting")',
    'CREATE INDEX ce_sitting_examiner_examiner_id ON "ce_sitting_examiner" ("examiner_id")',
]


async def forwards():
    manager = EngineSpecificMigration(
        postgres=POSTGRES,
        sqlite=SQLITE,
        creates="ce_sitting_examiner",
        migration_id=ID,
        app_name="certification",
        description=DESCRIPTION,
    )

    manager.add_table(
        class_name="SittingExaminer",
        tablename="ce_sitting_examiner",
        schema=None,
        columns=None,
    )

    manager.add_column(
        table_class_name="SittingExaminer",
        tablename="ce_sitting_examiner",
        column_name="id",
        db_column_name="id",
        column_class_name="Serial",
        column_class=Serial,
        params={
            "null": False,
            "primary_key": True,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="SittingExaminer",
        tablename="ce_sitting_examiner",
        column_name="sitting",
        db_column_name="sitting",
        column_class_name="ForeignKey",
        column_class=ForeignKey,
        params={
            "references": ExamSitting,
            "on_delete": OnDelete.restrict,
            "on_update": OnUpdate.cascade,
            "target_column": None,
            "null": True,
            "primary_key": False,
            "unique": False,
            "index": True,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="SittingExaminer",
        tablename="ce_sitting_examiner",
        column_name="examiner_id",
        db_column_name="examiner_id",
        column_class_name="Integer",
        column_class=Integer,
        params={
            "default": 0,
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": True,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="SittingExaminer",
        tablename="ce_sitting_examiner",
        column_name="assigned_by",
        db_column_name="assigned_by",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 64,
            "default": "",
            "null": False,
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

    manager.add_column(
        table_class_name="SittingExaminer",
        tablename="ce_sitting_examiner",
        column_name="assigned_at",
        db_column_name="assigned_at",
        column_class_name="Timestamptz",
        column_class=Timestamptz,
        params={
            "default": TimestamptzNow(),
            "null": False,
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
        table_class_name="SittingExaminer",
        tablename="ce_sitting_examiner",
        constraint_name="ce_sitting_examiner_once",
        constraint_class=Unique,
        params={"columns": ["sitting", "examiner_id"], "nulls_distinct": True},
        schema=None,
    )

    return manager
