"""Pages of training in depth (issue 9): the trainer pool, subsidies and the lesson player.

Server-rendered shells and tables in Chinese; every write goes through the JSON API from
``service/static/training.js`` (same policy, same Chinese errors):

- ``/base/trainers`` 师资 (``page.base``: base staff, a city admin choosing a base) — the base's
  trainers (masked ID numbers, qualifications, courses they may teach, rank), adding one
  (``POST /api/trainers`` then ``…/courses``), and the base's coming sessions with who teaches
  them; assigning a trainer (``POST /api/sessions/{id}/trainers``) shows a refused double
  booking in Chinese;
- ``/dashboard/trainers`` 师资库 (``page.regulator``) — the pool by district (a district admin:
  their own), each trainer's evaluations and rank history (loaded from the API when opened) and
  the promotion form with its reason (``POST /api/trainers/{id}/rank``);
- ``/dashboard/subsidies`` 培训补贴 (``page.regulator``) — the offerings of the scope, flagging one
  subsidised, its roster (eligible and excluded with the reason), the 人社 xlsx, recording claims;
- ``/dashboard/bases`` 实训基地 (``page.regulator``) — the bases of the scope (a district admin:
  their own) with their accreditation and withdrawal dates; changing one
  (``PATCH /api/training-bases/{id}``: name, address, 认定日期, 撤销日期 with its reason) and its
  change history (``GET …/changes``);
- ``/my/lessons/{lesson_id}`` 观看课件 (``page.trainee``, phone; ``?enrollment=E`` optional: the
  trainee's own running enrollment of a course with the lesson is found when left out, anything
  else answers 404 in Chinese, never someone else's data) — an HTML5 video
  of the lesson that posts the API's heartbeats (about every 15 s while playing, on pause and on
  the end); the server decides what counts (:mod:`training.online_rules`).

Record checks exactly as in the API (:mod:`service.policy`): base staff only their base,
district admins only their district, a trainee only their own enrollment of the lesson's course.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from litestar import Controller, Request, get
from litestar.params import QueryParameter
from litestar.response import Template

import talent_pool
import training
from service import regulator
from service.errors import status_for
from service.hygiene import OptionalQueryId
from service.pages_trainee import NAV as TRAINEE_NAV
from service.policy import (
    CITY,
    DISTRICT,
    action,
    ensure_base,
    trainer_district,
    user_of,
)
from service.runtime import Runtime
from talent_pool.errors import TuoyuError
from training.errors import TrainingNotFound
from training.trainer_rules import RANK_NAMES

SESSION_LIMIT = 60
"""Coming sessions listed on ``/base/trainers`` (the next ones first)."""
OFFERING_LIMIT = 200
"""Offerings listed on ``/dashboard/subsidies`` (newest start first)."""
OFFERING_STATUS = {"open": "报名中", "closed": "已截止", "completed": "已结业", "cancelled": "已取消"}


def _error_page(request: Request[Any, Any, Any], exc: TuoyuError) -> Template:
    """Domain and policy errors on these pages: the Chinese error page with the API's status."""
    return Template(template_name="error.html", context={"message": exc.message}, status_code=status_for(exc))


async def base_trainers(base_id: int, today: dt.date) -> dict[str, Any]:
    """What ``/base/trainers`` shows: the base, its trainers (ID numbers masked, no phone), the
    course catalog (names of the courses a trainer may teach) and the coming scheduled sessions
    (``day >= today``, local) of its running offerings with the trainers assigned to each — at
    most :data:`SESSION_LIMIT`, soonest first. Raises ``TrainingNotFound``."""
    base = await training.get_training_base(base_id)
    trainers = [
        t.model_copy(update={"id_number": talent_pool.mask_id_number(t.id_number), "phone": ""})
        for t in await training.list_trainers(district_code=base.district_code)
        if t.training_base_id == base_id
    ]
    offerings = [
        o
        for o in await training.list_offerings(training_base_id=base_id)
        if o.status in ("open", "closed") and o.end_date >= today
    ]
    sessions = []
    for o in offerings:
        for s in await training.list_sessions(o.id):
            if s.status == "scheduled" and s.day >= today:
                sessions.append((s, o))
    sessions.sort(key=lambda pair: (pair[0].day, pair[0].starts_at, pair[0].id))
    sessions = sessions[:SESSION_LIMIT]
    assigned = {s.id: await training.trainers_of_session(s.id) for s, _ in sessions}
    return {
        "base": base,
        "trainers": trainers,
        "courses": {c.id: c for c in await training.list_courses()},
        "sessions": sessions,
        "assigned": assigned,
    }


