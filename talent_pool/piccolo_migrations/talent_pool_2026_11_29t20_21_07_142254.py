from piccolo.columns.column_types import Date
from piccolo.columns.column_types import Integer
from piccolo.columns.column_types import JSON
from piccolo.columns.column_types import Timestamptz
from piccolo.columns.column_types import Varchar
from piccolo.columns.defaults.date import DateNow
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod
from piccolo.constraints import Unique

from talent_pool.schema_change import EngineSpecificMigration

ID = "2026-11-29T20:21:07:142254"
VERSION = "1.38.0"
DESCRIPTION = "streets, zones, employer street, target snapshots"


# Streets (街道/镇) and functional-zone overlays live in tp_division (zone_code on a street);
# an employer gets a street. Target snapshots are unique per night and scope, a composite
# constraint SQLite can only have inline, so the whole change is performed by the SQL below (the
# recorded operations keep Piccolo's snapshot right). The covering indexes serve the targets pass:
# trainings of a year by person, credentials by person, posts by date.
_SNAPSHOT = (
    'CREATE TABLE "tp_target_snapshot" ("id" {serial}, "taken_on" DATE NOT NULL, '
    '"scope" VARCHAR(32) NOT NULL DEFAULT \'\', "year" INTEGER NOT NULL DEFAULT 0, '
    '"as_of" DATE NOT NULL, "data" {json} NOT NULL DEFAULT \'{{}}\', '
    '"created_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp, '
    'CONSTRAINT tp_target_snapshot_once UNIQUE ("taken_on", "scope"))'
)
_COMMON = [
    'ALTER TABLE "tp_division" ADD COLUMN "zone_code" VARCHAR(12) DEFAULT null',
    'CREATE INDEX tp_division_zone_code ON "tp_division" ("zone_code")',
    'ALTER TABLE "tp_employer" ADD COLUMN "street_code" VARCHAR(12) DEFAULT null',
    'CREATE INDEX tp_employer_street_code ON "tp_employer" ("street_code")',
    'CREATE INDEX tp_training_record_year_person ON "tp_training_record" ("completed_on", "practitioner")',
    'CREATE INDEX tp_employment_dates ON "tp_employment" ("start_date", "end_date", "practitioner", "employer")',
]
POSTGRES = [_SNAPSHOT.format(serial="SERIAL PRIMARY KEY NOT NULL", json="JSON"), *_COMMON]
SQLITE = [_SNAPSHOT.format(serial="INTEGER PRIMARY KEY", json="JSON"), *_COMMON]


async def forwards():
    manager = EngineSpecificMigration(
        postgres=POSTGRES,
        sqlite=SQLITE,
        creates="tp_target_snapshot",
        migration_id=ID,
        app_name="talent_pool",
        description=DESCRIPTION,
    )

    manager.add_table(
        class_name="TargetSnapshot",
        tablename="tp_target_snapshot",
        schema=None,
        columns=None,
    )

    manager.add_column(
        table_class_name="TargetSnapshot",
        tablename="tp_target_snapshot",
        column_name="taken_on",
        db_column_name="taken_on",
        column_class_name="Date",
        column_class=Date,
        params={
            "default": DateNow(),
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
        table_class_name="TargetSnapshot",
        tablename="tp_target_snapshot",
        column_name="scope",
        db_column_name="scope",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 32,
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
        table_class_name="TargetSnapshot",
        tablename="tp_target_snapshot",
        column_name="year",
        db_column_name="year",
        column_class_name="Integer",
        column_class=Integer,
        params={
            "default": 0,
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
        table_class_name="TargetSnapshot",
        tablename="tp_target_snapshot",
        column_name="as_of",
        db_column_name="as_of",
        column_class_name="Date",
        column_class=Date,
        params={
            "default": DateNow(),
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
        table_class_name="TargetSnapshot",
        tablename="tp_target_snapshot",
        column_name="data",
        db_column_name="data",
        column_class_name="JSON",
        column_class=JSON,
        params={
            "default": "{}",
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
        table_class_name="TargetSnapshot",
        tablename="tp_target_snapshot",
        column_name="created_at",
        db_column_name="created_at",
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
        table_class_name="TargetSnapshot",
        tablename="tp_target_snapshot",
        constraint_name="tp_target_snapshot_once",
        constraint_class=Unique,
        params={"columns": ["taken_on", "scope"], "nulls_distinct": True},
        schema=None,
    )

    manager.add_column(
        table_class_name="Division",
        tablename="tp_division",
        column_name="zone_code",
        db_column_name="zone_code",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 12,
            "default": None,
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
        table_class_name="Employer",
        tablename="tp_employer",
        column_name="street_code",
        db_column_name="street_code",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 12,
            "default": None,
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

    return manager
