"""The regulator's drill-down below the targets table (talent_pool._drilldown): a district's
employers and an employer's people, with exact counts on the same definitions as the targets —
a revoked certificate counts until the day it was revoked, an expired one never, a person with
two employments at one employer once, an ended employment only before it ended, an unconfirmed
claim nowhere, trainings by the local-date year — on PostgreSQL and on the embedded SQLite file."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from talent_pool import (
    NotFound,
    ValidationFailed,
    compute_targets,
    district_employers,
    employer_people,
    start_employment,
)
from talent_pool.identity import uscc_check_character
from talent_pool.schemas import EmploymentIn
from talent_pool.tables import Credential, Employment
from tests.factories import (
    EMPLOYED_SINCE,
    credential,
    employ,
    make_employer,
    register_people,
    training_record,
)

TODAY = dt.date(2026, 11, 29)
REPO = Path(__file__).resolve().parents[2]


def credit_code(first17: str) -> str:
    return first17 + uscc_check_character(first17)


async def _world() -> dict[str, int]:
    x = await make_employer(
        credit_code=credit_code("91370102MA3D0X1P6"), name="甲托育园", district_code="370102"
    )
    y = await make_employer(
        credit_code=credit_code("91370102MA3D0X2P6"), name="乙托育点", district_code="370102"
    )
    z = await make_employer(
        credit_code=credit_code("91370105MA3D0X3P6"), name="丙托育园", district_code="370105"
    )
    a, b, c, d, e = await register_people(5, prefix="下钻")
    await employ(x, [a, b, d, e])
    await start_employment(
        EmploymentIn(
            practitioner_id=c, employer_id=x, start_date=EMPLOYED_SINCE, end_date=dt.date(2027, 12, 31)
        )
    )
    await employ(z, [a])  # a also works in another district: counts at both employers
    await start_employment(  # c's second employment at the same employer: still one person there
        EmploymentIn(
            practitioner_id=c,
            employer_id=x,
            start_date=dt.date(2025, 6, 1),
            position="teacher",
        )
    )
    await Employment.update({Employment.end_date: dt.date(2026, 6, 30)}).where(Employment.practitioner == d)
    await Employment.update({Employment.status: "pending"}).where(Employment.practitioner == e)
    await credential(a, number="S000037000001265910001", issued_on=dt.date(2025, 3, 1), source_ref="dd:a")
    await credential(b, number="S000037000001265910002", issued_on=dt.date(2025, 3, 1), source_ref="dd:b")
    await Credential.update(
        {Credential.status: "revoked", Credential.status_changed_on: dt.date(2026, 9, 1)}
    ).where(Credential.source_ref == "dd:b")
    await credential(
        c,
        number="S000037000001265910003",
        issued_on=dt.date(2022, 1, 1),
        expires_on=dt.date(2025, 1, 1),
        source_ref="dd:c",
    )
    await credential(e, number="S000037000001265910005", issued_on=dt.date(2025, 3, 1), source_ref="dd:e")
    await training_record(a, hours="8", completed_on=dt.date(2026, 3, 1), source_ref="dd:a1")
    await training_record(a, hours="8", completed_on=dt.date(2026, 1, 1), source_ref="dd:a2")
    await training_record(b, hours="8", completed_on=dt.date(2025, 12, 31), source_ref="dd:b1")
    await training_record(d, hours="8", completed_on=dt.date(2026, 2, 1), source_ref="dd:d1")
    return {"x": x, "y": y, "z": z, "a": a, "b": b, "c": c, "d": d, "e": e}


async def test_district_employers_counts_exactly(db: None) -> None:
    w = await _world()
    rows = await district_employers("370102", 2026, today=TODAY)
    got = {
        r.name: (
            r.employed,
            r.certified,
            r.trained_people,
            r.trainings,
            r.certification_rate,
            r.certification_met,
        )
        for r in rows
    }
    assert got == {
        "甲托育园": (3, 1, 1, 2, Decimal("33.3"), False),  # a, b, c; only a certified and trained
        "乙托育点": (0, 0, 0, 0, None, None),  # listed with zeros: no data, no verdict
    }
    assert [r.employer_id for r in rows] == [w["y"], w["x"]]  # by name (乙 < 甲); 丙 is elsewhere
    (tianqiao,) = await district_employers("370105", 2026, today=TODAY)
    assert (tianqiao.employed, tianqiao.certified, tianqiao.certification_met) == (1, 1, True)

    # 2025 as of 31 Dec 2025: d still employed, b's certificate not yet revoked, b trained
    last_year = {r.name: r for r in await district_employers("370102", 2025, today=TODAY)}
    x = last_year["甲托育园"]
    assert (x.employed, x.certified, x.trained_people, x.trainings, x.certification_rate) == (
        4,
        2,
        1,
        1,
        Decimal("50.0"),
    )
    # the employers add up to the district's row of the targets table (nobody works at two here)
    district = await compute_targets(2026, today=TODAY, scope="370102")
    assert district.indicator("certification_rate").denominator == sum(r.employed for r in rows)
    assert district.indicator("certification_rate").numerator == sum(r.certified for r in rows)


async def test_employer_people_lists_each_person_once_with_their_standing(db: None) -> None:
    w = await _world()
    people = await employer_people(w["x"], 2026, today=TODAY)
    assert [(p.practitioner_id, p.certified, p.trainings) for p in people] == [
        (w["a"], True, 2),
        (w["b"], False, 0),
        (w["c"], False, 0),
    ]
    assert people[0].valid_credentials == ["幼儿照护（S000037000001265910001）"]
    assert people[2].start_date == EMPLOYED_SINCE  # c's earliest current employment there
    earlier = await employer_people(w["x"], 2025, today=TODAY)
    assert [(p.practitioner_id, p.certified, p.trainings) for p in earlier] == [
        (w["a"], True, 0),
        (w["b"], True, 1),
        (w["c"], False, 0),
        (w["d"], False, 0),
    ]
    assert await employer_people(w["y"], 2026, today=TODAY) == []


async def test_bad_scope_year_or_employer_is_refused(db: None) -> None:
    await _world()
    with pytest.raises(ValidationFailed, match="不是本市区县代码"):
        await district_employers("379999", 2026, today=TODAY)
    with pytest.raises(ValidationFailed, match="尚未开始"):
        await district_employers("370102", 2027, today=TODAY)
    with pytest.raises(NotFound):
        await employer_people(10**6, 2026, today=TODAY)


SQLITE_FLOW = r"""
import asyncio, datetime as dt, json, os

