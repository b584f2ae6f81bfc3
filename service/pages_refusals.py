"""The regulator's page of refused employment claims (``/dashboard/refusals`` 认领拒绝记录, action
``audit.refusals``): per employer login, how many of its claims were refused on the chosen local
days, how (no match, claimed already, bad input, over a limit), the first and the last; a login's
own refusals one page at a time. The same data and scope as ``GET /api/audit/refusals``
(``service.audit_refusals``): a district admin sees the logins of their district. The refusals
name no person, and neither does the page."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from litestar import Controller, Request, get
from litestar.params import QueryParameter
from litestar.response import Template

from service import usecases
from service.errors import status_for
from service.hygiene import OptionalQueryId
from service.policy import ROLE_NAMES, action, user_of
from service.runtime import Runtime
from talent_pool.errors import TuoyuError

PAGE_SIZE = 50
DEFAULT_DAYS = 30
"""Without dates the page shows the last 30 local days, today included."""

STATUS_TEXT = {
    400: "格式错误",
    404: "未匹配",
    409: "已认领或冲突",
    422: "不符合要求",
    429: "超过频率限制",
}
"""What a refused claim's status means, in the page's words."""


def status_text(status: int) -> str:
    """The Chinese label of a refused claim's status (``被拒（<status>）`` for any other)."""
    return STATUS_TEXT.get(status, f"被拒（{status}）")


def _error_page(request: Request[Any, Any, Any], exc: TuoyuError) -> Template:
    """Domain errors on pages: a Chinese message, not JSON."""
    return Template(template_name="error.html", context={"message": exc.message}, status_code=status_for(exc))


class RefusalPagesController(Controller):
    path = "/dashboard/refusals"
    include_in_schema = False
    exception_handlers = {TuoyuError: _error_page}

    @get("/", opt=action("audit.refusals"))
    async def index(
        self,
        request: Request[Any, Any, Any],
        rt: Runtime,
        since: Annotated[dt.date | None, QueryParameter(name="from")] = None,
        until: Annotated[dt.date | None, QueryParameter(name="to")] = None,
        account_id: OptionalQueryId = None,
        page: Annotated[int, QueryParameter(ge=1, le=100000)] = 1,
    ) -> Template:
        today = rt.today()
        until = until or today
        since = since or min(until, today - dt.timedelta(days=DEFAULT_DAYS - 1))
        report = await usecases.refusals_report(
            rt,
            user_of(request),
            since=since,
            until=until,
            account_id=account_id,
            limit=PAGE_SIZE,
            offset=(page - 1) * PAGE_SIZE,
        )
        chosen = next((a for a in report["accounts"] if a["account_id"] == account_id), None)
        return Template(
            template_name="regulator/refusals.html",
            context={
                "since": since,
                "until": until,
                "accounts": report["accounts"],
                "entries": report["entries"],
                "total": report["total"],
                "account_id": account_id,
                "chosen": chosen,
                "page": page,
                "pages": max(1, -(-report["total"] // PAGE_SIZE)),
                "local": lambda at: rt.clock.local(at).strftime("%Y-%m-%d %H:%M:%S"),
                "status_text": status_text,
                "role_names": ROLE_NAMES,
            },
        )
