"""The registry in depth (issue 12) on real PostgreSQL: employers' kind, 普惠 flag, places and the
GB 32100 override; practitioners merged by ID number with derived gender and birth date; credit
records, background checks, health certificates and the lifetime exclusion."""

from __future__ import annotations

import datetime as dt

import pytest

import talent_pool
from talent_pool import (
    Conflict,
    InvalidCreditCode,
    ValidationFailed,
    register_employer,
    register_practitioner,
)
from talent_pool.credit_schemas import (
    EXCLUDED_MESSAGE,
    BackgroundCheckIn,
    CreditRecordIn,
    HealthCertificateIn,
)
from talent_pool.identity import uscc_check_character
from talent_pool.schemas import EmployerIn, EmploymentIn, PractitionerIn
from tests.factories import employ, make_employer, make_id

TODAY = dt.date(2026, 11, 29)
GOOD17 = "91370102MA3C0X1PK"


def bad_code() -> str:
    """18 characters of the GB 32100 set whose check character is wrong."""
    right = uscc_check_character(GOOD17)
    wrong = "1" if right != "1" else "2"
    return GOOD17 + wrong


async def test_employer_kind_inclusive_places_are_stored_and_returned(db: None) -> None:
    out = await register_employer(
        EmployerIn(
            credit_code=GOOD17 + uscc_check_character(GOOD17),
            name="阳光社区托育点",
            kind="community_point",
            district_code="370102",
            inclusive=True,
            places=40,
        )
    )
    again = await talent_pool.get_employer(out.id)
    assert (again.kind, again.kind_name, again.inclusive, again.places) == (
        "community_point",
        "社区托育点",
        True,
        40,
    )
    assert again.credit_code_override is False and again.credit_code_note == ""


async def test_a_bad_check_character_is_refused_without_override(db: None) -> None:
    with pytest.raises(InvalidCreditCode, match="校验码错误"):
        await register_employer(EmployerIn(credit_code=bad_code(), name="某托育园", district_code="370102"))


async def test_override_needs_a_note_and_a_regulator_and_is_shown(db: None) -> None:
    data = {"credit_code": bad_code(), "name": "老字号托育园", "district_code": "370102"}
    with pytest.raises(ValidationFailed, match="核实说明"):
        await register_employer(EmployerIn(**data, credit_code_override=True), override_by="city")
    with pytest.raises(ValidationFailed, match="监管账号"):
        await register_employer(
            EmployerIn(**data, credit_code_override=True, credit_code_note="已核实营业执照")
        )
    out = await register_employer(
        EmployerIn(**data, credit_code_override=True, credit_code_note="已核实营业执照原件"),
        override_by="city",
    )
    shown = await talent_pool.get_employer(out.id)
    assert shown.credit_code == bad_code()
    assert (shown.credit_code_override, shown.credit_code_note, shown.credit_code_override_by) == (
        True,
        "已核实营业执照原件",
        "city",
    )


async def test_override_never_excuses_other_defects_and_is_not_recorded_for_good_codes(db: None) -> None:
    with pytest.raises(InvalidCreditCode, match="18位"):
        await register_employer(
            EmployerIn(
                credit_code="91370102MA3C0X1P",
                name="短代码",
                district_code="370102",
                credit_code_override=True,
                credit_code_note="说明",
            ),
            override_by="city",
        )
    good = await register_employer(
        EmployerIn(
            credit_code=GOOD17 + uscc_check_character(GOOD17),
            name="正常托育园",
            district_code="370102",
            credit_code_override=True,
            credit_code_note="多余的说明",
        ),
        override_by="city",
    )
    assert good.credit_code_override is False and good.credit_code_note == ""


async def test_places_cannot_be_negative() -> None:
    with pytest.raises(ValueError):
        EmployerIn(credit_code="x", name="n", district_code="370102", places=-1)


async def test_practitioner_is_one_record_per_id_with_derived_gender_and_birth_date(db: None) -> None:
    woman = make_id(2, birth="19880229")  # sequence 002: even → female
    a = await register_practitioner(PractitionerIn(id_number=woman.lower(), name="王芳"), today=TODAY)
    assert (a.gender, a.birth_date) == ("F", dt.date(1988, 2, 29))
    full_width = woman.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))
    b = await register_practitioner(
        PractitionerIn(id_number=full_width, name="王芳", phone="13800000001"), today=TODAY
    )
    assert b.id == a.id and b.phone == "13800000001"  # the empty phone filled in
    c = await register_practitioner(
        PractitionerIn(id_number=woman, name="王芳", phone="13900000009"), today=TODAY
    )
    assert c.id == a.id and c.phone == "13800000001"  # a phone on record is never overwritten
    man = await register_practitioner(PractitionerIn(id_number=make_id(3), name="李强"), today=TODAY)
    assert man.gender == "M"
    with pytest.raises(Conflict):
        await register_practitioner(PractitionerIn(id_number=woman, name="王芳芳"), today=TODAY)


async def _person(seq: int, name: str) -> int:
    return (await register_practitioner(PractitionerIn(id_number=make_id(seq), name=name), today=TODAY)).id


