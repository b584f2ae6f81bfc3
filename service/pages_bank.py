"""The city admin's question-bank pages (题库与组卷, action ``bank.manage``: 市卫健委 only), in
Chinese, PC first and usable on a phone:

- ``/dashboard/bank`` — every programme with its bank size (active questions, retired ones) by
  knowledge domain and difficulty, and whether its blueprint can be filled from the bank: for
  each blueprint row the questions needed and available, a shortfall in words
  (「婴幼儿保育·难」缺 3 题);
- ``/dashboard/bank/{code}`` — one programme: the bank by domain × difficulty, the blueprint
  rows against the bank, uploading an .xlsx (``POST /api/programmes/{code}/questions/import``:
  all rows or none, the API's row errors shown in Chinese), downloading the bank
  (``GET …/questions.xlsx``), editing the blueprint (``PUT …/blueprint``: the API's problems
  shown in Chinese) and the questions with their answers, filtered by domain, difficulty and
  status, :data:`PAGE_SIZE` a page.

The pages render what the domain says (``certification.bank_summaries``, ``get_blueprint``,
``question_page``); every write goes through the JSON API from ``static/bank.js``.
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get
from litestar.params import QueryParameter
from litestar.response import Template

import certification
from certification.exam_rules import DIFFICULTY_NAMES
from certification.exam_schemas import BankSummaryOut, BlueprintOut
from service.errors import status_for
from service.policy import action
from talent_pool.errors import TuoyuError

PAGE_SIZE = 20
"""Questions per page on ``/dashboard/bank/{code}``."""
KIND_TEXT = {"single": "单选", "multiple": "多选", "true_false": "判断"}
NO_BLUEPRINT = "本证书项目尚未设置组卷蓝图"


def _error_page(request: Request[Any, Any, Any], exc: TuoyuError) -> Template:
    """Domain errors on these pages: the Chinese error page with the API's status."""
    return Template(template_name="error.html", context={"message": exc.message}, status_code=status_for(exc))


def shortfalls(blueprint: BlueprintOut) -> list[str]:
    """The blueprint rows the bank cannot fill, in words: ``「{domain}·{难度}」缺 {n} 题`` where
    ``n`` = questions needed − active questions available (> 0), in blueprint order."""
    return [
        f"「{r.domain}·{r.difficulty_name}」缺 {r.question_count - r.available} 题"
        for r in blueprint.rows
        if r.question_count > r.available
    ]


def blueprint_state(blueprint: BlueprintOut) -> tuple[str, str, list[str]]:
    """``(badge class, short verdict, reasons)`` of whether a paper can be drawn now: no
    blueprint (``warn``, 未设置蓝图), every row filled (``valid``, 可组卷), else ``bad`` with the
    shortfalls in words and any other problem the domain reports (a total other than 100 …)."""
    if not blueprint.rows:
        return "warn", "未设置蓝图", [NO_BLUEPRINT]
    if not blueprint.problems:
        return "valid", "可组卷", []
    missing = shortfalls(blueprint)
    others = [p for p in blueprint.problems if "道可用试题" not in p]
    return "bad", "题量不足" if missing else "蓝图有误", missing + others


def bank_matrix(summary: BankSummaryOut | None) -> tuple[list[str], dict[tuple[str, int], tuple[int, int]]]:
    """The bank as rows of domains (in name order) and ``{(domain, difficulty): (active,
    retired)}`` for the domain × difficulty table (an empty bank: no rows)."""
    if summary is None:
        return [], {}
    cells = {(c.domain, c.difficulty): (c.active, c.retired) for c in summary.cells}
    return sorted({c.domain for c in summary.cells}), cells


class BankPages(Controller):
    path = "/dashboard/bank"
    include_in_schema = False
    exception_handlers = {TuoyuError: _error_page}

    @get("/", opt=action("bank.manage"))
    async def index(self) -> Template:
        summaries = await certification.bank_summaries()
        every = await certification.blueprints()
        rows = []
        for p in await certification.list_programmes(active_only=False):
            blueprint = every[p.code]
            rows.append((p, summaries.get(p.code), blueprint, blueprint_state(blueprint)))
        return Template(
            template_name="bank/index.html",
            context={"rows": rows, "difficulties": DIFFICULTY_NAMES},
        )

    @get("/{code:str}", opt=action("bank.manage"))
    async def programme(
        self,
        code: str,
        domain: Annotated[str | None, QueryParameter(max_length=64)] = None,
        difficulty: Annotated[str | None, QueryParameter(pattern="^[123]?$")] = None,
        status: Annotated[str | None, QueryParameter(pattern="^(active|retired)?$")] = None,
        page: Annotated[int, QueryParameter(ge=1, le=10_000)] = 1,
    ) -> Template:
        programme = await certification.get_programme(code)
        summary = (await certification.bank_summaries()).get(code)
        blueprint = await certification.get_blueprint(code)
        domains, cells = bank_matrix(summary)
        # the filter form sends empty values for 全部
        domain, level, status = domain or None, int(difficulty) if difficulty else None, status or None
        found = await certification.question_page(
            code,
            domain=domain,
            difficulty=level,
            active=None if status is None else status == "active",
            limit=PAGE_SIZE,
            offset=(page - 1) * PAGE_SIZE,
        )
        pages = max(1, -(-found.total // PAGE_SIZE))
        query = {"domain": domain or "", "difficulty": level or "", "status": status or ""}
        return Template(
            template_name="bank/programme.html",
            context={
                "p": programme,
                "summary": summary,
                "blueprint": blueprint,
                "state": blueprint_state(blueprint),
                "domains": domains,
                "cells": cells,
                "difficulties": DIFFICULTY_NAMES,
                "kinds": KIND_TEXT,
                "found": found,
                "page": page,
                "pages": pages,
                "query": query,
                "letters": "ABCDEFGH",
            },
        )
