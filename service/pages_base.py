"""The training base's pages (实训基地教务, Chinese, tablet/PC first, usable at 390 px).

Server-rendered views of the base's records; every write goes through the JSON API from
``service/static/base.js`` (same policy, same Chinese errors):

- ``/base`` 本基地班级: offerings (status, dates, enrolled/capacity/waitlist), opening an offering,
  each offering's sessions (add one, recurring on weekdays skipping holidays, move, cancel);
- ``/base/offerings/{id}`` 名单与考勤: the roster, attendance by tapping names with a running
  count, completion with each person's outcome and reason;
- ``/base/sessions/{id}/checkin`` 签到屏: the rotating check-in QR (a new token per 15-second
  window, rendered in the browser), a countdown and the live count;
- ``/base/sittings`` 考试场次 and ``/base/sittings/{id}``: candidates, score entry, issuance and
  the certificates issued (linking to the public check ``/v/{number}``).

Action ``page.base`` (city admin, base staff); each page then checks the record it names
(:func:`service.policy.ensure_base` and friends) exactly as the API does. Names are shown (the
base needs them to run a class); ID numbers never.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Annotated, Any

from litestar import Controller, Request, get
from litestar.params import QueryParameter
from litestar.response import Template

import certification
import training
from certification.tables import Certificate, ExamSitting
from service.errors import status_for
from service.hygiene import OptionalQueryId
from service.policy import CITY, action, ensure_base, ensure_offering, ensure_session, ensure_sitting, user_of
from service.runtime import Runtime
from talent_pool.errors import TuoyuError
from talent_pool.tables import Practitioner
from training.tables import Enrollment

OFFERING_STATUS = {"open": "报名中", "closed": "已截止", "completed": "已结业", "cancelled": "已取消"}
SESSION_STATUS = {"scheduled": "", "cancelled": "已停课"}
SITTING_STATUS = {"scheduled": "进行中", "issued": "已发证", "cancelled": "已取消"}
ENROLLMENT_STATUS = {
    "confirmed": "已确认",
    "waitlisted": "候补",
    "cancelled": "已取消",
    "completed": "已结业",
    "not_completed": "未结业",
    "not_admitted": "未录取",
}
WEEKDAYS = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"]


def _error_page(request: Request[Any, Any, Any], exc: TuoyuError) -> Template:
    """Domain and policy errors on these pages: the Chinese error page with the API's status."""
    return Template(template_name="error.html", context={"message": exc.message}, status_code=status_for(exc))


async def _base_of(request: Request[Any, Any, Any], base_id: int | None) -> int | None:
    """The base a page is about: base staff's own (another one is refused 403); a city admin's
    ``base_id`` (``None``: not chosen yet)."""
    user = user_of(request)
    chosen = base_id if base_id is not None else (None if user.role == CITY else user.training_base_id)
    if chosen is None and user.role == CITY:
        return None
    await ensure_base(user, chosen)
    return chosen


async def _waitlisted(offering_ids: list[int]) -> Counter[int]:
    """People waiting per offering (enrollments with status ``waitlisted``)."""
    if not offering_ids:
        return Counter()
    rows = await Enrollment.select(Enrollment.offering).where(
        Enrollment.offering.is_in(offering_ids) & (Enrollment.status == "waitlisted")
    )
    return Counter(int(r["offering"]) for r in rows)


async def base_home(base_id: int) -> dict[str, Any]:
    """What ``/base`` shows: the base, its offerings (newest start first) with their waitlist
    counts and, for those still running, their sessions; the course catalog for opening an
    offering. Raises ``TrainingNotFound``."""
    base = await training.get_training_base(base_id)
    offerings = sorted(
        await training.list_offerings(training_base_id=base_id),
        key=lambda o: (o.start_date, o.id),
        reverse=True,
    )
    waiting = await _waitlisted([o.id for o in offerings])
    # sessions of the classes still running (finished ones: the count only — a base keeps years)
    sessions = {
        o.id: await training.list_sessions(o.id)
        for o in offerings
        if o.status not in ("completed", "cancelled")
    }
    return {
        "base": base,
        "offerings": offerings,
        "waiting": waiting,
        "sessions": sessions,
        "courses": await training.list_courses(),
    }


