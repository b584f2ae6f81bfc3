from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Integer
from piccolo.columns.column_types import Varchar

ID = "2026-11-30T05:45:22:217782"
VERSION = "1.38.0"
DESCRIPTION = "audit entries indexed by kind and login (refused writes per login)"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="accounts", description=DESCRIPTION
    )

    manager.alter_column(
        table_class_name="AuditEntry",
        tablename="acc_audit",
        column_name="kind",
        db_column_name="kind",
        params={"index": True},
        old_params={"index": False},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    manager.alter_column(
        table_class_name="AuditEntry",
        tablename="acc_audit",
        column_name="actor_id",
        db_column_name="actor_id",
        params={"index": True},
        old_params={"index": False},
        column_class=Integer,
        old_column_class=Integer,
        schema=None,
    )

    return manager
