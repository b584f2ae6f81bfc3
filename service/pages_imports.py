"""The regulator's import page (``/dashboard/imports``): upload a spreadsheet of one kind with a
dry-run checkbox, follow the background job's progress, read the report; export links. The page
itself only renders the form; its JS calls ``/api/imports`` (service/api/imports.py)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get
from litestar.response import Template

import talent_pool
from service.policy import action, import_scope, user_of
from talent_pool.import_columns import COLUMNS, KIND_NAMES, KINDS


class ImportPagesController(Controller):
    path = "/dashboard/imports"
    include_in_schema = False

    @get("/", opt=action("page.regulator"))
    async def index(self, request: Request[Any, Any, Any]) -> Template:
        district = import_scope(user_of(request))
        names = {d["code"]: d["name"] for d in await talent_pool.list_districts()} if district else {}
        return Template(
            template_name="imports/index.html",
            context={
                "kinds": [(k, KIND_NAMES[k]) for k in KINDS],
                "columns": COLUMNS,
                "district": district,
                "district_name": names.get(district or ""),
            },
        )