async def offering_page(
    offering_id: int, *, today: dt.date, now: dt.datetime, times: training.SessionTimes
) -> dict[str, Any]:
    """What ``/base/offerings/{id}`` shows: the offering, its roster (confirmed people first), its
    sessions, the session to take attendance for by default (today's, else the latest past
    one, else the first) and ``refusal``: why 结业 would be refused at ``now`` (aware UTC; not
    begun, nothing held, sessions still to come, a schedule short of the course's hours) — the
    server's own error (``training.completion_refusal``: ``message`` and ``code``), else
    ``None``. ``today`` is the business date of ``now``, ``times`` the runtime's session times.
    Raises ``TrainingNotFound``."""
    offering = await training.get_offering(offering_id)
    roster = await training.list_enrollments(offering_id)
    order = {"confirmed": 0, "completed": 1, "not_completed": 2, "waitlisted": 3}
    roster.sort(key=lambda e: (order.get(e.status, 9), e.waitlist_position or 0, e.id))
    sessions = await training.list_sessions(offering_id)
    live = [s for s in sessions if s.status != "cancelled"]
    past = [s for s in live if s.day <= today]
    current = past[-1] if past else (live[0] if live else None)
    open_ = offering.status not in ("completed", "cancelled")
    # why completion would be refused now: the page disables 结业 with it; the very check (and
    # message) of the server's refusal
    refusal = await training.completion_refusal(offering_id, now=now, times=times) if open_ else None
    return {
        "offering": offering,
        "roster": roster,
        "sessions": live,
        "current": current,
        "refusal": refusal,
    }


async def checkin_page(session_id: int) -> dict[str, Any]:
    """What the check-in screen needs: the session, its offering and how many are expected
    (confirmed enrollments). Raises ``TrainingNotFound``."""
    session = await training.get_session(session_id)
    offering = await training.get_offering(session.offering_id)
    return {"session": session, "offering": offering, "expected": offering.confirmed_count}


async def base_sittings(base_id: int) -> dict[str, Any]:
    """The base's exam sittings (newest exam date first) and the active programmes."""
    base = await training.get_training_base(base_id)
    ids = [
        int(r["id"])
        for r in await ExamSitting.select(ExamSitting.id)
        .where(ExamSitting.training_base_id == base_id)
        .order_by(ExamSitting.exam_date, ascending=False)
        .order_by(ExamSitting.id, ascending=False)
    ]
    sittings = [await certification.get_sitting(i) for i in ids]
    return {"base": base, "sittings": sittings, "programmes": await certification.list_programmes()}


async def trained_at_base(base_id: int | None) -> list[dict[str, Any]]:
    """People who completed a class at the base (``practitioner``, ``name``, ``title`` of the
    latest such class), newest first: whom the base registers for its sittings."""
    if base_id is None:
        return []
    rows = (
        await Enrollment.select(
            Enrollment.practitioner,
            Enrollment.practitioner.name.as_alias("name"),
            Enrollment.offering.title.as_alias("title"),
        )
        .where((Enrollment.offering.training_base == base_id) & (Enrollment.status == "completed"))
        .order_by(Enrollment.offering.completed_on, ascending=False)
        .order_by(Enrollment.id, ascending=False)
    )
    seen: dict[int, dict[str, Any]] = {}
    for r in rows:
        seen.setdefault(int(r["practitioner"]), r)
    return list(seen.values())


