"""The talent search (人才检索) filtered, counted, ordered and paged by the database: pages walk
every match once, most experienced first, and the database's credential filter says exactly
what the credential rule (``talent_pool.target_rules.credential_counts``) says."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from talent_pool import (
    record_credit,
    search_talent,
    searchable_credentials,
    set_consent,
    start_employment,
    update_credential_status,
    withdraw_credit,
)
from talent_pool.credit_schemas import CreditRecordIn
from talent_pool.errors import ValidationFailed
from talent_pool.identity import uscc_check_character
from talent_pool.schemas import EmploymentIn
from talent_pool.search_schemas import ConsentIn
from talent_pool.tables import Credential, TalentConsent
from talent_pool.target_rules import credential_row_counts
from tests.factories import credential, make_employer, register_people

TODAY = dt.date(2026, 11, 29)
NOW = dt.datetime(2026, 11, 29, 2, 0, tzinfo=dt.UTC)
A, B = "370102", "370103"
REPO = Path(__file__).resolve().parents[2]


async def consenting(people: list[int], district: str = A) -> dict[int, str]:
    """Consent for each of ``people`` (wanting to work in ``district``); their handles."""
    for p in people:
        await set_consent(p, ConsentIn(consent=True, district_code=district), now=NOW)
    rows = await TalentConsent.select(TalentConsent.practitioner, TalentConsent.handle)
    return {r["practitioner"]: r["handle"] for r in rows if r["practitioner"] in people}


async def worked(pid: int, employer: int, start: dt.date, end: dt.date | None = None) -> None:
    await start_employment(
        EmploymentIn(practitioner_id=pid, employer_id=employer, start_date=start, end_date=end)
    )


async def test_pages_walk_every_match_once_most_experienced_first(db: None) -> None:
    await pages_walk_every_match_once()


async def test_the_database_filter_says_what_the_credential_rule_says(db: None) -> None:
    await database_filter_is_the_rule()


@pytest.mark.parametrize("flow", ["pages_walk_every_match_once", "database_filter_is_the_rule"])
def test_the_same_on_a_fresh_sqlite_file(tmp_path: Path, flow: str) -> None:
    """The years of experience are computed in SQL with engine-specific date arithmetic: the
    flows above again on the embedded SQLite default."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TUOYU_")}
    env["TUOYU_DATA_DIR"] = str(tmp_path / "data")
    env["PYTHONPATH"] = str(REPO)
    proc = subprocess.run(
        [sys.executable, "-m", "tests.integration.test_talent_search", flow],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-5000:]
    assert proc.stdout.strip().endswith(f"OK {flow}")


async def _on_sqlite(flow: str) -> None:
    from service.bootstrap import prepare
    from talent_pool.db import default_database_url, engine_for_url, use_engine

    engine = engine_for_url(default_database_url(os.environ["TUOYU_DATA_DIR"]))
    use_engine(engine)
    await prepare(engine)
    await globals()[flow]()
    print(f"OK {flow}")


async def pages_walk_every_match_once() -> None:
    people = await register_people(12)
    matches, (uncertified, not_consenting, elsewhere) = people[:9], people[9:]
    for i, p in enumerate([*matches, not_consenting, elsewhere]):
        await credential(p, number=f"N{i}", issued_on=dt.date(2026, 1, 5), source_ref=f"s{i}")
    handles = await consenting([*matches, uncertified])
    await consenting([elsewhere], B)
    one = await make_employer()
    two = await make_employer(
        credit_code="91370102MA3C0X7PK" + uscc_check_character("91370102MA3C0X7PK"), name="第二园"
    )
    p1, p2, p3, p4, _, _, _, p8, p9 = matches
    await worked(p1, one, dt.date(2019, 1, 1))  # two posts at once count once: 7 years, not 14
    await worked(p1, two, dt.date(2020, 1, 1))
    await worked(p2, one, dt.date(2015, 1, 1), dt.date(2016, 12, 31))  # back to back: 11 years
    await worked(p2, two, dt.date(2017, 1, 1))
    await worked(p3, one, dt.date(2023, 6, 1))  # 3 years, as p4
    await worked(p4, two, dt.date(2023, 6, 1))
    await worked(p8, one, dt.date(2020, 6, 1), dt.date(2021, 5, 31))  # 365 + 365 days with a gap
    await worked(p8, two, dt.date(2022, 1, 1), dt.date(2022, 12, 31))
    await worked(p9, one, dt.date(2025, 11, 29))  # 366 days
    await worked(p9, two, dt.date(2027, 1, 1))  # not started yet: nothing

    pages = [await search_talent(today=TODAY, district_code=A, limit=4, offset=o) for o in (0, 4, 8, 12)]
    assert [(p.total, len(p.items)) for p in pages] == [(9, 4), (9, 4), (9, 1), (9, 0)]
    walked = [c for p in pages for c in p.items]
    by_years = sorted(matches, key=lambda p: handles[p])
    expected = [p2, p1, *sorted([p3, p4], key=lambda p: handles[p]), p8, p9]
    expected += [p for p in by_years if p not in expected]
    assert [c.handle for c in walked] == [handles[p] for p in expected]
    assert [c.years_of_experience for c in walked] == [11, 7, 3, 3, 2, 1, 0, 0, 0]
    whole = await search_talent(today=TODAY, district_code=A, limit=50)
    assert whole.items == walked and whole.total == 9
    # everybody certified and consenting: also the one who wants to work in another district
    assert (await search_talent(today=TODAY, limit=3, offset=9)).model_dump()["total"] == 10
    # an employer does not find its own current staff (p1, p3 and p9 at the first; p2's post there ended)
    mine = await search_talent(today=TODAY, district_code=A, for_employer=one, limit=2, offset=2)
    assert (
        mine.total == 6
        and [c.handle for c in mine.items] == [handles[p] for p in expected if p not in (p1, p3, p9)][2:4]
    )


