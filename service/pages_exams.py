"""Exam pages (issue 10's API in the browser): the trainee's online theory exams (phone-first)
and the examiner's practical double marking (PC/tablet).

The pages are shells: the data comes from the JSON API (``service/static/exams.js``), so what a
candidate's browser receives is exactly :class:`certification.exam_schemas.AttemptOut` — no
correct options, no explanations. The handlers only check that the record is the caller's
(an attempt of their own, a sitting assigned to them) so a wrong link gets the Chinese error page.

Routes (``page.trainee``): ``/my/exams`` my exams · ``/my/exams/{sitting_id}`` one sitting: the
rules, start or resume, "考试次数已用完" · ``/my/exams/attempts/{attempt_id}`` the timed exam,
then its result. (``page.examiner``): ``/examiner`` my sittings · ``/examiner/sittings/{id}``
the candidates and practical item score entry.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get
from litestar.response import Template

import certification
from certification.errors import NotFound
from service.pages_trainee import NAV
from service.policy import action, ensure_attempt, ensure_sitting, practitioner_for, user_of

_TRAINEE_NAV = {"nav": NAV, "active": "/my/exams"}
"""The trainee pages' navigation (``service.pages_trainee.NAV``) with 考试 current."""


class ExamPagesController(Controller):
    path = "/"
    include_in_schema = False

    @get("/my/exams", opt=action("page.trainee"))
    async def my_exams(self) -> Template:
        return Template(template_name="exams/my_exams.html", context=_TRAINEE_NAV)

    @get("/my/exams/{sitting_id:int}", opt=action("page.trainee"))
    async def sitting(self, sitting_id: int, request: Request[Any, Any, Any]) -> Template:
        mine = await certification.exams_of(practitioner_for(user_of(request), None))
        if not any(e.sitting_id == sitting_id for e in mine):
            raise NotFound("您未报名本场考试", sitting_id=sitting_id)
        return Template(
            template_name="exams/sitting.html", context={"sitting_id": sitting_id, **_TRAINEE_NAV}
        )

    @get("/my/exams/attempts/{attempt_id:int}", opt=action("page.trainee"))
    async def attempt(self, attempt_id: int, request: Request[Any, Any, Any]) -> Template:
        await ensure_attempt(user_of(request), attempt_id)
        return Template(
            template_name="exams/attempt.html", context={"attempt_id": attempt_id, **_TRAINEE_NAV}
        )

    @get("/examiner", opt=action("page.examiner"))
    async def examiner_home(self) -> Template:
        return Template(template_name="exams/examiner_home.html", context={})

    @get("/examiner/sittings/{sitting_id:int}", opt=action("page.examiner"))
    async def examiner_sitting(self, sitting_id: int, request: Request[Any, Any, Any]) -> Template:
        await ensure_sitting(user_of(request), sitting_id, read=True)
        return Template(template_name="exams/examiner_sitting.html", context={"sitting_id": sitting_id})