async def pool_page(scope: str | None) -> dict[str, Any]:
    """What ``/dashboard/trainers`` shows: the pool of ``scope`` (a district code, ``None``: the
    city) grouped by district in code order, with base and course names. ID numbers are not
    shown on the page (it needs none)."""
    names = await regulator.district_names()
    trainers = await training.list_trainers(district_code=scope)
    groups: dict[str, list[Any]] = {}
    for t in trainers:
        groups.setdefault(t.district_code, []).append(t)
    return {
        "groups": sorted(groups.items()),
        "total": len(trainers),
        "district_names": names,
        "bases": {b.id: b.name for b in await training.list_training_bases()},
        "courses": {c.id: c.title for c in await training.list_courses()},
    }


async def subsidy_page(scope: str | None) -> dict[str, Any]:
    """What ``/dashboard/subsidies`` shows: the offerings of ``scope`` (district code or ``None``
    for the city), cancelled ones left out, newest start first, at most :data:`OFFERING_LIMIT`."""
    offerings = [
        o
        for o in await training.list_offerings()
        if o.status != "cancelled" and (scope is None or o.district_code == scope)
    ]
    offerings.sort(key=lambda o: (o.start_date, o.id), reverse=True)
    return {"offerings": offerings[:OFFERING_LIMIT], "more": len(offerings) > OFFERING_LIMIT}


NO_ENROLLMENT = "没有找到你报名的、包含此课件的班级（或报名已取消、班级已结业）。请从“学习”页打开课件。"
"""What the player answers for a lesson the trainee has no running enrollment for — the same
words whether the lesson, the enrollment or someone else's enrollment was named."""


async def player_page(
    practitioner_id: int, lesson_id: int, enrollment_id: int | None, *, media_base: str
) -> dict[str, Any]:
    """The lesson (title, ``media_url``, duration in seconds), the enrollment and its offering
    for the trainee ``practitioner_id``: ``enrollment_id`` when it is one of theirs, confirmed,
    of a course that has the lesson; without it, their newest such enrollment (so a link needs
    no id). Raises ``TrainingNotFound`` with :data:`NO_ENROLLMENT` otherwise — an unknown lesson,
    an unknown enrollment and another person's enrollment get the same answer."""
    for enrollment in await training.enrollments_of_practitioner(practitioner_id):  # newest first
        if enrollment.status != "confirmed" or enrollment_id not in (None, enrollment.id):
            continue
        offering = await training.get_offering(enrollment.offering_id)
        lessons = await training.list_lessons(offering.course_id, media_base=media_base)
        lesson = next((lesson for lesson in lessons if lesson.id == lesson_id), None)
        if lesson is not None:
            return {"lesson": lesson, "enrollment": enrollment, "offering": offering}
    raise TrainingNotFound(NO_ENROLLMENT, lesson_id=lesson_id)


async def bases_page(scope: str | None) -> dict[str, Any]:
    """What ``/dashboard/bases`` shows: the training bases of ``scope`` (a district code, ``None``:
    the city) in district and id order."""
    bases = await training.list_training_bases(scope)
    bases.sort(key=lambda b: (b.district_code, b.id))
    return {"bases": bases, "district_names": await regulator.district_names()}


def _regulator_scope(request: Request[Any, Any, Any], district_code: str | None) -> str | None:
    """The district a regulator page is about: a district admin's own (another is 403), a city
    admin's choice (``None``: the whole city)."""
    return trainer_district(user_of(request), district_code or None)