async def main():
    from talent_pool.db import default_database_url, engine_for_url, use_engine
    engine = engine_for_url(default_database_url(os.environ["TUOYU_DATA_DIR"]))
    use_engine(engine)
    from service.bootstrap import prepare
    await prepare(engine)
    import talent_pool
    from tests.factories import credential, employ, make_employer, register_people, training_record
    x = await make_employer()
    a, b = await register_people(2)
    await employ(x, [a, b])
    await credential(a, number="S000037000001265930001", issued_on=dt.date(2025, 3, 1), source_ref="s:a")
    await training_record(b, hours="8", completed_on=dt.date(2026, 3, 1), source_ref="s:t")
    today = dt.date(2026, 11, 29)
    (e,) = await talent_pool.district_employers("370102", 2026, today=today)
    people = await talent_pool.employer_people(x, 2026, today=today)
    print("RESULT " + json.dumps({
        "employer": [e.employed, e.certified, e.trained_people, e.trainings, str(e.certification_rate)],
        "people": [[p.certified, p.trainings] for p in people],
    }))

asyncio.run(main())
"""


def test_the_same_counts_on_the_embedded_sqlite_default(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TUOYU_")}
    env["TUOYU_DATA_DIR"] = str(tmp_path / "data")
    env["PYTHONPATH"] = str(REPO)
    proc = subprocess.run(
        [sys.executable, "-c", SQLITE_FLOW], cwd=REPO, env=env, capture_output=True, text=True, timeout=240
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-5000:]
    line = next(x for x in proc.stdout.splitlines() if x.startswith("RESULT "))
    out = json.loads(line.removeprefix("RESULT "))
    assert out == {"employer": [2, 1, 1, 1, "50.0"], "people": [[True, 0], [False, 1]]}
