import sqlite3
from collections.abc import Callable

from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod
from piccolo.constraints import Unique

from talent_pool.schema_change import EngineSpecificMigration

ID = "2026-11-29T17:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "constraints instead of key strings"

# One registration per sitting and candidate, one certificate per sitting and candidate, one
# direct certificate per programme, person and reference: constraints instead of the key strings
# ExamResult.key ("sid:pid") and Certificate.issue_key ("sitting:sid:pid" /
# "direct:programme:pid:reference"). A direct certificate keeps its reference in issue_reference.
DIRECT_REF = "NULLIF(LEFT(REGEXP_REPLACE(issue_key, '^direct:[^:]*:[^:]*:', ''), 64), issue_key)"

POSTGRES = [
    "ALTER TABLE ce_certificate ADD COLUMN issue_reference VARCHAR(64) DEFAULT NULL",
    f"UPDATE ce_certificate SET issue_reference = {DIRECT_REF} WHERE issue_key LIKE 'direct:%'",
    "ALTER TABLE ce_certificate DROP COLUMN issue_key",
    "ALTER TABLE ce_certificate ADD CONSTRAINT ce_certificate_one_per_sitting UNIQUE (sitting, practitioner)",
    "ALTER TABLE ce_certificate ADD CONSTRAINT ce_certificate_one_direct "
    "UNIQUE (programme, practitioner, issue_reference)",
    "ALTER TABLE ce_exam_result DROP COLUMN key",
    "ALTER TABLE ce_exam_result ADD CONSTRAINT ce_exam_result_one_per_sitting UNIQUE (sitting, practitioner)",
]


def _direct_reference(key: str) -> str | None:
    parts = key.split(":", 3)
    return parts[3][:64] if key.startswith("direct:") and len(parts) == 4 else None


def _copy_certificates(con: sqlite3.Connection) -> None:
    rows = con.execute("SELECT id, issue_key FROM ce_certificate").fetchall()
    con.execute(
        "INSERT INTO ce_certificate_new SELECT id, number, NULL, programme, practitioner, sitting, holder_name, "
        "holder_id_number, issuer, issued_on, expires_on, status, status_changed_on, status_reason, "
        "status_changed_by, signature, verify_url, kid, created_at FROM ce_certificate"
    )
    con.executemany(
        "UPDATE ce_certificate_new SET issue_reference = ? WHERE id = ?",
        [(_direct_reference(key), cid) for cid, key in rows if _direct_reference(key) is not None],
    )


_FK = "ON DELETE RESTRICT ON UPDATE CASCADE DEFAULT null"
SQLITE: list[str | Callable[[sqlite3.Connection], None]] = [
    'CREATE TABLE "ce_certificate_new" ("id" INTEGER PRIMARY KEY NOT NULL, '
    '"number" VARCHAR(22) UNIQUE NOT NULL DEFAULT \'\', "issue_reference" VARCHAR(64) DEFAULT null, '
    f'"programme" INTEGER REFERENCES "ce_programme" ("id") {_FK}, '
    f'"practitioner" INTEGER REFERENCES "tp_practitioner" ("id") {_FK}, '
    f'"sitting" INTEGER REFERENCES "ce_exam_sitting" ("id") {_FK}, '
    '"holder_name" VARCHAR(64) NOT NULL DEFAULT \'\', "holder_id_number" VARCHAR(18) NOT NULL DEFAULT \'\', '
    '"issuer" VARCHAR(128) NOT NULL DEFAULT \'\', "issued_on" DATE NOT NULL DEFAULT CURRENT_DATE, '
    '"expires_on" DATE DEFAULT null, "status" VARCHAR(12) NOT NULL DEFAULT \'valid\', '
    '"status_changed_on" DATE DEFAULT null, "status_reason" TEXT NOT NULL DEFAULT \'\', '
    '"status_changed_by" VARCHAR(64) NOT NULL DEFAULT \'\', "signature" VARCHAR(128) NOT NULL DEFAULT \'\', '
    '"verify_url" TEXT NOT NULL DEFAULT \'\', "kid" VARCHAR(64) NOT NULL DEFAULT \'\', '
    '"created_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp, '
    "CONSTRAINT ce_certificate_one_per_sitting UNIQUE (sitting, practitioner), "
    "CONSTRAINT ce_certificate_one_direct UNIQUE (programme, practitioner, issue_reference))",
    _copy_certificates,
    "DROP TABLE ce_certificate",
    "ALTER TABLE ce_certificate_new RENAME TO ce_certificate",
    'CREATE INDEX ce_certificate_programme ON "ce_certificate" ("programme")',
    'CREATE INDEX ce_certificate_practitioner ON "ce_certificate" ("practitioner")',
    'CREATE TABLE "ce_exam_result_new" ("id" INTEGER PRIMARY KEY NOT NULL, '
    f'"sitting" INTEGER REFERENCES "ce_exam_sitting" ("id") {_FK}, '
    f'"practitioner" INTEGER REFERENCES "tp_practitioner" ("id") {_FK}, '
    '"theory" NUMERIC(5, 1) DEFAULT null, "practical" NUMERIC(5, 1) DEFAULT null, "passed" BOOLEAN DEFAULT null, '
    '"entered_by" VARCHAR(64) NOT NULL DEFAULT \'\', "entered_at" TIMESTAMPTZ DEFAULT null, '
    '"registered_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp, '
    "CONSTRAINT ce_exam_result_one_per_sitting UNIQUE (sitting, practitioner))",
    "INSERT INTO ce_exam_result_new SELECT id, sitting, practitioner, theory, practical, passed, entered_by, "
    "entered_at, registered_at FROM ce_exam_result",
    "DROP TABLE ce_exam_result",
    "ALTER TABLE ce_exam_result_new RENAME TO ce_exam_result",
    'CREATE INDEX ce_exam_result_sitting ON "ce_exam_result" ("sitting")',
    'CREATE INDEX ce_exam_result_practitioner ON "ce_exam_result" ("practitioner")',
]


async def forwards():
    manager = EngineSpecificMigration(
        postgres=POSTGRES,
        sqlite=SQLITE,
        marker=("ce_exam_result", "key"),
        migration_id=ID,
        app_name="certification",
        description=DESCRIPTION,
    )

    manager.drop_column(
        table_class_name="Certificate",
        tablename="ce_certificate",
        column_name="issue_key",
        db_column_name="issue_key",
        schema=None,
    )

    manager.drop_column(
        table_class_name="ExamResult",
        tablename="ce_exam_result",
        column_name="key",
        db_column_name="key",
        schema=None,
    )

    manager.add_column(
        table_class_name="Certificate",
        tablename="ce_certificate",
        column_name="issue_reference",
        db_column_name="issue_reference",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 64,
            "default": None,
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
        table_class_name="Certificate",
        tablename="ce_certificate",
        constraint_name="ce_certificate_one_direct",
        constraint_class=Unique,
        params={
            "columns": ["programme", "practitioner", "issue_reference"],
            "nulls_distinct": True,
        },
        schema=None,
    )

    manager.add_constraint(
        table_class_name="Certificate",
        tablename="ce_certificate",
        constraint_name="ce_certificate_one_per_sitting",
        constraint_class=Unique,
        params={"columns": ["sitting", "practitioner"], "nulls_distinct": True},
        schema=None,
    )

    manager.add_constraint(
        table_class_name="ExamResult",
        tablename="ce_exam_result",
        constraint_name="ce_exam_result_one_per_sitting",
        constraint_class=Unique,
        params={"columns": ["sitting", "practitioner"], "nulls_distinct": True},
        schema=None,
    )

    return manager
