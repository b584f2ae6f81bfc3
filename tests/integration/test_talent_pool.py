"""talent_pool services on the real PostgreSQL database."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from talent_pool import (
    Conflict,
    ValidationFailed,
    compute_targets,
    register_practitioner,
    shortfall,
    staff_of_employer,
    start_employment,
    update_credential_status,
)
from talent_pool.schemas import EmploymentIn, PractitionerIn
from tests.factories import (
    credential,
    employ,
    employer_with_staff,
    make_employer,
    make_id,
    register_people,
    training_record,
)

TODAY = dt.date(2026, 11, 29)


async def test_register_practitioner_normalises_and_dedupes(db: None) -> None:
    number = make_id(12)
    a = await register_practitioner(
        PractitionerIn(id_number=" " + number.lower() + " ", name="王 芳"), today=TODAY
    )
    b = await register_practitioner(PractitionerIn(id_number=number, name="王 芳"), today=TODAY)
    assert a.id == b.id and a.id_number == number
    with pytest.raises(Conflict):
        await register_practitioner(PractitionerIn(id_number=number, name="李四"), today=TODAY)


async def test_targets_count_distinct_people_and_exact_rates(db: None) -> None:
    _, people = await employer_with_staff(10)
    # 9 of 10 certified; person 0 holds two credentials (counts once)
    for i, p in enumerate(people[:9]):
        await credential(
            p, programme_code="1X-YEZH", number=f"N{i}", issued_on=dt.date(2026, 1, 5), source_ref=f"c{i}"
        )
    await credential(
        people[0],
        kind="skill_level",
        programme_code="4-10-01-03",
        level="5",
        title="保育师",
        number="X1",
        issued_on=dt.date(2026, 2, 1),
        source_ref="c-extra",
    )
    # trainings: person 1 twice, idempotent retry of the same source_ref is not counted again
    for ref in ("t1", "t2", "t1"):
        await training_record(
            people[1],
            category="refresher",
            title="回炉培训",
            hours="8",
            completed_on=dt.date(2026, 3, 1),
            source_ref=ref,
        )
    report = await compute_targets(2026, today=TODAY, training_bases=3)
    rate = report.indicator("certification_rate")
    assert (rate.numerator, rate.denominator, rate.value, rate.met) == (
        9,
        10,
        Decimal("90.0"),
        True,
    )
    per = report.indicator("trainings_per_practitioner")
    assert (per.numerator, per.denominator, per.met) == (2, 10, False)
    assert report.indicator("person_trainings").numerator == 2
    assert report.indicator("training_bases").met is False

    await update_credential_status("c1", "revoked", on=TODAY, reason="test")
    after = await compute_targets(2026, today=TODAY)
    assert after.indicator("certification_rate").numerator == 8
    assert after.indicator("certification_rate").met is False
    # the revocation does not rewrite history: the 2026-11-28 view still counts it
    before = await compute_targets(2026, today=TODAY - dt.timedelta(days=1))
    assert before.indicator("certification_rate").numerator == 9

    district = await compute_targets(2026, today=TODAY, scope="370102")
    assert district.employed_practitioners == 10
    other = await compute_targets(2026, today=TODAY, scope="370105")
    assert other.indicator("certification_rate").value is None
    assert other.indicator("certification_rate").met is None


async def test_shortfall_lists_exactly_the_people_behind_the_rate(db: None) -> None:
    _, people = await employer_with_staff(4)
    await credential(people[0], number="N0", issued_on=dt.date(2026, 1, 5), source_ref="s0")
    await credential(  # expired before the reference date: still short
        people[1],
        number="N1",
        issued_on=dt.date(2020, 1, 5),
        expires_on=dt.date(2023, 1, 4),
        source_ref="s1",
    )
    page = await shortfall("certification_rate", 2026, today=TODAY, scope="370102", limit=2)
    report = await compute_targets(2026, today=TODAY, scope="370102")
    rate = report.indicator("certification_rate")
    assert page.total == rate.denominator - rate.numerator == 3
    assert len(page.people) == 2
    rest = await shortfall("certification_rate", 2026, today=TODAY, scope="370102", limit=2, offset=2)
    ids = {p.practitioner_id for p in page.people + rest.people}
    assert ids == {people[1], people[2], people[3]}
    untrained = await shortfall("trainings_per_practitioner", 2026, today=TODAY)
    assert untrained.total == 4
    with pytest.raises(ValidationFailed):
        await shortfall("person_trainings", 2026, today=TODAY)


async def test_staff_of_employer_shows_who_is_certified(db: None) -> None:
    emp = await make_employer()
    a, b, gone = await register_people(3, names=["甲", "乙", "丙"])
    await employ(emp, [a, b])
    await start_employment(
        EmploymentIn(
            practitioner_id=gone,
            employer_id=emp,
            start_date=dt.date(2024, 1, 1),
            end_date=dt.date(2025, 6, 30),
        )
    )
    await credential(a, number="N9", issued_on=dt.date(2026, 1, 5), source_ref="st-a")
    staff = {m.name: m for m in await staff_of_employer(emp, today=TODAY)}
    assert set(staff) == {"甲", "乙"}
    assert staff["甲"].certified and staff["甲"].valid_credentials == ["幼儿照护（N9）"]
    assert not staff["乙"].certified
    await update_credential_status("st-a", "suspended", on=TODAY, reason="调查中")
    staff = {m.name: m for m in await staff_of_employer(emp, today=TODAY)}
    assert not staff["甲"].certified


async def test_children_cannot_be_registered_as_practitioners(db: None) -> None:
    from talent_pool.identity import id_check_character

    toddler = "370102" + "20250101" + "001"
    with pytest.raises(ValidationFailed) as info:
        await register_practitioner(
            PractitionerIn(id_number=toddler + id_check_character(toddler), name="小明"), today=TODAY
        )
    assert "未满 16 周岁" in info.value.message
    sixteen = "370102" + "20101129" + "002"
    ok = await register_practitioner(
        PractitionerIn(id_number=sixteen + id_check_character(sixteen), name="小红"), today=TODAY
    )
    assert ok.birth_date == dt.date(2010, 11, 29)