class TrainingPagesController(Controller):
    """``/base/trainers``, ``/dashboard/trainers``, ``/dashboard/subsidies`` and the player."""

    path = "/"
    include_in_schema = False
    exception_handlers = {TuoyuError: _error_page}

    @get("/base/trainers", opt=action("page.base"))
    async def base_pool(
        self,
        request: Request[Any, Any, Any],
        rt: Runtime,
        base_id: OptionalQueryId = None,
    ) -> Template:
        """师资: the base's trainers, adding one, assigning them to coming sessions."""
        user = user_of(request)
        chosen = base_id if base_id is not None else user.training_base_id
        if chosen is None and user.role == CITY:
            return Template(
                template_name="base_staff/choose.html",
                context={"bases": await training.list_training_bases(), "target": "/base/trainers"},
            )
        await ensure_base(user, chosen)
        assert chosen is not None
        context = await base_trainers(chosen, rt.today())
        context.update(
            rank_names=RANK_NAMES,
            query=f"?base_id={chosen}" if user.role == CITY else "",
        )
        return Template(template_name="training/base_trainers.html", context=context)

    @get("/dashboard/trainers", opt=action("page.regulator"))
    async def pool(
        self,
        request: Request[Any, Any, Any],
        district_code: Annotated[str | None, QueryParameter(max_length=6)] = None,
    ) -> Template:
        """师资库: the pool by district, evaluations, rank history, promotion."""
        scope = _regulator_scope(request, district_code)
        context = await pool_page(scope)
        context.update(
            scope=scope,
            rank_names=RANK_NAMES,
            choose=user_of(request).role == CITY,
            can_rank=user_of(request).role in (CITY, DISTRICT),
        )
        return Template(template_name="training/pool.html", context=context)

    @get("/dashboard/bases", opt=action("page.regulator"))
    async def bases(
        self,
        request: Request[Any, Any, Any],
        rt: Runtime,
        district_code: Annotated[str | None, QueryParameter(max_length=6)] = None,
    ) -> Template:
        """实训基地: the bases, their accreditation and withdrawal dates, changing them."""
        scope = _regulator_scope(request, district_code)
        context = await bases_page(scope)
        context.update(scope=scope, today=rt.today(), choose=user_of(request).role == CITY)
        return Template(template_name="training/bases.html", context=context)

    @get("/dashboard/subsidies", opt=action("page.regulator"))
    async def subsidies(
        self,
        request: Request[Any, Any, Any],
        rt: Runtime,
        district_code: Annotated[str | None, QueryParameter(max_length=6)] = None,
    ) -> Template:
        """培训补贴: flag offerings subsidised, the roster, the xlsx, claims."""
        scope = _regulator_scope(request, district_code)
        context = await subsidy_page(scope)
        context.update(
            scope=scope,
            today=rt.today(),
            status_names=OFFERING_STATUS,
            district_names=await regulator.district_names(),
            choose=user_of(request).role == CITY,
        )
        return Template(template_name="training/subsidies.html", context=context)

    @get("/my/lessons/{lesson_id:int}", opt=action("page.trainee"))
    async def player(
        self,
        lesson_id: int,
        request: Request[Any, Any, Any],
        rt: Runtime,
        enrollment: OptionalQueryId = None,
    ) -> Template:
        """观看课件: the video with heartbeats, for the trainee's own running enrollment of a
        course with this lesson (``?enrollment=`` optional: found from the lesson when left out).
        Anything else: a Chinese page pointing to 学习, never another person's data (404)."""
        user = user_of(request)
        try:
            context = await player_page(
                user.practitioner_id or -1, lesson_id, enrollment, media_base=rt.settings.courseware_base()
            )
        except TrainingNotFound as exc:
            return Template(
                template_name="training/player_missing.html",
                context={"message": exc.message, "nav": TRAINEE_NAV, "active": "/my/lessons"},
                status_code=404,
            )
        context.update(nav=TRAINEE_NAV, active="/my/lessons")
        return Template(template_name="training/player.html", context=context)