async def test_lifetime_exclusion_blocks_every_new_employment(db: None) -> None:
    employer = await make_employer()
    other = await make_employer(credit_code=GOOD17 + uscc_check_character(GOOD17), name="第二家")
    person = await _person(5, "赵六")
    await employ(employer, [person])
    # a pending claim made before the exclusion
    claim = await talent_pool.claim_employment(
        other, id_number=make_id(5), name="赵六", start_date=TODAY, requested_by="e", today=TODAY
    )
    with pytest.raises(ValidationFailed, match="终身禁入只能随违规记录"):
        await talent_pool.record_credit(
            person,
            CreditRecordIn(
                kind="commendation",
                title="优秀",
                evidence="表彰文件",
                occurred_on=TODAY,
                lifetime_exclusion=True,
            ),
            recorded_by_id=1,
            recorded_by="city",
            today=TODAY,
        )
    record = await talent_pool.record_credit(
        person,
        CreditRecordIn(
            kind="violation",
            title="虐待婴幼儿",
            evidence="济卫监罚〔2026〕12号",
            occurred_on=TODAY - dt.timedelta(days=3),
            lifetime_exclusion=True,
        ),
        recorded_by_id=7,
        recorded_by="city",
        today=TODAY,
    )
    assert (record.recorded_by_id, record.recorded_on, record.practitioner_id) == (7, TODAY, person)
    with pytest.raises(Conflict, match=EXCLUDED_MESSAGE) as info:
        await talent_pool.claim_employment(
            employer, id_number=make_id(5), name="赵六", start_date=TODAY, requested_by="e", today=TODAY
        )
    assert info.value.detail == {"lifetime_excluded": True}
    with pytest.raises(Conflict, match=EXCLUDED_MESSAGE):
        await talent_pool.start_employment(
            EmploymentIn(practitioner_id=person, employer_id=other, start_date=TODAY)
        )
    with pytest.raises(Conflict, match=EXCLUDED_MESSAGE):
        await talent_pool.decide_employment(claim.id, confirm=True, by="self")
    declined = await talent_pool.decide_employment(claim.id, confirm=False, by="self")
    assert declined.status == "declined"
    # the employer's staff list shows the flag, not the record
    staff = await talent_pool.staff_of_employer(employer, today=TODAY)
    assert [(m.practitioner_id, m.lifetime_excluded) for m in staff] == [(person, True)]
    assert "虐待" not in staff[0].model_dump_json()
    # withdrawn (entered in error): on file, but it blocks nothing any more
    with pytest.raises(ValidationFailed, match="原因"):
        await talent_pool.withdraw_credit(record.id, reason=" ", withdrawn_by="city", today=TODAY)
    withdrawn = await talent_pool.withdraw_credit(
        record.id, reason="录入错误：另一人", withdrawn_by="city", today=TODAY
    )
    assert (withdrawn.withdrawn_on, withdrawn.withdrawn_by) == (TODAY, "city")
    with pytest.raises(Conflict, match="已撤销"):
        await talent_pool.withdraw_credit(record.id, reason="再次", withdrawn_by="city", today=TODAY)
    assert not await talent_pool.is_excluded(person)
    again = await talent_pool.claim_employment(
        other, id_number=make_id(5), name="赵六", start_date=TODAY, requested_by="e", today=TODAY
    )
    assert again.status == "pending"
    file = await talent_pool.credit_file(person, today=TODAY)
    assert [r.withdrawn_reason for r in file.credit_records] == ["录入错误：另一人"]


async def test_background_check_due_dates_and_overdue_list(db: None) -> None:
    employer = await make_employer()
    never, lapsed, fresh, leap = (
        await _person(11, "甲一"),
        await _person(12, "乙二"),
        await _person(13, "丙三"),
        await _person(14, "丁四"),
    )
    await employ(employer, [never, lapsed, fresh, leap], start_date=dt.date(2026, 3, 1))
    unemployed = await _person(15, "戊五")  # never checked, employed nowhere: not listed
    by = {"recorded_by_id": 1, "recorded_by": "district", "today": TODAY}
    await talent_pool.record_background_check(
        lapsed, BackgroundCheckIn(kind="pre_hire", checked_on=dt.date(2025, 11, 28)), **by
    )
    await talent_pool.record_background_check(
        fresh, BackgroundCheckIn(kind="pre_hire", checked_on=dt.date(2025, 11, 29)), **by
    )
    await talent_pool.record_background_check(
        leap, BackgroundCheckIn(kind="annual", checked_on=dt.date(2024, 2, 29)), **by
    )
    with pytest.raises(ValidationFailed, match="说明"):
        await talent_pool.record_background_check(
            fresh, BackgroundCheckIn(checked_on=TODAY, result="concern"), **by
        )
    with pytest.raises(ValidationFailed, match="晚于今天"):
        await talent_pool.record_background_check(
            fresh, BackgroundCheckIn(checked_on=TODAY + dt.timedelta(days=1)), **by
        )
    status = await talent_pool.check_status([never, lapsed, fresh, leap, unemployed], today=TODAY)
    assert status[never].background_check_due == dt.date(2026, 3, 1)  # due before hiring
    assert status[lapsed].background_check_due == dt.date(2026, 11, 28)
    assert status[fresh].background_check_due == TODAY and not status[fresh].background_check_overdue
    assert status[leap].background_check_due == dt.date(2025, 2, 28)
    assert status[unemployed].background_check_due is None
    overdue = await talent_pool.background_checks_overdue(today=TODAY, district_code="370102")
    assert sorted(r.practitioner_id for r in overdue) == sorted([never, lapsed, leap])
    assert {r.status for r in overdue} == {"overdue"}
    assert await talent_pool.background_checks_overdue(today=TODAY, district_code="370105") == []
    # a district that is not the city's is an error, never an empty "nobody is due"
    for code in ("abc", "110105", "370111"):  # not a code, Beijing, a retired code of Jinan
        with pytest.raises(ValidationFailed, match="不是本市现行区县"):
            await talent_pool.background_checks_overdue(today=TODAY, district_code=code)
        with pytest.raises(ValidationFailed, match="不是本市现行区县"):
            await talent_pool.health_certificates_expiring(today=TODAY, district_code=code)
    # a day later the fresh check lapses too
    later = await talent_pool.background_checks_overdue(today=TODAY + dt.timedelta(days=1))
    assert fresh in {r.practitioner_id for r in later}


