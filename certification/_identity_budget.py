"""How many identity comparisons a login may have answered per day, in bulk verifications and
single identity matches (人证核验) together.

An identity comparison (the holder's ID number against a typed one, 一致/不一致) answers one
guess. Answered without limit, 5,000 rows of one certificate with 5,000 candidate ID numbers
find the holder's number (the one 一致). So, per login and local day:

- a certificate may be compared at most ``per_certificate`` times, across all the login's jobs
  (the attack repeats one certificate with many ID numbers; a person checking their staff asks
  about each certificate once);
- at most ``per_day`` rows are compared in all (the daily budget).

A bulk row beyond either limit is answered 超出核验次数, a single match beyond it is refused
(``certification._match``: :class:`~certification.errors.IdentityChecksExhausted`) — never
一致/不一致; one count serves both, so a certificate compared three times in bulk is refused in
a single match the same day, and the other way round. The counts live in
``ce_identity_check_tally`` (:class:`certification.tables.IdentityCheckTally`): the login's row
of the day (``number = ""``, its total) is locked while a submission is counted, so two
submissions of one login at once are counted one after the other (docs/architecture.md,
"Database and transactions"); SQLite's write transactions are exclusive anyway.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from certification.tables import IdentityCheckTally
from talent_pool.db import atomic, is_sqlite

COMPARE = "compare"
"""The row is compared (counted)."""
OVER_CERTIFICATE = "over_certificate"
"""The certificate was compared ``per_certificate`` times today by this login: not answered."""
OVER_DAY = "over_day"
"""The login's daily budget is used up: not answered."""
_TOTAL = ""  # the number of the login's row of the day: its total
_LOCK_SQL = (
    "SELECT id FROM ce_identity_check_tally WHERE account_id = {} AND day = {} AND number = '' FOR UPDATE"
)
_CHUNK = 1000


@dataclass(frozen=True, slots=True)
class IdentityLimits:
    """Identity comparisons per login and local day, bulk and single matches together:
    ``per_certificate`` of one certificate number, ``per_day`` in all
    (``TUOYU_BULK_IDENTITY_PER_CERTIFICATE`` / ``_PER_DAY``)."""

    per_certificate: int = 3
    per_day: int = 2000


async def reserve_identity_checks(
    account_id: int, numbers: Sequence[str], *, day: dt.date, limits: IdentityLimits
) -> list[str]:
    """Count identity comparisons of certificate ``numbers`` (normalised, one per row to
    compare, in order) for login ``account_id`` on the local date ``day``; returns for each
    :data:`COMPARE` (counted), :data:`OVER_CERTIFICATE` or :data:`OVER_DAY` (not counted, not
    to be answered). Joins the caller's transaction (the counts commit with the request that
    uses them) and deletes the login's counts of earlier days."""
    async with atomic():
        t = IdentityCheckTally
        await t.delete().where((t.account_id == account_id) & (t.day < day))
        await t.insert(t(account_id=account_id, day=day, number=_TOTAL, compared=0)).on_conflict(
            target=(t.account_id, t.day, t.number), action="DO NOTHING"
        )
        if not is_sqlite(t._meta.db):
            await t.raw(_LOCK_SQL, account_id, day)
        asked = sorted(set(numbers) | {_TOTAL})
        used: dict[str, int] = {}
        for start in range(0, len(asked), _CHUNK):
            rows = await t.select(t.number, t.compared).where(
                (t.account_id == account_id) & (t.day == day) & t.number.is_in(asked[start : start + _CHUNK])
            )
            used.update({r["number"]: int(r["compared"]) for r in rows})
        total = used.get(_TOTAL, 0)
        added: Counter[str] = Counter()
        decisions = []
        for number in numbers:
            if total >= limits.per_day:
                decisions.append(OVER_DAY)
            elif used.get(number, 0) + added[number] >= limits.per_certificate:
                decisions.append(OVER_CERTIFICATE)
            else:
                decisions.append(COMPARE)
                added[number] += 1
                total += 1
        if added:
            counts = [(n, used.get(n, 0) + k) for n, k in added.items()] + [(_TOTAL, total)]
            for start in range(0, len(counts), _CHUNK):
                await t.insert(
                    *(
                        t(account_id=account_id, day=day, number=n, compared=c)
                        for n, c in counts[start : start + _CHUNK]
                    )
                ).on_conflict(target=(t.account_id, t.day, t.number), action="DO UPDATE", values=[t.compared])
        return decisions
