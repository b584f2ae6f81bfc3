"""The hello-world baseline: a minimal Litestar app with one GET route returning ``{"status": "ok"}``.

Served by uvicorn with the same options as ``tuoyu serve`` (uvloop, httptools, no access log);
``/health`` of the real app divided by this is the cost of the app's middleware stack.
"""

from __future__ import annotations

from litestar import Litestar, get


@get("/")
async def hello() -> dict[str, str]:
    return {"status": "ok"}


app = Litestar(route_handlers=[hello])
