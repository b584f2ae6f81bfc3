"""Piccolo app: accounts (users, roles and their scopes) — owned by the service layer."""

import os

from piccolo.conf.apps import AppConfig, table_finder

CURRENT_DIRECTORY = os.path.dirname(os.path.abspath(__file__))

APP_CONFIG = AppConfig(
    app_name="accounts",
    migrations_folder_path=os.path.join(CURRENT_DIRECTORY, "piccolo_migrations"),
    table_classes=table_finder(modules=["service.accounts.tables"], exclude_imported=True),
    migration_dependencies=["talent_pool.piccolo_app"],
    commands=[],
)
