"""The identity comparisons of bulk verification are counted once under concurrency: submissions
of one login at the same moment together compare a certificate no more than the limit (the
login's tally row of the day is locked while a submission is counted), and a login's counts of
earlier days are dropped when it next submits."""

from __future__ import annotations

import asyncio
import datetime as dt

import certification
from certification._bank import json_value
from certification.tables import BulkVerification, IdentityCheckTally
from tests.factories import credential, make_id, register_people

NOW = dt.datetime(2026, 11, 30, 2, 0, tzinfo=dt.UTC)
TODAY = dt.date(2026, 11, 30)


async def test_simultaneous_submissions_of_one_login_share_the_limits(db: None) -> None:
    (person,) = await register_people(1)
    await credential(
        person, number="EXT-0001", issued_on=dt.date(2025, 6, 1), source_ref="x", source="import"
    )
    limits = certification.IdentityLimits(per_certificate=3, per_day=100)

    async def submit(text: str, day: dt.date = TODAY) -> certification.BulkSubmitted:
        return await certification.create_bulk_verification(
            text, requested_by=9, employer_id=None, as_of=day, now=NOW, limits=limits
        )

    await submit("EXT-0001")  # the login's row of the day exists already
    submitted = await asyncio.gather(
        *(
            submit("\n".join(f"EXT-0001\t{make_id(s)}" for s in range(first, first + 3)))
            for first in (1, 11, 21)
        )
    )
    assert all(s.holders == [person] for s in submitted)
    plans = [
        i["identity"]
        for row in await BulkVerification.select(BulkVerification.items)
        for i in json_value(row["items"])
    ]
    assert sorted(plans) == ["", "compare", "compare", "compare"] + ["over_certificate"] * 6
    tally = await IdentityCheckTally.select(IdentityCheckTally.number, IdentityCheckTally.compared)
    assert {r["number"]: r["compared"] for r in tally} == {"EXT-0001": 3, "": 3}
    await submit("EXT-0001", TODAY + dt.timedelta(days=1))
    assert {r["day"] for r in await IdentityCheckTally.select(IdentityCheckTally.day)} == {
        TODAY + dt.timedelta(days=1)
    }
