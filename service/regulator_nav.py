"""The regulator's one menu (``regulator/_nav.html``), shown on every ``/dashboard…`` page: every
regulator page the logged-in role may open, by the policy (:data:`service.policy.ACTIONS`: a
district admin sees no 题库与组卷, which is ``bank.manage``, the city admin's alone), the page
being viewed marked.

Registered as the Jinja global ``regulator_menu`` (``service.app``), so no handler passes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from service.policy import ACTIONS


@dataclass(frozen=True)
class NavItem:
    """One menu entry: its address, its Chinese label and the policy action opening it."""

    href: str
    label: str
    action: str


REGULATOR_PAGES: tuple[NavItem, ...] = (
    NavItem("/dashboard", "监管看板", "page.regulator"),
    NavItem("/dashboard/lists/uncertified", "未持证名单", "page.regulator"),
    NavItem("/dashboard/lists/untrained", "未培训名单", "page.regulator"),
    NavItem("/dashboard/lists/expiring", "证书将到期", "page.regulator"),
    NavItem("/dashboard/lists/background_overdue", "审查逾期", "page.regulator"),
    NavItem("/dashboard/bases", "实训基地", "page.regulator"),
    NavItem("/dashboard/trainers", "师资库", "page.regulator"),
    NavItem("/dashboard/subsidies", "培训补贴", "page.regulator"),
    NavItem("/dashboard/imports", "数据导入", "page.regulator"),
    NavItem("/dashboard/refusals", "认领拒绝记录", "audit.refusals"),
    NavItem("/dashboard/bank", "题库与组卷", "bank.manage"),
)
"""Every regulator page of the menu, in menu order (the routes' own ``opt=action`` must match)."""


@dataclass(frozen=True)
class MenuEntry:
    """A menu entry for one request: ``current`` is ``"page"`` on the page itself, ``"true"`` on
    the section a drill-down page belongs to (``/dashboard/bank/{code}`` → 题库与组卷,
    ``/dashboard/districts/…`` → 监管看板), ``None`` elsewhere (the ``aria-current`` value)."""

    href: str
    label: str
    current: str | None


def regulator_menu(role: str | None, path: str) -> list[MenuEntry]:
    """The entries of :data:`REGULATOR_PAGES` whose action allows ``role`` (``None``: no login →
    no entries), ``path`` (the request's path) marking the current one: the entry whose address
    is the longest prefix of ``path`` at a ``/`` boundary."""
    allowed = [item for item in REGULATOR_PAGES if role is not None and role in ACTIONS[item.action]]
    path = path.rstrip("/") or "/"
    best = max(
        (item for item in allowed if path == item.href or path.startswith(item.href + "/")),
        key=lambda item: len(item.href),
        default=None,
    )
    return [
        MenuEntry(
            item.href,
            item.label,
            None if item is not best else "page" if path == item.href else "true",
        )
        for item in allowed
    ]


def menu_for(request: Any) -> list[MenuEntry]:
    """:func:`regulator_menu` for a page request (its ``scope["user"]`` set by the login
    middleware; without one the menu is empty)."""
    user = request.scope.get("user")
    return regulator_menu(getattr(user, "role", None), request.url.path)