async def test_health_certificates_expiring_and_expired(db: None) -> None:
    employer = await make_employer()
    ok, soon, gone, none = (
        await _person(21, "甲甲"),
        await _person(22, "乙乙"),
        await _person(23, "丙丙"),
        await _person(24, "丁丁"),
    )
    await employ(employer, [ok, soon, gone, none])
    by = {"recorded_by_id": 1, "recorded_by": "city", "today": TODAY}

    async def cert(person: int, expires: dt.date) -> None:
        await talent_pool.record_health_certificate(
            person,
            HealthCertificateIn(number=f"JK{person}", issued_on=dt.date(2026, 1, 1), expires_on=expires),
            **by,
        )

    await cert(ok, TODAY + dt.timedelta(days=31))
    await cert(soon, TODAY + dt.timedelta(days=30))
    await cert(gone, TODAY - dt.timedelta(days=1))
    with pytest.raises(ValidationFailed, match="早于发证日期"):
        await cert(ok, dt.date(2025, 1, 1))
    rows = await talent_pool.health_certificates_expiring(today=TODAY, within_days=30)
    assert {r.practitioner_id: r.status for r in rows} == {soon: "expiring", gone: "expired", none: "missing"}
    file = await talent_pool.credit_file(gone, today=TODAY)
    assert file.status.health_certificate_status == "expired"
    assert [h.number for h in file.health_certificates] == [f"JK{gone}"]


async def test_overdue_list_for_a_set_of_employers(db: None) -> None:
    """The targets' drill-down of a street or zone passes the employers of that scope."""
    one = await make_employer()
    two = await make_employer(credit_code=GOOD17 + uscc_check_character(GOOD17), name="第二家")
    a, b = await _person(31, "甲乙"), await _person(32, "丙丁")
    await employ(one, [a])
    await employ(two, [b])
    rows = await talent_pool.background_checks_overdue(today=TODAY, employer_ids=[two])
    assert [(r.practitioner_id, r.employer_id) for r in rows] == [(b, two)]
    assert await talent_pool.background_checks_overdue(today=TODAY, employer_ids=[]) == []


async def test_transfer_ends_the_old_employment_the_day_before(db: None) -> None:
    one = await make_employer()
    two = await make_employer(
        credit_code=GOOD17 + uscc_check_character(GOOD17), name="第二家", district_code="370105"
    )
    person = await _person(41, "调动者")
    await employ(one, [person], start_date=dt.date(2025, 3, 1))
    [old] = await talent_pool.employments(practitioner_id=person)
    with pytest.raises(ValidationFailed, match="相同"):
        await talent_pool.transfer_employment(old.id, to_employer_id=one, on=TODAY, by="city")
    with pytest.raises(ValidationFailed, match="晚于"):
        await talent_pool.transfer_employment(old.id, to_employer_id=two, on=dt.date(2025, 3, 1), by="city")
    new = await talent_pool.transfer_employment(
        old.id, to_employer_id=two, on=TODAY, position="teacher", by="city"
    )
    assert (new.employer_id, new.start_date, new.position, new.status, new.district_code) == (
        two,
        TODAY,
        "teacher",
        "active",
        "370105",
    )
    assert new.requested_by == f"transfer:{old.id}"
    ended = await talent_pool.get_employment(old.id)
    assert ended.end_date == TODAY - dt.timedelta(days=1)
    with pytest.raises(Conflict, match="在职"):
        await talent_pool.transfer_employment(old.id, to_employer_id=two, on=TODAY, by="city")
    # one employment covers each day: the targets count the person once, in the new district
    assert await talent_pool.employs(one, person, on=TODAY - dt.timedelta(days=1))
    assert not await talent_pool.employs(one, person, on=TODAY)
    assert await talent_pool.employs(two, person, on=TODAY)
