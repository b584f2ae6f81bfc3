"""The trainee's pages (从业人员/学员, phone-first, zh-CN): 我的培训, the course catalog, QR
check-in, the training record, certificates, online lessons, 求职 (consent to the talent search,
employers' contact requests), and self sign-up.

Each page is a server-rendered shell; ``service/static/trainee.js`` fills it from the JSON API
(``/api/me/*``, ``/api/catalog/*``, ``/api/checkin``, ``/api/auth/*``) with the trainee's own
login cookie, so a page shows exactly what the API lets the trainee see (``service/policy.py``).

Two pages are public shells: ``/signup`` (sign-up needs no login) and ``/checkin?t=<token>``, the
URL the base's rotating check-in QR encodes (``service/api/attendance.py``, ``checkin_token``):
scanned with the phone's own camera app it opens this page, whose script posts the token; without
a login cookie it redirects to ``/login?next=/checkin?t=…``, which comes back here after login (a
token lives 15–30 s: when the login took longer the page says 二维码已过期 and the trainee scans
the screen again).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from litestar import Controller, Request, get
from litestar.response import Redirect, Template

from service.policy import action
from service.runtime import Runtime

NAV = (
    ("/my", "我的培训"),
    ("/my/catalog", "报名"),
    ("/my/checkin", "签到"),
    ("/my/lessons", "学习"),
    ("/my/exams", "考试"),  # built by the exam pages
    ("/my/record", "记录"),
    ("/my/certificates", "证书"),
    ("/my/talent", "求职"),
)
"""The trainee's navigation: (path, label); ``/my/exams`` belongs to the exam-taking pages."""


def _page(template: str, active: str, **context: Any) -> Template:
    return Template(template_name=f"trainee/{template}", context={"nav": NAV, "active": active, **context})


class TraineePagesController(Controller):
    """Pages of the ``trainee`` role (``page.trainee``) plus the public sign-up and QR landing."""

    path = "/"
    include_in_schema = False

    @get("/my", opt=action("page.trainee"))
    async def home(self) -> Template:
        """我的培训: enrollments (cancel), upcoming sessions, notices; identity code when pending."""
        return _page("home.html", "/my")

    @get("/my/catalog", opt=action("page.trainee"))
    async def catalog(self) -> Template:
        """The open offerings with filters (district, category, month, seats left) and 报名."""
        return _page("catalog.html", "/my/catalog")

    @get("/my/checkin", opt=action("page.trainee"))
    async def checkin(self) -> Template:
        """Scan the check-in QR with the camera in the page, or paste the link / code."""
        return _page("checkin.html", "/my/checkin")

    @get("/checkin", opt=action("public"))
    async def checkin_link(self, request: Request[Any, Any, Any], t: str = "") -> Template | Redirect:
        """What the check-in QR opens (``?t=<token>``): the same page, checking in at once.
        Without the login cookie: the login page first, coming back here (``?next=``)."""
        if not request.cookies.get(request.app.state.auth.key):
            here = "/checkin?t=" + quote(t[:100], safe="")
            return Redirect(path="/login?next=" + quote(here, safe=""))
        return _page("checkin.html", "/my/checkin")

    @get("/my/record", opt=action("page.trainee"))
    async def record(self) -> Template:
        """My training record: trainings by year with hours."""
        return _page("record.html", "/my/record")

    @get("/my/certificates", opt=action("page.trainee"))
    async def certificates(self) -> Template:
        """My certificates: status, expiry, PDF, the QR to show an employer."""
        return _page("certificates.html", "/my/certificates")

    @get("/my/lessons", opt=action("page.trainee"))
    async def lessons(self) -> Template:
        """The online lessons of my classes with my progress in each."""
        return _page("lessons.html", "/my/lessons")

    @get("/my/talent", opt=action("page.trainee"))
    async def talent(self) -> Template:
        """求职: my consent to the talent search (with the district I want to work in, and what
        employers will and won't see) and employers' contact requests to answer (同意/拒绝)."""
        return _page("talent.html", "/my/talent")

    @get("/signup", opt=action("public"))
    async def signup(self, rt: Runtime) -> Template:
        """Self sign-up with real-name verification (one-time code). ``demo_sms``: codes go to the
        service log (``TUOYU_SMS_BACKEND=console``), which the page says."""
        return _page("signup.html", "", demo_sms=rt.settings.sms_backend != "webhook")
