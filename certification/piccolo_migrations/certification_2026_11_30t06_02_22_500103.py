from piccolo.columns.column_types import Date
from piccolo.columns.column_types import Integer
from piccolo.columns.column_types import Serial
from piccolo.columns.column_types import Varchar
from piccolo.columns.defaults.date import DateNow
from piccolo.columns.indexes import IndexMethod
from piccolo.constraints import Unique

from talent_pool.schema_change import EngineSpecificMigration

ID = "2026-11-30T06:02:22:500103"
VERSION = "1.38.0"
DESCRIPTION = "identity comparisons of bulk verifications per login, day and certificate"

# A new table with a composite unique constraint: Piccolo's CREATE TABLE adds the constraint with
# ALTER TABLE, which SQLite cannot do, so the table is created here with the constraint inline.
_COLUMNS = (
    '"account_id" INTEGER NOT NULL DEFAULT 0, "day" DATE NOT NULL DEFAULT CURRENT_DATE, '
    '"number" VARCHAR(64) NOT NULL DEFAULT \'\', "compared" INTEGER NOT NULL DEFAULT 0, '
    "CONSTRAINT ce_identity_check_tally_once UNIQUE (account_id, day, number))"
)
POSTGRES = ['CREATE TABLE "ce_identity_check_tally" ("id" SERIAL PRIMARY KEY NOT NULL, ' + _COLUMNS]
SQLITE = ['CREATE TABLE "ce_identity_check_tally" ("id" INTEGER PRIMARY KEY NOT NULL, ' + _COLUMNS]


async def forwards():
    manager = EngineSpecificMigration(
        postgres=POSTGRES,
        sqlite=SQLITE,
        creates="ce_identity_check_tally",
        migration_id=ID,
        app_name="certification",
        description=DESCRIPTION,
    )

    manager.add_table(
        class_name="IdentityCheckTally",
        tablename="ce_identity_check_tally",
        schema=None,
        columns=None,
    )

    manager.add_column(
        table_class_name="IdentityCheckTally",
        tablename="ce_identity_check_tally",
        column_name="compared",
        db_column_name="compared",
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
        table_class_name="IdentityCheckTally",
        tablename="ce_identity_check_tally",
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
        table_class_name="IdentityCheckTally",
        tablename="ce_identity_check_tally",
        column_name="account_id",
        db_column_name="account_id",
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
        table_class_name="IdentityCheckTally",
        tablename="ce_identity_check_tally",
        column_name="day",
        db_column_name="day",
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
        table_class_name="IdentityCheckTally",
        tablename="ce_identity_check_tally",
        column_name="number",
        db_column_name="number",
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

    manager.add_constraint(
        table_class_name="IdentityCheckTally",
        tablename="ce_identity_check_tally",
        constraint_name="ce_identity_check_tally_once",
        constraint_class=Unique,
        params={
            "columns": ["account_id", "day", "number"],
            "nulls_distinct": True,
        },
        schema=None,
    )

    return manager
