"""The refused writes of the audit (kind ``write_refused``, ``service.audit``) for regulators: who
tried, when, how often, with what answer — one audited action at a time: by default
:data:`CLAIM`, the employers' refused employment claims, each an attempt to link a person typed by
full ID number and name to the employer (no match, an existing claim, an exclusion, malformed
input, the per-login rate limit); on request :data:`MATCH`, the refused identity matches
(``POST /api/verify/<number>/identity``). A run of them is how an account would probe who is in
the pool or works where.

The entries name no person (``subjects`` is empty for a refusal) and these queries show none of
their columns that could: who (login id, username, role), when, the action, method and path, the
status, the client address and the request id.

Time bounds are instants (aware UTC): the use case turns the regulator's local dates into them.
``actors`` limits the entries to those logins (a district regulator's); ``None`` is every login.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import Any

from piccolo.columns.combination import Where
from piccolo.query.functions.aggregate import Count, Max, Min

from service.accounts.tables import AuditEntry, UserAccount
from talent_pool.tables import Employer
from training.tables import TrainingBase

REFUSED = "write_refused"
CLAIM = "employment.claim"
"""The policy action of an employer's claim (``POST /api/employment-claims``): the default."""
MATCH = "certificate.match"
"""The policy action of an identity match against a certificate (its path names the certificate)."""
ACTIONS = (CLAIM, MATCH)
"""The audited actions whose refusals can be listed."""


def _where(
    actors: Collection[int] | None, start: dt.datetime | None, end: dt.datetime | None, action: str
) -> Any:
    clause: Any = (AuditEntry.kind == REFUSED) & (AuditEntry.action == action)
    if actors is not None:
        clause &= AuditEntry.actor_id.is_in(list(actors)) if actors else AuditEntry.id < 0
    if start is not None:
        clause &= AuditEntry.at >= start
    if end is not None:
        clause &= AuditEntry.at < end
    return clause


def _instant(value: Any) -> dt.datetime:
    """A timestamp as the engine returns it (an aggregate on SQLite gives text) → aware UTC."""
    at = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))
    return at.replace(tzinfo=dt.UTC) if at.tzinfo is None else at.astimezone(dt.UTC)


async def refusals(
    actors: Collection[int] | None,
    *,
    start: dt.datetime | None,
    end: dt.datetime | None,
    limit: int,
    offset: int,
    action: str = CLAIM,
) -> tuple[list[dict[str, Any]], int]:
    """One page of refused writes of ``action`` (one of :data:`ACTIONS`), newest first, and how
    many match in all: rows with ``id``, ``at`` (aware UTC), ``account_id``, ``actor`` (username),
    ``role``, ``action``, ``method``, ``path``, ``status``, ``client``, ``request_id``; ``start``
    inclusive, ``end`` exclusive."""
    where: Where = _where(actors, start, end, action)
    rows = await (
        AuditEntry.select(
            AuditEntry.id,
            AuditEntry.at,
            AuditEntry.actor_id.as_alias("account_id"),
            AuditEntry.actor,
            AuditEntry.role,
            AuditEntry.action,
            AuditEntry.method,
            AuditEntry.path,
            AuditEntry.status,
            AuditEntry.client,
            AuditEntry.request_id,
        )
        .where(where)
        .order_by(AuditEntry.id, ascending=False)
        .limit(limit)
        .offset(offset)
    )
    total = await AuditEntry.count().where(where)
    return [{**row, "at": _instant(row["at"])} for row in rows], int(total)


async def refusals_by_account(
    actors: Collection[int] | None,
    *,
    start: dt.datetime | None,
    end: dt.datetime | None,
    action: str = CLAIM,
) -> list[dict[str, Any]]:
    """The refused writes of ``action`` per login, most refusals first (then the latest first):
    ``account_id``, ``actor``, ``role``, ``count``, ``first_at`` and ``last_at`` (aware UTC),
    ``statuses`` (status → count, e.g. ``{404: 37, 429: 5}``); one ``GROUP BY`` over the matching
    entries."""
    rows = await (
        AuditEntry.select(
            AuditEntry.actor_id,
            AuditEntry.actor,
            AuditEntry.role,
            AuditEntry.status,
            Count(alias="n"),
            Min(AuditEntry.at, alias="first_at"),
            Max(AuditEntry.at, alias="last_at"),
        )
        .where(_where(actors, start, end, action))
        .group_by(AuditEntry.actor_id, AuditEntry.actor, AuditEntry.role, AuditEntry.status)
    )
    folded: dict[tuple[Any, str, str], dict[str, Any]] = {}
    for row in rows:
        key = (row["actor_id"], row["actor"], row["role"])
        first, last = _instant(row["first_at"]), _instant(row["last_at"])
        entry = folded.setdefault(
            key,
            {
                "account_id": row["actor_id"],
                "actor": row["actor"],
                "role": row["role"],
                "count": 0,
                "first_at": first,
                "last_at": last,
                "statuses": {},
            },
        )
        entry["count"] += int(row["n"])
        entry["first_at"] = min(entry["first_at"], first)
        entry["last_at"] = max(entry["last_at"], last)
        entry["statuses"][int(row["status"])] = int(row["n"])
    return sorted(folded.values(), key=lambda e: (-e["count"], -e["last_at"].timestamp()))


async def refused_since(account_id: int, action: str, start: dt.datetime) -> int:
    """How many of ``account_id``'s writes of ``action`` were refused from ``start`` on, refusals
    by a rate limit (429) left out: the attempts that reached the rule (no match, an existing
    claim, bad input)."""
    return int(
        await AuditEntry.count().where(
            (AuditEntry.actor_id == account_id)
            & (AuditEntry.kind == REFUSED)
            & (AuditEntry.action == action)
            & (AuditEntry.at >= start)
            & (AuditEntry.status != 429)
        )
    )


async def district_logins(district_code: str) -> list[int]:
    """The logins of a district a district regulator oversees: its own regulators, the staff of
    its employers and training bases (ids, any order)."""
    employers = [
        r["id"] for r in await Employer.select(Employer.id).where(Employer.district_code == district_code)
    ]
    bases = [
        r["id"]
        for r in await TrainingBase.select(TrainingBase.id).where(TrainingBase.district_code == district_code)
    ]
    clause: Any = UserAccount.district_code == district_code
    if employers:
        clause |= UserAccount.employer_id.is_in(employers)
    if bases:
        clause |= UserAccount.training_base_id.is_in(bases)
    return [r["id"] for r in await UserAccount.select(UserAccount.id).where(clause)]
