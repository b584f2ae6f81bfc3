"""The Litestar application (composition root for HTTP).

``create_app()`` wires: problem-details errors, JWT login (header or cookie), the API
controllers of each package, the public verify page (rate limited), pages, OpenAPI at
``/schema``. On the embedded SQLite default it applies pending migrations and seeds the
reference data at start-up.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from litestar import Litestar, Request, Response, Router, get
from litestar.contrib.jinja import JinjaTemplateEngine
from litestar.exceptions import NotAuthorizedException
from litestar.openapi import OpenAPIConfig
from litestar.response import Redirect
from litestar.stores.memory import MemoryStore
from litestar.stores.redis import RedisStore
from litestar.template import TemplateConfig

from service import bootstrap
from service.api.auth import AuthController
from service.api.certification import CertificationController
from service.api.reports import ReportsController
from service.api.talent import TalentController
from service.api.training import TrainingController
from service.api.verify import VerifyController, verify_rate_limit
from service.auth import build_auth
from service.errors import problem_details_plugin, unexpected_error
from service.pages import PagesController
from service.settings import Settings, get_settings

log = logging.getLogger("tuoyu")


@get("/health", summary="Liveness and database check", include_in_schema=True)
async def health() -> dict[str, str]:
    await bootstrap.check_database()
    return {"status": "ok"}


def _not_authorized(request: Request[Any, Any, Any], exc: NotAuthorizedException) -> Response[Any]:
    if "text/html" in request.headers.get("accept", ""):
        return Redirect(path="/login")
    return Response(
        {
            "type": "https://tuoyu.example/problems/not_authenticated",
            "title": "NotAuthenticated",
            "status": 401,
            "detail": exc.detail if exc.detail and exc.detail != "Unauthorized" else "需要登录",
        },
        status_code=401,
        media_type="application/problem+json",
    )


def create_app(settings: Settings | None = None) -> Litestar:
    """Build the app. ``settings`` defaults to the environment (``TUOYU_*``)."""
    settings = settings or get_settings()
    auth = build_auth(settings)
    rate_store = RedisStore.with_client(url=settings.redis_url) if settings.redis_url else MemoryStore()
    verify_router = Router(
        path="/", route_handlers=[VerifyController], middleware=[verify_rate_limit().middleware]
    )

    async def on_startup(app: Litestar) -> None:
        app.state.auth = auth
        await bootstrap.prepare(settings)

    return Litestar(
        route_handlers=[
            health,
            AuthController,
            TalentController,
            TrainingController,
            CertificationController,
            ReportsController,
            PagesController,
            verify_router,
        ],
        on_startup=[on_startup],
        on_app_init=[auth.on_app_init],
        plugins=[problem_details_plugin()],
        exception_handlers={NotAuthorizedException: _not_authorized, Exception: unexpected_error},
        stores={"rate_limit": rate_store},
        template_config=TemplateConfig(
            directory=Path(__file__).parent / "templates", engine=JinjaTemplateEngine
        ),
        openapi_config=OpenAPIConfig(
            title="Tuoyu Workforce API",
            version="0.1.0",
            path="/schema",
            description="托育从业人员培训、考核、发证与规划指标追踪",
        ),
    )
