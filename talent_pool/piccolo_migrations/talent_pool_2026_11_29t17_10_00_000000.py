from piccolo.columns.column_types import Text
from piccolo.columns.column_types import Timestamptz
from piccolo.columns.indexes import IndexMethod


from talent_pool.schema_change import EngineSpecificMigration

ID = "2026-11-29T17:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "outbox: lease, done and failed instead of sent"

# The outbox marks a message done only after its effect committed (done_at), leases it while it
# is being delivered (leased_until) and can schedule it (due_at). Rows relayed under the old
# scheme (sent_at) count as done; the old single-certificate render task becomes the batch task.
POSTGRES = [
    "ALTER TABLE tp_outbox ADD COLUMN due_at TIMESTAMPTZ DEFAULT NULL, ADD COLUMN leased_until TIMESTAMPTZ "
    "DEFAULT NULL, ADD COLUMN done_at TIMESTAMPTZ DEFAULT NULL, ADD COLUMN failed_at TIMESTAMPTZ DEFAULT NULL, "
    "ADD COLUMN last_error TEXT NOT NULL DEFAULT ''",
    "UPDATE tp_outbox SET done_at = sent_at",
    "UPDATE tp_outbox SET task = 'certification.render_certificates', args = json_build_array(args) "
    "WHERE task = 'certification.render_certificate'",
    "ALTER TABLE tp_outbox DROP COLUMN sent_at",
    "CREATE INDEX tp_outbox_done_at ON tp_outbox (done_at)",
]
SQLITE = [
    "ALTER TABLE tp_outbox ADD COLUMN due_at TIMESTAMPTZ DEFAULT null",
    "ALTER TABLE tp_outbox ADD COLUMN leased_until TIMESTAMPTZ DEFAULT null",
    "ALTER TABLE tp_outbox ADD COLUMN done_at TIMESTAMPTZ DEFAULT null",
    "ALTER TABLE tp_outbox ADD COLUMN failed_at TIMESTAMPTZ DEFAULT null",
    "ALTER TABLE tp_outbox ADD COLUMN last_error TEXT NOT NULL DEFAULT ''",
    "UPDATE tp_outbox SET done_at = sent_at",
    "UPDATE tp_outbox SET task = 'certification.render_certificates', args = json_array(json(args)) "
    "WHERE task = 'certification.render_certificate'",
    "ALTER TABLE tp_outbox DROP COLUMN sent_at",
    'CREATE INDEX tp_outbox_done_at ON "tp_outbox" ("done_at")',
]


async def forwards():
    manager = EngineSpecificMigration(
        postgres=POSTGRES,
        sqlite=SQLITE,
        marker=("tp_outbox", "sent_at"),
        migration_id=ID,
        app_name="talent_pool",
        description=DESCRIPTION,
    )

    manager.drop_column(
        table_class_name="OutboxMessage",
        tablename="tp_outbox",
        column_name="sent_at",
        db_column_name="sent_at",
        schema=None,
    )

    manager.add_column(
        table_class_name="OutboxMessage",
        tablename="tp_outbox",
        column_name="done_at",
        db_column_name="done_at",
        column_class_name="Timestamptz",
        column_class=Timestamptz,
        params={
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
        table_class_name="OutboxMessage",
        tablename="tp_outbox",
        column_name="due_at",
        db_column_name="due_at",
        column_class_name="Timestamptz",
        column_class=Timestamptz,
        params={
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

    manager.add_column(
        table_class_name="OutboxMessage",
        tablename="tp_outbox",
        column_name="failed_at",
        db_column_name="failed_at",
        column_class_name="Timestamptz",
        column_class=Timestamptz,
        params={
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

    manager.add_column(
        table_class_name="OutboxMessage",
        tablename="tp_outbox",
        column_name="last_error",
        db_column_name="last_error",
        column_class_name="Text",
        column_class=Text,
        params={
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
        table_class_name="OutboxMessage",
        tablename="tp_outbox",
        column_name="leased_until",
        db_column_name="leased_until",
        column_class_name="Timestamptz",
        column_class=Timestamptz,
        params={
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

    return manager
