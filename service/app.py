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
from service.api.auth import AuthController, login_rate_limit
from service.api.certification import CertificationController
from service.api.reports import ReportsController
from service.api.talent import TalentController
from service.api.training import TrainingController
from service.api.verify import VerifyController, verify_rate_limit
from service.auth import build_auth
from service.errors import EXCEPTION_HANDLERS, http_error
from service.pages import PagesController
from service.settings import Settings, get_settings

log = logging.getLogger("tuoyu")


@get("/health", summary="Liveness and database check", include_in_schema=True)
async def health() -> dict[str, str]:
    await bootstrap.check_database()
    return {"status": "ok"}


def _not_authorized(request: Request[Any, Any, Any], exc: NotAuthorizedException) -> Response[Any]:
    """Browsers are sent to the login page; API clients get a 401 problem."""
    if "text/html" in request.headers.get("accept", "") and not request.url.path.startswith("/api/"):
        return Redirect(path="/login")
    return http_error(request, exc)


def create_app(settings: Settings | None = None) -> Litestar:
    """Build the app. ``settings`` defaults to the environment (``TUOYU_*``)."""
    settings = settings or get_settings()
    auth = build_auth(settings)

    def rate_store(namespace: str) -> MemoryStore | RedisStore:
        if settings.redis_url:
            return RedisStore.with_client(url=settings.redis_url, namespace=namespace)
        return MemoryStore()

    verify_router = Router(
        path="/", route_handlers=[VerifyController], middleware=[verify_rate_limit().middleware]
    )
    auth_router = Router(
        path="/", route_handlers=[AuthController], middleware=[login_rate_limit().middleware]
    )

    async def on_startup(app: Litestar) -> None:
        app.state.auth = auth
        await bootstrap.prepare(settings)

    return Litestar(
        route_handlers=[
            health,
            auth_router,
            TalentController,
            TrainingController,
            CertificationController,
            ReportsController,
            PagesController,
            verify_router,
        ],
        on_startup=[on_startup],
        on_app_init=[auth.on_app_init],
        exception_handlers={**EXCEPTION_HANDLERS, NotAuthorizedException: _not_authorized},
        stores={
            "rate_limit_verify": rate_store("tuoyu_rl_verify"),
            "rate_limit_login": rate_store("tuoyu_rl_login"),
        },
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
