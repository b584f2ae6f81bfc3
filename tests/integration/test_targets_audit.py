"""The one-pass targets table agrees, scope by scope, with an independent computation of the
same definitions written in plain Python over the raw rows — on a generated workforce with the
awkward cases added: a person employed in two districts, a renewed-then-revoked certificate whose
superseded predecessor must not count, an expired credential, an ended employment."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from service.demo_data import generate_workforce
from talent_pool import compute_targets_table
from talent_pool.identity import uscc_check_character
from talent_pool.tables import Credential, Employer, Employment, TrainingRecord
from tests.factories import credential, employ, make_employer, register_people

TODAY = dt.date(2026, 11, 29)


def credit_code(first17: str) -> str:
    """A valid GB 32100 credit code from its first 17 characters."""
    return first17 + uscc_check_character(first17)


YEAR_START = dt.date(2026, 1, 1)


def _counts_in_python(
    employments: list[dict[str, Any]],
    district_of: dict[int, str],
    credentials: list[dict[str, Any]],
    trainings: list[dict[str, Any]],
    on: dt.date,
) -> dict[str, dict[str, int]]:
    """The definitions of talent_pool/targets.py, written again without SQL."""
    people_by_scope: dict[str, set[int]] = defaultdict(set)
    for e in employments:
        if e["start_date"] <= on and (e["end_date"] is None or e["end_date"] >= on):
            people_by_scope["city"].add(e["practitioner"])
            people_by_scope[district_of[e["employer"]]].add(e["practitioner"])
    holders = {
        c["practitioner"]
        for c in credentials
        if c["qualifying"]
        and c["issued_on"] <= on
        and (c["expires_on"] is None or c["expires_on"] >= on)
        and not (c["status"] in ("revoked", "suspended", "superseded") and c["status_changed_on"] <= on)
    }
    per_person: dict[int, int] = defaultdict(int)
    year_records = [t for t in trainings if YEAR_START <= t["completed_on"] <= on]
    for t in year_records:
        per_person[t["practitioner"]] += 1
    result = {}
    for scope, people in people_by_scope.items():
        result[scope] = {
            "employed": len(people),
            "certified": len(people & holders),
            "trained_people": sum(1 for p in people if per_person[p]),
            "trainings_of_employed": sum(per_person[p] for p in people),
            "person_trainings": len(year_records) if scope == "city" else sum(per_person[p] for p in people),
        }
    return result


async def test_targets_table_agrees_with_an_independent_computation(db: None) -> None:
    await generate_workforce(today=TODAY, employers=60, practitioners=900, seed=11)
    # the awkward cases
    liixia = await make_employer(
        credit_code=credit_code("91370102MA3C0X1P6"), district_code="370102", name="历下托育"
    )
    tianqiao = await make_employer(
        credit_code=credit_code("91370105MA3C0X2R1"), district_code="370105", name="天桥托育"
    )
    a, b, c = await register_people(3, prefix="审计")
    await employ(liixia, [a, b, c])
    await employ(tianqiao, [a])  # a works in two districts
    await credential(
        b, number="S000037000001265900001", issued_on=dt.date(2025, 3, 1), source_ref="audit:old"
    )
    await Credential.update(
        {Credential.status: "superseded", Credential.status_changed_on: dt.date(2026, 6, 1)}
    ).where(Credential.source_ref == "audit:old")
    await credential(
        b, number="S000037000001265900002", issued_on=dt.date(2026, 6, 1), source_ref="audit:new"
    )
    await Credential.update(
        {Credential.status: "revoked", Credential.status_changed_on: dt.date(2026, 9, 1)}
    ).where(Credential.source_ref == "audit:new")
    await credential(
        c,
        number="S000037000001265900003",
        issued_on=dt.date(2022, 1, 1),
        source_ref="audit:expired",
        expires_on=dt.date(2025, 1, 1),
    )

    reports = {r.scope: r for r in await compute_targets_table(2026, today=TODAY)}
    expected = _counts_in_python(
        await Employment.select(),
        {r["id"]: r["district_code"] for r in await Employer.select(Employer.id, Employer.district_code)},
        await Credential.select(),
        await TrainingRecord.select(),
        TODAY,
    )
    assert set(expected) <= set(reports)
    for scope, counts in expected.items():
        report = reports[scope]
        rate = report.indicator("certification_rate")
        per_person = report.indicator("trainings_per_practitioner")
        assert (rate.denominator, rate.numerator) == (counts["employed"], counts["certified"]), scope
        # the plan's formula: 人均培训 = 培训人次 ÷ 从业人员 (for a district its people's trainings)
        assert per_person.numerator == counts["person_trainings"], scope
        assert per_person.beside is not None
        assert (per_person.beside.numerator, per_person.beside.denominator) == (
            counts["trained_people"],
            counts["employed"],
        ), scope
        assert report.indicator("person_trainings").numerator == counts["person_trainings"], scope
    # b's superseded predecessor does not count once its renewal is revoked; c's credential expired
    holders_b_c = expected["370102"]["certified"]
    assert reports["370102"].indicator("certification_rate").numerator == holders_b_c
    city = reports["city"].indicator("certification_rate")
    assert (
        city.denominator
        == expected["city"]["employed"]
        < sum(expected[s]["employed"] for s in expected if s != "city")
    )  # the two-district person counts once in the city