async def database_filter_is_the_rule() -> None:
    people = await register_people(12)
    handles = await consenting(people)
    tomorrow, yesterday = TODAY + dt.timedelta(days=1), TODAY - dt.timedelta(days=1)
    issued = dt.date(2025, 3, 1)
    kinds: dict[str, dict[str, object]] = {
        "expires today": {"expires_on": TODAY},
        "expired yesterday": {"expires_on": yesterday},
        "issued tomorrow": {"issued_on": tomorrow},
        "not qualifying": {"qualifying": False},
        "revoked today": {},
        "revoked tomorrow": {},
        "superseded yesterday": {},
        "suspended today": {},
        "excluded for life": {},
        "exclusion withdrawn": {},
        "two credentials": {},
        "revoked, no date": {},  # an imported or hand-edited row: fail closed, like the targets
    }
    who = dict(zip(kinds, people, strict=True))
    for i, (kind, fields) in enumerate(kinds.items()):
        data: dict[str, Any] = {"issued_on": issued, **fields}
        await credential(who[kind], number=f"N{i}", source_ref=f"s{i}", **data)
    await credential(
        who["two credentials"],
        number="N99",
        source_ref="s99",
        issued_on=issued,
        programme_code="ZJ-YYY",
        level="中级",
        title="育婴员",
    )
    await update_credential_status("s4", "revoked", on=TODAY)
    await update_credential_status("s5", "revoked", on=tomorrow)
    await update_credential_status("s6", "superseded", on=yesterday)
    await update_credential_status("s7", "suspended", on=TODAY)
    await Credential.update({Credential.status: "revoked"}).where(Credential.source_ref == "s11")
    for kind in ("excluded for life", "exclusion withdrawn"):
        record = await record_credit(
            who[kind],
            CreditRecordIn(
                kind="violation",
                title="虐童",
                evidence="处罚决定书 2026-1",
                occurred_on=TODAY,
                lifetime_exclusion=True,
            ),
            recorded_by_id=None,
            recorded_by="市卫健委",
            today=TODAY,
        )
    await withdraw_credit(record.id, reason="录入错误", withdrawn_by="市卫健委", today=TODAY)

    shown = {"expires today", "revoked tomorrow", "exclusion withdrawn", "two credentials"}
    found = await search_talent(today=TODAY, limit=200)
    assert {c.handle for c in found.items} == {handles[who[k]] for k in shown} and found.total == len(shown)
    # the same people by the rule itself, applied here row by row
    by_rule = {r["practitioner"] for r in await Credential.select() if credential_row_counts(r, TODAY)}
    assert by_rule - {who["excluded for life"]} == {who[k] for k in shown}
    assert set(await searchable_credentials(None, TODAY)) == {who[k] for k in shown}
    # programme and level on the same credential
    two = handles[who["two credentials"]]
    both = await search_talent(today=TODAY, programme_code="1X-YEZH-1", level="中级")
    assert (both.total, both.items) == (0, [])
    assert (await search_talent(today=TODAY, programme_code="1X-YEZH-1", level="初级")).total == len(shown)
    for programme, level in (("ZJ-YYY", None), (None, "中级"), ("ZJ-YYY", "中级")):
        page = await search_talent(today=TODAY, programme_code=programme, level=level)
        assert [c.handle for c in page.items] == [two], (programme, level)
    assert [c.model_dump() for c in page.items[0].credentials] == [
        {"title": "幼儿照护", "programme_code": "1X-YEZH-1", "level": "初级"},
        {"title": "育婴员", "programme_code": "ZJ-YYY", "level": "中级"},
    ]


if __name__ == "__main__":
    asyncio.run(_on_sqlite(sys.argv[1]))


async def test_a_level_in_any_common_form_finds_the_stored_level(db: None) -> None:
    """``level=五级`` (or 初级工, 5, 五级（初级工）) finds 五级/初级工 holders; ``初级`` finds both
    the 1+X 初级 and 五级/初级工 (talent_pool/levels.py); an unknown form finds nothing."""
    skill, onex, middle = await register_people(3)
    await credential(skill, number="N1", source_ref="s1", issued_on=dt.date(2026, 1, 5),
                     programme_code="4-10-01-03-L5", level="五级/初级工", title="保育师")  # fmt: skip
    await credential(onex, number="N2", source_ref="s2", issued_on=dt.date(2026, 1, 5))  # 1+X 初级
    await credential(middle, number="N3", source_ref="s3", issued_on=dt.date(2026, 1, 5),
                     programme_code="4-10-01-03-L4", level="四级/中级工", title="保育师")  # fmt: skip
    handles = await consenting([skill, onex, middle])

    async def found(level: str) -> set[int]:
        page = await search_talent(today=TODAY, level=level)
        return {p for p, h in handles.items() if h in {c.handle for c in page.items}}

    for form in ("五级/初级工", "五级", "初级工", "5", "五级（初级工）", " 五级 ", "五级／初级工"):
        assert await found(form) == {skill}, form
    assert await found("初级") == {skill, onex}
    assert await found("四级") == await found("中级工") == {middle}
    with pytest.raises(
        ValidationFailed, match="无法识别的等级“六级”"
    ):  # no such level: said, not an empty list
        await found("六级")
