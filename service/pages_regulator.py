"""The regulator's pages (市卫健委 and 区县卫健局; action ``page.regulator``), in Chinese, PC
first and usable on a phone:

- ``/dashboard`` 监管看板 — the plan's four indicators for the city, every district and
  functional zone (and the chosen district's streets; a district admin: their district and its
  streets) against their targets: year-to-date value, full-year projection, on-track / at-risk
  in words; the city row's reconciliation; the focus scope's monthly trend from the nightly
  snapshots (or an empty state); a progress bar per indicator and the districts ranked by 持证率
  with the 90 % line (SVG drawn on the server: no chart library, no script);
- ``/dashboard/districts/{code}`` (its streets and employers) → ``/dashboard/employers/{id}``
  → ``/dashboard/people/{id}`` — one person's record with the credit file (credit records,
  background checks, health certificates, the 终身禁入 banner) and forms recording them through
  the JSON API (``static/regulator.js``);
- ``/dashboard/lists/{name}`` — the targets' drill-down lists (uncertified, untrained,
  expiring, background_overdue), each name a link; ``/dashboard/shortfall`` the former two;
- ``….xlsx`` — each of those tables as a spreadsheet with the page's columns and numbers.

Record checks as in the API: a district admin only inside their district (403 otherwise; an
unknown employer or person is 404 for a city admin). Full ID numbers and phones (the lists, the
person page) are personal reads and audited (``service.audit.personal_read``).
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get
from litestar.params import QueryParameter
from litestar.response import Stream, Template

import talent_pool
from service import regulator, usecases
from service import regulator_display as display
from service.accounts import AccountOut
from service.audit import personal_read
from service.errors import status_for
from service.policy import (
    CITY,
    action,
    ensure_district,
    ensure_employer,
    ensure_practitioner,
    targets_scope,
    targets_scopes,
    user_of,
)
from service.runtime import Runtime
from service.xlsx_export import xlsx_stream
from talent_pool.errors import TuoyuError

PAGE_SIZE = 100
Year = Annotated[int | None, QueryParameter(ge=2000, le=2100, description="calendar year (local)")]


def _error_page(request: Request[Any, Any, Any], exc: TuoyuError) -> Template:
    """Domain errors on pages: a Chinese message, not JSON."""
    return Template(template_name="error.html", context={"message": exc.message}, status_code=status_for(exc))


async def _focus(user: AccountOut, focus: str | None) -> str | None:
    """The dashboard's ``scope`` parameter as the API reads a scope key (spaces trimmed); for a
    district admin a scope outside their district is 403, as in the API (not "not on the board")."""
    key = (focus or "").strip() or None
    if key is not None and user.role != CITY:
        await targets_scopes(user, [key], None)
    return key


def _scope_label(scope: str | None, names: dict[str, str]) -> str:
    return "济南市" if scope in (None, "city") else names.get(scope, scope)


class RegulatorPages(Controller):
    path = "/dashboard"
    include_in_schema = False
    exception_handlers = {TuoyuError: _error_page}

    @get("/", opt=action("page.regulator"))
    async def dashboard(
        self,
        request: Request[Any, Any, Any],
        rt: Runtime,
        year: Year = None,
        focus: Annotated[str | None, QueryParameter(name="scope")] = None,
    ) -> Template:
        user = user_of(request)
        scope = targets_scope(user, None)
        board = await regulator.dashboard(rt, year=year, district=scope, focus=await _focus(user, focus))
        return Template(
            template_name="dashboard.html",
            context={
                "d": board,
                "years": regulator.years(rt),
                "columns": regulator.TARGET_COLUMNS,
                "levels": regulator.LEVEL_NAMES,
                "city_wide": user.role == CITY,
                "target_text": display.target_text,
                "status_text": display.STATUS_TEXT,
                "projection_text": display.projection_text,
                "indicator_text": display.indicator_text,
            },
        )

    @get("/targets.xlsx", opt=action("page.regulator"))
    async def targets_xlsx(
        self,
        request: Request[Any, Any, Any],
        rt: Runtime,
        year: Year = None,
        focus: Annotated[str | None, QueryParameter(name="scope")] = None,
    ) -> Stream:
        user = user_of(request)
        scope = targets_scope(user, None)
        board = await regulator.dashboard(rt, year=year, district=scope, focus=await _focus(user, focus))
        label = _scope_label(scope, await regulator.district_names())
        columns = regulator.TARGET_COLUMNS
        as_of = board.reports[0].as_of
        rows: list[list[object]] = [
            [*row, "、".join(_verdicts(r))]
            for r, row in zip(board.reports, regulator.rows_of(columns, board.reports), strict=True)
        ]
        if board.reconciliation:
            rows.append(["说明", board.reconciliation])
        return await xlsx_stream(
            filename=f"规划指标_{board.year}年_{label}.xlsx",
            fallback=f"targets-{board.year}-{scope or 'city'}.xlsx",
            title=f"{board.year}年规划指标",
            caption=f"{label} {board.year} 年托育人才培养指标（截至 {as_of}；全年预计按年内进度推算）",
            headers=[c.header for c in columns] + ["达标情况"],
            rows=rows,
        )

    @get("/districts/{district_code:str}", opt=action("page.regulator"))
    async def district(
        self, district_code: str, request: Request[Any, Any, Any], rt: Runtime, year: Year = None
    ) -> Template:
        ensure_district(user_of(request), district_code)
        view = await regulator.district(rt, district_code, year=year)
        return Template(
            template_name="regulator/district.html",
            context={
                "v": view,
                "years": regulator.years(rt),
                "columns": regulator.EMPLOYER_COLUMNS,
                "target_columns": regulator.TARGET_COLUMNS,
                "gauges": display.gauges(view.report),
            },
        )

    @get("/districts/{district_code:str}/streets.xlsx", opt=action("page.regulator"))
    async def streets_xlsx(
        self, district_code: str, request: Request[Any, Any, Any], rt: Runtime, year: Year = None
    ) -> Stream:
        ensure_district(user_of(request), district_code)
        view = await regulator.district(rt, district_code, year=year)
        name = view.report.scope_name
        columns = regulator.TARGET_COLUMNS
        return await xlsx_stream(
            filename=f"街道指标_{view.year}年_{name}.xlsx",
            fallback=f"streets-{view.year}-{district_code}.xlsx",
            title=f"{name}街道",
            caption=f"{name} {view.year} 年各街道托育人才培养指标（截至 {view.report.as_of}）",
            headers=[c.header for c in columns],
            rows=regulator.rows_of(columns, view.streets),
        )

    @get("/districts/{district_code:str}/employers.xlsx", opt=action("page.regulator"))
    async def district_xlsx(
        self, district_code: str, request: Request[Any, Any, Any], rt: Runtime, year: Year = None
    ) -> Stream:
        ensure_district(user_of(request), district_code)
        view = await regulator.district(rt, district_code, year=year)
        name = view.report.scope_name
        columns = regulator.EMPLOYER_COLUMNS
        return await xlsx_stream(
            filename=f"机构持证与培训_{view.year}年_{name}.xlsx",
            fallback=f"employers-{view.year}-{district_code}.xlsx",
            title=f"{name}机构",
            caption=f"{name} {view.year} 年各托育机构持证与培训情况（截至 {view.report.as_of}）",
            headers=[c.header for c in columns] + ["持证率达标"],
            rows=(
                [*row, display.Cell("", met=e.certification_met).verdict or "无数据"]
                for e, row in zip(view.employers, regulator.rows_of(columns, view.employers), strict=True)
            ),
        )

    @get("/employers/{employer_id:int}", opt=action("page.regulator"))
    async def employer(
        self, employer_id: int, request: Request[Any, Any, Any], rt: Runtime, year: Year = None
    ) -> Template:
        await ensure_employer(user_of(request), employer_id)
        view = await regulator.employer(rt, employer_id, year=year)
        return Template(
            template_name="regulator/employer.html",
            context={"v": view, "years": regulator.years(rt), "columns": regulator.PEOPLE_COLUMNS},
        )

    @get("/employers/{employer_id:int}/people.xlsx", opt=action("page.regulator"))
    async def employer_xlsx(
        self, employer_id: int, request: Request[Any, Any, Any], rt: Runtime, year: Year = None
    ) -> Stream:
        await ensure_employer(user_of(request), employer_id)
        view = await regulator.employer(rt, employer_id, year=year)
        name = view.employer.name
        return await xlsx_stream(
            filename=f"在职人员_{view.year}年_{name}.xlsx",
            fallback=f"people-{view.year}-employer-{employer_id}.xlsx",
            title="在职人员",
            caption=f"{view.district_name} {name} {view.year} 年在职人员"
            f"（截至 {view.as_of}，身份证号已脱敏）",
            headers=[c.header for c in regulator.PEOPLE_COLUMNS],
            rows=regulator.rows_of(regulator.PEOPLE_COLUMNS, view.people),
        )

    @get("/people/{practitioner_id:int}", opt=action("page.regulator"))
    async def person(self, practitioner_id: int, request: Request[Any, Any, Any], rt: Runtime) -> Template:
        await ensure_practitioner(user_of(request), practitioner_id)
        view = await regulator.person(rt, practitioner_id)
        personal_read(request, [practitioner_id])
        return Template(
            template_name="regulator/person.html",
            context={
                "v": view,
                "positions": regulator.POSITIONS,
                "today": rt.today(),
                "health_status": regulator.HEALTH_STATUS,
                "check_kinds": regulator.CHECK_KINDS,
                "check_results": regulator.CHECK_RESULTS,
                "credit_kinds": regulator.CREDIT_KINDS,
            },
        )

    @get("/lists/{list_name:str}", opt=action("page.regulator"))
    async def drill_list(
        self,
        list_name: str,
        request: Request[Any, Any, Any],
        rt: Runtime,
        scope_code: Annotated[str | None, QueryParameter(name="scope", max_length=64)] = None,
        year: Year = None,
        page: Annotated[int, QueryParameter(ge=1, le=100000)] = 1,
    ) -> Template:
        scope = await _list_scope(request, scope_code)
        view = await regulator.drill_list(
            rt, list_name, year=year, scope=scope, page=page, page_size=PAGE_SIZE
        )
        personal_read(request, (p.practitioner_id for p in view.people))
        return Template(
            template_name="regulator/list.html",
            context={"v": view, "r": view.result, "lists": regulator.LIST_NAMES, "titles": _list_titles()},
        )

    @get("/lists/{list_name:str}/export.xlsx", opt=action("page.regulator"))
    async def drill_list_xlsx(
        self,
        list_name: str,
        request: Request[Any, Any, Any],
        rt: Runtime,
        scope_code: Annotated[str | None, QueryParameter(name="scope", max_length=64)] = None,
        year: Year = None,
    ) -> Stream:
        scope = await _list_scope(request, scope_code)
        view = await regulator.drill_list_rows(rt, list_name, year=year, scope=scope)
        personal_read(request, (p.practitioner_id for p in view.people))
        r = view.result
        return await xlsx_stream(
            filename=f"{view.title}_{r.year}年_{view.scope_name}.xlsx",
            fallback=f"list-{list_name}-{r.year}.xlsx",
            title="名单",
            caption=f"{view.scope_name} {r.year} 年{view.title}"
            f"（截至 {r.as_of}，共 {r.total} 条，{r.people_total} 人）",
            headers=[c.header for c in view.columns],
            rows=regulator.rows_of(view.columns, view.people),
        )

    @get("/shortfall", opt=action("page.regulator"))
    async def shortfall(
        self,
        request: Request[Any, Any, Any],
        rt: Runtime,
        indicator: str = "certification_rate",
        scope_code: Annotated[str, QueryParameter(name="scope")] = "city",
        year: Year = None,
        page: Annotated[int, QueryParameter(ge=1, le=100000)] = 1,
    ) -> Template:
        scope = _shortfall_scope(request, scope_code)
        result = await usecases.shortfall(
            rt, indicator, year=year, scope=scope, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
        )
        personal_read(request, (p.practitioner_id for p in result.people))
        result.people = [regulator.masked_contact(p) for p in result.people]
        districts = await regulator.district_names()
        pages = max(1, (result.total + PAGE_SIZE - 1) // PAGE_SIZE)
        return Template(
            template_name="shortfall.html",
            context={
                "r": result,
                "page": min(page, pages),
                "pages": pages,
                "districts": districts,
                "scope_name": _scope_label(scope, districts),
                "title": regulator.SHORTFALL_NAMES.get(indicator, indicator),
            },
        )

    @get("/shortfall.xlsx", opt=action("page.regulator"))
    async def shortfall_xlsx(
        self,
        request: Request[Any, Any, Any],
        rt: Runtime,
        indicator: str = "certification_rate",
        scope_code: Annotated[str, QueryParameter(name="scope")] = "city",
        year: Year = None,
    ) -> Stream:
        scope = _shortfall_scope(request, scope_code)
        rows = await regulator.shortfall_rows(rt, indicator, year=year, scope=scope)
        personal_read(request, (p.practitioner_id for p in rows))
        districts = await regulator.district_names()
        label = _scope_label(scope, districts)
        y = year or rt.today().year
        title = regulator.SHORTFALL_NAMES.get(indicator, indicator)
        return await xlsx_stream(
            filename=f"{title}_{y}年_{label}.xlsx",
            fallback=f"shortfall-{indicator}-{y}-{scope or 'city'}.xlsx",
            title="名单",
            caption=f"{label} {y} 年{title}（共 {len(rows)} 条）",
            headers=regulator.SHORTFALL_HEADERS,
            rows=(
                [
                    p.name,
                    p.id_number,
                    p.phone,
                    p.employer_name,
                    districts.get(p.district_code, p.district_code),
                ]
                for p in map(regulator.masked_contact, rows)
            ),
        )


async def _list_scope(request: Request[Any, Any, Any], scope_code: str | None) -> str:
    """The scope of a list page: a city admin any (default the city); a district admin their
    district, its streets and employers (403 for anything else)."""
    scopes, _ = await targets_scopes(user_of(request), [scope_code] if scope_code else None, None)
    return (scopes or ["city"])[0]


def _shortfall_scope(request: Request[Any, Any, Any], scope_code: str) -> str | None:
    """A city admin: the asked scope (``city`` → None); a district admin: their own district
    whatever they asked for the city, 403 for another district."""
    user = user_of(request)
    return targets_scope(user, None if scope_code == "city" and user.role != CITY else scope_code)


def _list_titles() -> dict[str, str]:
    return {name: talent_pool.DRILL_DOWNS[name].title for name in regulator.LIST_NAMES}


def _verdicts(report: Any) -> list[str]:
    out = []
    for key in display.INDICATOR_KEYS:
        verdict = display.indicator_cell(report.indicator(key)).verdict
        if verdict:
            out.append(f"{report.indicator(key).name}{verdict}")
    return out