async def sitting_page(sitting_id: int) -> dict[str, Any]:
    """One sitting: its candidates with their names and scores, the programme (pass marks), the
    base's trained people not registered yet, and the certificates issued from it (number,
    holder's name, status). Raises ``NotFound``."""
    sitting = await certification.get_sitting(sitting_id)
    programme = await certification.get_programme(sitting.programme_code)
    candidates = await certification.list_candidates(sitting_id)
    ids = [c.practitioner_id for c in candidates] or [-1]
    names = {
        int(r["id"]): r["name"]
        for r in await Practitioner.select(Practitioner._meta.primary_key, Practitioner.name).where(
            Practitioner._meta.primary_key.is_in(ids)
        )
    }
    certificates = (
        await Certificate.select(
            Certificate.number,
            Certificate.holder_name,
            Certificate.status,
            Certificate.issued_on,
            Certificate.practitioner,
        )
        .where(Certificate.sitting == sitting_id)
        .order_by(Certificate.number)
    )
    registered = {c.practitioner_id for c in candidates}
    trained = [
        t for t in await trained_at_base(sitting.training_base_id) if t["practitioner"] not in registered
    ]
    return {
        "sitting": sitting,
        "programme": programme,
        "trained": trained,
        "candidates": candidates,
        "names": names,
        "certificates": certificates,
    }


class BasePagesController(Controller):
    """``/base…`` pages for base staff and city admins (``page.base``)."""

    path = "/base"
    include_in_schema = False
    exception_handlers = {TuoyuError: _error_page}

    @get("/", opt=action("page.base"))
    async def home(
        self,
        request: Request[Any, Any, Any],
        rt: Runtime,
        base_id: OptionalQueryId = None,
    ) -> Template:
        chosen = await _base_of(request, base_id)
        if chosen is None:
            bases = await training.list_training_bases()
            return Template(template_name="base_staff/choose.html", context={"bases": bases})
        context = await base_home(chosen)
        context.update(
            today=rt.today(),
            status_names=OFFERING_STATUS,
            session_status=SESSION_STATUS,
            weekdays=WEEKDAYS,
            query=f"?base_id={chosen}" if user_of(request).role == CITY else "",
        )
        return Template(template_name="base_staff/home.html", context=context)

    @get("/offerings/{offering_id:int}", opt=action("page.base"))
    async def offering(self, offering_id: int, request: Request[Any, Any, Any], rt: Runtime) -> Template:
        await ensure_offering(user_of(request), offering_id)
        context = await offering_page(offering_id, today=rt.today(), now=rt.now(), times=rt.session_times)
        context.update(status_names=OFFERING_STATUS, enrollment_status=ENROLLMENT_STATUS, today=rt.today())
        return Template(template_name="base_staff/offering.html", context=context)

    @get("/sessions/{session_id:int}/checkin", opt=action("page.base"))
    async def checkin(
        self,
        session_id: int,
        request: Request[Any, Any, Any],
        refresh: Annotated[int, QueryParameter(ge=1, le=15)] = 15,
    ) -> Template:
        await ensure_session(user_of(request), session_id)
        context = await checkin_page(session_id)
        context["refresh"] = refresh
        return Template(template_name="base_staff/checkin.html", context=context)

    @get("/sittings", opt=action("page.base"))
    async def sittings(
        self,
        request: Request[Any, Any, Any],
        rt: Runtime,
        base_id: OptionalQueryId = None,
    ) -> Template:
        chosen = await _base_of(request, base_id)
        if chosen is None:
            bases = await training.list_training_bases()
            return Template(
                template_name="base_staff/choose.html", context={"bases": bases, "target": "/base/sittings"}
            )
        context = await base_sittings(chosen)
        context.update(today=rt.today(), status_names=SITTING_STATUS)
        return Template(template_name="base_staff/sittings.html", context=context)

    @get("/sittings/{sitting_id:int}", opt=action("page.base"))
    async def sitting(self, sitting_id: int, request: Request[Any, Any, Any]) -> Template:
        await ensure_sitting(user_of(request), sitting_id)
        context = await sitting_page(sitting_id)
        context["status_names"] = SITTING_STATUS
        return Template(template_name="base_staff/sitting.html", context=context)
