from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Date
from piccolo.columns.indexes import IndexMethod

ID = "2026-11-29T20:21:08:189227"
VERSION = "1.38.0"
DESCRIPTION = "training base accreditation dates"


# Backfill: a base accredited today counts from the local date it was created (the best date
# known); a base no longer active is taken as withdrawn on that date too (it counted nowhere
# before). Dates are local in Asia/Shanghai, the default business zone (TUOYU_TIMEZONE).
_PG_BACKFILL = [
    "UPDATE tr_training_base SET accredited_on = (created_at AT TIME ZONE 'Asia/Shanghai')::date "
    "WHERE accredited AND accredited_on IS NULL",
    "UPDATE tr_training_base SET withdrawn_on = (created_at AT TIME ZONE 'Asia/Shanghai')::date "
    "WHERE NOT active AND withdrawn_on IS NULL",
]
_SQLITE_BACKFILL = [
    "UPDATE tr_training_base SET accredited_on = date(created_at, '+8 hours') "
    "WHERE accredited AND accredited_on IS NULL",
    "UPDATE tr_training_base SET withdrawn_on = date(created_at, '+8 hours') "
    "WHERE NOT active AND withdrawn_on IS NULL",
]


async def _backfill() -> None:
    from piccolo.engine.finder import engine_finder
    from piccolo.engine.sqlite import SQLiteEngine

    engine = engine_finder()
    assert engine is not None
    for sql in _SQLITE_BACKFILL if isinstance(engine, SQLiteEngine) else _PG_BACKFILL:
        await engine.run_ddl(sql)


class _ThenBackfill(MigrationManager):
    """Piccolo runs ``add_raw`` steps *before* the columns are added: backfill after them
    (idempotent: only rows still without a date)."""

    async def run(self, backwards: bool = False) -> None:
        await super().run(backwards=backwards)
        if not backwards and not self.preview:
            await _backfill()


async def forwards():
    manager = _ThenBackfill(
        migration_id=ID, app_name="training", description=DESCRIPTION
    )

    manager.add_column(
        table_class_name="TrainingBase",
        tablename="tr_training_base",
        column_name="accredited_on",
        db_column_name="accredited_on",
        column_class_name="Date",
        column_class=Date,
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
        table_class_name="TrainingBase",
        tablename="tr_training_base",
        column_name="withdrawn_on",
        db_column_name="withdrawn_on",
        column_class_name="Date",
        column_class=Date,
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
