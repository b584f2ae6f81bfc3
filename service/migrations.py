"""Apply committed Piccolo migrations programmatically (start-up on the embedded default, CLI)."""

from __future__ import annotations

import contextlib
import io

from piccolo.apps.migrations.commands.forwards import run_forwards


async def migrate() -> None:
    """Apply every pending migration of every app, in dependency order.

    Raises ``RuntimeError`` when a migration fails (nothing is half-applied: Piccolo runs each
    migration in a transaction).
    """
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):  # Piccolo prints a banner per app
        response = await run_forwards(app_name="all", migration_id="all", fake=False)
    if not response.success:
        raise RuntimeError(f"数据库迁移失败: {response.message}\n{buffer.getvalue()}")
