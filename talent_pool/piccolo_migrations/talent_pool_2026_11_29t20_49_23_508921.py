from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar

ID = "2026-11-29T20:49:23:508921"
VERSION = "1.38.0"
DESCRIPTION = "index credential numbers for verification"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="talent_pool", description=DESCRIPTION)

    manager.alter_column(
        table_class_name="Credential",
        tablename="tp_credential",
        column_name="number",
        db_column_name="number",
        params={"index": True},
        old_params={"index": False},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    return manager
