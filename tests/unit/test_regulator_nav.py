"""The regulator's one menu (service/regulator_nav.py): the pages by role as the policy allows,
the current page and section marked."""

from __future__ import annotations

from service.regulator_nav import regulator_menu

CITY_MENU = [
    ("/dashboard", "监管看板"),
    ("/dashboard/lists/uncertified", "未持证名单"),
    ("/dashboard/lists/untrained", "未培训名单"),
    ("/dashboard/lists/expiring", "证书将到期"),
    ("/dashboard/lists/background_overdue", "审查逾期"),
    ("/dashboard/bases", "实训基地"),
    ("/dashboard/trainers", "师资库"),
    ("/dashboard/subsidies", "培训补贴"),
    ("/dashboard/imports", "数据导入"),
    ("/dashboard/refusals", "认领拒绝记录"),
    ("/dashboard/bank", "题库与组卷"),
]


def _current(role: str, path: str) -> list[tuple[str, str | None]]:
    return [(e.label, e.current) for e in regulator_menu(role, path) if e.current]


def test_city_admin_menu_lists_every_regulator_page() -> None:
    assert [(e.href, e.label) for e in regulator_menu("city_admin", "/dashboard")] == CITY_MENU


def test_district_admin_menu_leaves_out_the_bank() -> None:
    assert [(e.href, e.label) for e in regulator_menu("district_admin", "/dashboard")] == CITY_MENU[:-1]


def test_other_roles_and_no_login_get_no_menu() -> None:
    for role in ("trainee", "employer", "base_staff", None):
        assert regulator_menu(role, "/dashboard") == []


def test_current_page_and_section_are_marked() -> None:
    assert _current("city_admin", "/dashboard") == [("监管看板", "page")]
    assert _current("city_admin", "/dashboard/imports/") == [("数据导入", "page")]
    assert _current("city_admin", "/dashboard/lists/expiring") == [("证书将到期", "page")]
    assert _current("city_admin", "/dashboard/bank/YY-1") == [("题库与组卷", "true")]
    assert _current("district_admin", "/dashboard/districts/370102") == [("监管看板", "true")]
    assert _current("city_admin", "/dashboard/bankrupt") == [("监管看板", "true")]  # a prefix only at "/"
