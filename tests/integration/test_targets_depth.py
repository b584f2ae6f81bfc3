"""Targets in depth on real PostgreSQL, with exact values: streets and functional zones, the plan's
formula for 人均培训, people in two districts (the city's reconciliation and consistent drill-down
rows), several credentials counted once, base accreditation history, projection, snapshots."""

from __future__ import annotations

import asyncio
import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

import talent_pool
from talent_pool import ValidationFailed, compute_targets_table, drill_down_list
from talent_pool.identity import uscc_check_character
from talent_pool.schemas import EmployerIn
from talent_pool.tables import TargetSnapshot
from tests.factories import credential, employ, make_employer, register_people, training_base, training_record
from worker.targets import nightly_snapshot, snapshot_day, targets_report

TODAY = dt.date(2026, 11, 29)
SHANGHAI = ZoneInfo("Asia/Shanghai")
JIEFANGLU = "370102001"  # 解放路街道, 历下区
SHUNHUALU = "370176001"  # 舜华路街道: 历下区, managed by the 高新区 (zone 370176)
ZHONGGONG = "370112018"  # 仲宫街道: 历城区, managed by 南部山区 (zone Z-NBSQ)


def credit_code(first17: str) -> str:
    return first17 + uscc_check_character(first17)


async def _employer(tail: str, district: str, street: str | None, name: str) -> int:
    return await make_employer(
        credit_code=credit_code(f"91{district}MA3C0{tail}6"),
        district_code=district,
        street_code=street,
        name=name,
    )


async def _world() -> dict[str, int]:
    """Three employers: 解放路 (历下), 舜华路 (历下, 高新区), 仲宫 (历城, 南部山区); people:
    a, b at 解放路; c at 舜华路 and at 仲宫 (two districts); d at 仲宫; e employed nowhere."""
    jf = await _employer("X1P", "370102", JIEFANGLU, "解放路托育")
    sh = await _employer("X2P", "370102", SHUNHUALU, "舜华路托育")
    zg = await _employer("X3P", "370112", ZHONGGONG, "仲宫托育")
    a, b, c, d, e = await register_people(5, prefix="深度")
    await employ(jf, [a, b])
    await employ(sh, [c])
    await employ(zg, [c, d])
    # a holds two credentials (counts once); c holds one
    await credential(a, number="N-a1", issued_on=dt.date(2026, 1, 5), source_ref="d:a1")
    await credential(
        a, number="N-a2", issued_on=dt.date(2026, 2, 5), source_ref="d:a2", programme_code="1X-YEZH-2"
    )
    await credential(c, number="N-c1", issued_on=dt.date(2026, 1, 5), source_ref="d:c1")
    # trainings of 2026: a twice, c once, e (no employer) once; one of 2025 for b
    for ref, who, day in (
        ("t1", a, dt.date(2026, 3, 1)),
        ("t2", a, dt.date(2026, 4, 1)),
        ("t3", c, dt.date(2026, 5, 1)),
        ("t4", e, dt.date(2026, 6, 1)),
        ("t5", b, dt.date(2025, 12, 31)),
    ):
        await training_record(who, hours="8", completed_on=day, source_ref=f"d:{ref}")
    return {"jf": jf, "sh": sh, "zg": zg, "a": a, "b": b, "c": c, "d": d, "e": e}


async def test_streets_zones_and_the_plan_formula_with_exact_values(db: None) -> None:
    w = await _world()
    reports = {
        r.scope: r
        for r in await compute_targets_table(
            2026, today=TODAY, levels=["city", "district", "zone", "street"], scopes=[f"employer:{w['zg']}"]
        )
    }
    assert set(reports) == {
        "city",
        *(d["code"] for d in await talent_pool.list_districts()),
        "zone:370176",
        "zone:Z-NBSQ",
        "zone:Z-QBQ",
        *(
            f"street:{s['code']}"
            for d in (await talent_pool.divisions_tree())["districts"]
            for s in d["streets"]
        ),
        f"employer:{w['zg']}",
    }

    def row(scope: str) -> tuple[int, int, int, int]:
        r = reports[scope]
        cert, per = r.indicator("certification_rate"), r.indicator("trainings_per_practitioner")
        assert per.beside is not None
        return r.employed_practitioners, cert.numerator or 0, per.numerator or 0, per.beside.numerator

    # (employed, certified, person-trainings, trained at least once)
    assert row("city") == (4, 2, 4, 2)  # c once; e's training counts in the city (培训人次 ÷ 从业人员)
    assert row("370102") == (3, 2, 3, 2)  # a, b, c
    assert row("370112") == (2, 1, 1, 1)  # c, d
    assert row("zone:370176") == (1, 1, 1, 1)  # c at 舜华路
    assert row("zone:Z-NBSQ") == (2, 1, 1, 1)  # c, d at 仲宫
    assert row("zone:Z-QBQ") == (0, 0, 0, 0)
    assert row(f"street:{JIEFANGLU}") == (2, 1, 2, 1)
    assert row(f"street:{SHUNHUALU}") == (1, 1, 1, 1)
    assert row(f"employer:{w['zg']}") == (2, 1, 1, 1)
    city = reports["city"]
    per = city.indicator("trainings_per_practitioner")
    assert (per.value, per.formula, per.met) == (Decimal("1.00"), "培训人次 ÷ 从业人员", True)
    assert per.beside is not None and per.beside.value == Decimal("50.0")  # 2 of 4 trained at least once
    assert city.indicator("person_trainings").numerator == 4
    assert reports["zone:Z-QBQ"].indicator("certification_rate").value is None
    # the city row explains the districts: c counted in two districts, e's training outside them
    rec = city.reconciliation
    assert rec is not None
    assert (
        rec.city_employed,
        rec.districts_employed,
        rec.people_in_several_districts,
        rec.counted_again,
    ) == (
        4,
        5,
        1,
        1,
    )
    assert (
        rec.city_person_trainings,
        rec.districts_person_trainings,
        rec.trainings_counted_again,
        rec.trainings_without_post,
    ) == (4, 4, 1, 1)
    assert rec.districts_person_trainings - rec.trainings_counted_again + rec.trainings_without_post == 4
    assert reports["370102"].reconciliation is None


async def test_an_employer_street_must_be_in_its_district(db: None) -> None:
    base = {"credit_code": credit_code("91370102MA3C0X9PK"), "name": "街道托育", "district_code": "370102"}
    with pytest.raises(ValidationFailed) as other:
        await talent_pool.register_employer(EmployerIn(**base, street_code=ZHONGGONG))
    assert "不属于区县 370102" in other.value.message
    with pytest.raises(ValidationFailed):
        await talent_pool.register_employer(EmployerIn(**base, street_code="370102999"))
    ok = await talent_pool.register_employer(EmployerIn(**base, street_code=f" {SHUNHUALU} "))
    assert ok.street_code == SHUNHUALU
    tree = await talent_pool.divisions_tree()
    lixia = next(d for d in tree["districts"] if d["code"] == "370102")
    assert len(lixia["streets"]) == 14  # 13 NBS streets + 舜华路 (高新区)
    zones = {z["short"]: z for z in tree["zones"]}
    assert zones["高新区"]["streets"] == ["370176001", "370176002", "370176003", "370176004", "370176005"]
    assert zones["南部山区"]["streets"] == ["370112018", "370112019", "370112021"]


async def test_drill_down_rows_are_consistent_per_person_and_employment(db: None) -> None:
    w = await _world()
    page = await drill_down_list("uncertified", 2026, today=TODAY)
    rows = {(p.practitioner_id, p.employer_id): p for p in page.people}
    assert set(rows) == {(w["b"], w["jf"]), (w["d"], w["zg"])}
    assert (page.total, page.people_total) == (2, 2)
    untrained = await drill_down_list("untrained", 2026, today=TODAY)
    by_person = sorted(
        (p.practitioner_id, p.employer_id, p.employer_name, p.district_code) for p in untrained.people
    )
    assert by_person == sorted(
        [(w["b"], w["jf"], "解放路托育", "370102"), (w["d"], w["zg"], "仲宫托育", "370112")]
    )
    # c is untrained in no list; make c's posts show: c works in two districts, each row its own
    everyone = await drill_down_list("untrained", 2025, today=TODAY)  # nobody trained in 2025 but b
    c_rows = sorted(
        (p.employer_id, p.employer_name, p.district_code, p.street_code)
        for p in everyone.people
        if p.practitioner_id == w["c"]
    )
    assert c_rows == sorted(
        [(w["sh"], "舜华路托育", "370102", SHUNHUALU), (w["zg"], "仲宫托育", "370112", ZHONGGONG)]
    )
    assert (everyone.total, everyone.people_total) == (4, 3)  # a, c twice, d
    in_zone = await drill_down_list("untrained", 2025, today=TODAY, scope="zone:370176")
    assert [(p.practitioner_id, p.employer_id) for p in in_zone.people] == [(w["c"], w["sh"])]
    with pytest.raises(ValidationFailed):
        await drill_down_list("nonsense", 2026, today=TODAY)


async def test_expiring_credentials_within_90_days(db: None) -> None:
    w = await _world()
    # b: one credential expiring in 30 days → listed; d: one expiring in 30 days but another
    # valid for years → not listed; a: none expiring
    await credential(
        w["b"],
        number="N-b1",
        issued_on=dt.date(2024, 1, 1),
        expires_on=dt.date(2026, 12, 29),
        source_ref="d:b1",
    )
    await credential(
        w["d"],
        number="N-d1",
        issued_on=dt.date(2024, 1, 1),
        expires_on=dt.date(2026, 12, 29),
        source_ref="d:d1",
    )
    await credential(
        w["d"],
        number="N-d2",
        issued_on=dt.date(2025, 1, 1),
        expires_on=dt.date(2030, 1, 1),
        source_ref="d:d2",
    )
    await credential(
        w["c"],
        number="N-c9",
        issued_on=dt.date(2024, 1, 1),
        expires_on=dt.date(2027, 2, 28),
        source_ref="d:c9",
    )
    page = await drill_down_list("expiring", 2026, today=TODAY)
    assert [(p.practitioner_id, p.due_on, p.detail) for p in page.people] == [
        (w["b"], dt.date(2026, 12, 29), "N-b1")
    ]  # c's expires after 90 days (2027-02-27 is the last day) and c1 never expires


async def test_base_history_counts_bases_on_the_reference_date(db: None) -> None:
    await training_base(name="老基地", accredited_on=dt.date(2024, 5, 1))
    await training_base(name="新基地", accredited_on=dt.date(2026, 3, 1))
    await training_base(name="撤销基地", accredited_on=dt.date(2023, 1, 1), withdrawn_on=dt.date(2025, 7, 1))
    await training_base(name="未认定", accredited=False)

    def bases(reports: list[talent_pool.schemas.TargetsReport]) -> Decimal | None:
        return reports[0].indicator("training_bases").value

    assert bases(await targets_report(TODAY, year=2025, scopes=["city"])) == 1  # 老基地 only
    assert bases(await targets_report(TODAY, as_of=dt.date(2025, 6, 30), scopes=["city"])) == 2
    assert bases(await targets_report(TODAY, year=2026, scopes=["city"])) == 2
    assert bases(await targets_report(TODAY, as_of=dt.date(2026, 2, 28), scopes=["city"])) == 1


async def test_projection_and_status_with_exact_arithmetic(db: None) -> None:
    jf = await _employer("X1P", "370102", JIEFANGLU, "解放路托育")
    a, b = await register_people(2, prefix="投影")
    await employ(jf, [a, b])
    await training_record(a, hours="8", completed_on=dt.date(2026, 3, 1), source_ref="p:1")
    # 1 training, 2 people: projected numerator 1 × 365 / elapsed; target 1 per person.
    # 2026-07-01 is day 182: 365 ≥ 2 × 182 = 364 → on track; 2026-07-02 is day 183: 365 < 366
    (on_track,) = await compute_targets_table(today=TODAY, as_of=dt.date(2026, 7, 1), scopes=["city"])
    per = on_track.indicator("trainings_per_practitioner")
    assert (per.value, per.met, per.status, per.projected) == (
        Decimal("0.50"),
        False,
        "on_track",
        Decimal("1.00"),
    )
    (at_risk,) = await compute_targets_table(today=TODAY, as_of=dt.date(2026, 7, 2), scopes=["city"])
    per = at_risk.indicator("trainings_per_practitioner")
    assert (per.status, per.projected) == ("at_risk", Decimal("1.00"))  # 1 × 365 / 183 / 2 = 0.997…
    person = at_risk.indicator("person_trainings")
    assert (person.projected, person.status) == (Decimal("1.99"), "at_risk")  # 365 / 183
    cert = at_risk.indicator("certification_rate")
    assert (cert.projected, cert.status) == (Decimal("0.0"), "at_risk")  # a level: projected as it is
    (year_end,) = await compute_targets_table(2026, today=dt.date(2027, 1, 3), scopes=["city"])
    assert year_end.as_of == dt.date(2026, 12, 31)
    assert year_end.indicator("trainings_per_practitioner").status == "not_met"
    with pytest.raises(ValidationFailed):
        await compute_targets_table(today=TODAY, as_of=TODAY + dt.timedelta(days=1))
    with pytest.raises(ValidationFailed):
        await compute_targets_table(2025, today=TODAY, as_of=TODAY)


async def test_local_date_year_boundary(db: None) -> None:
    """A training that ended at 23:30 on 31 December 2025 in Beijing (15:30 UTC) is dated
    2025-12-31 and counts in 2025; one ending at 00:30 on 1 January 2026 in Beijing — still
    31 December in UTC — is dated 2026-01-01 and counts in 2026 only."""
    jf = await _employer("X1P", "370102", JIEFANGLU, "解放路托育")
    (a,) = await register_people(1, prefix="跨年")
    await employ(jf, [a], start_date=dt.date(2025, 1, 1))
    late = dt.datetime(2025, 12, 31, 15, 30, tzinfo=dt.UTC)
    after_midnight = dt.datetime(2025, 12, 31, 16, 30, tzinfo=dt.UTC)
    for ref, instant in (("late", late), ("new-year", after_midnight)):
        await training_record(
            a, hours="4", completed_on=instant.astimezone(SHANGHAI).date(), source_ref=f"y:{ref}"
        )
    (y2025,) = await compute_targets_table(2025, today=TODAY, scopes=["city"])
    (y2026,) = await compute_targets_table(2026, today=TODAY, scopes=["city"])
    assert y2025.indicator("person_trainings").numerator == 1
    assert y2026.indicator("person_trainings").numerator == 1
    (first_day,) = await compute_targets_table(today=dt.date(2026, 1, 1), scopes=["city"])
    assert (first_day.year, first_day.indicator("person_trainings").numerator) == (2026, 1)


async def test_nightly_snapshot_is_written_once_and_makes_a_monthly_trend(db: None) -> None:
    await _world()
    # 01:59 local on 2026-11-29: the latest due is the 27th; from 02:00 the 28th
    assert snapshot_day(dt.datetime(2026, 11, 28, 17, 59, tzinfo=dt.UTC), SHANGHAI) == dt.date(2026, 11, 27)
    at_two = dt.datetime(2026, 11, 28, 18, 0, tzinfo=dt.UTC)
    assert snapshot_day(at_two, SHANGHAI) == dt.date(2026, 11, 28)
    written = await asyncio.gather(
        nightly_snapshot(now=at_two, zone=SHANGHAI), nightly_snapshot(now=at_two, zone=SHANGHAI)
    )
    scopes = 1 + 12 + 3 + 164  # city, districts, zones, streets
    assert sum(written) == scopes
    assert await nightly_snapshot(now=at_two + dt.timedelta(minutes=10), zone=SHANGHAI) == 0
    assert await TargetSnapshot.count().where(TargetSnapshot.taken_on == dt.date(2026, 11, 28)) == scopes
    # earlier nights of the year: two in October, one in March
    for day in (dt.date(2026, 3, 31), dt.date(2026, 10, 1), dt.date(2026, 10, 31)):
        reports = await targets_report(TODAY, as_of=day, scopes=["city"])
        assert await talent_pool.write_snapshots(day, reports) == 1
        assert await talent_pool.write_snapshots(day, reports) == 0
    points = await talent_pool.trend("city", 2026)
    assert [(p.month, p.taken_on) for p in points] == [
        ("2026-03", dt.date(2026, 3, 31)),
        ("2026-10", dt.date(2026, 10, 31)),
        ("2026-11", dt.date(2026, 11, 28)),
    ]
    march = {i.key: i for i in points[0].indicators}
    assert march["person_trainings"].numerator == 1  # a's training of 2026-03-01
    assert points[-1].employed_practitioners == 4


async def test_a_retaken_day_replaces_every_scope_of_that_day_only(db: None) -> None:
    """``nightly_snapshot(retake=True)`` (the demo, after loading its data): the day's rows
    are overwritten — also under a concurrent plain write — and a scope no longer reported goes;
    other days stay as they were."""
    at_two = dt.datetime(2026, 11, 28, 18, 0, tzinfo=dt.UTC)
    day = snapshot_day(at_two, SHANGHAI)
    empty = await targets_report(TODAY, as_of=day, scopes=["city"])
    await talent_pool.write_snapshots(day, [*empty, empty[0].model_copy(update={"scope": "gone"})])
    earlier = dt.date(2026, 10, 31)
    await talent_pool.write_snapshots(earlier, empty)
    await _world()
    scopes = 1 + 12 + 3 + 164
    retaken, plain = await asyncio.gather(
        nightly_snapshot(now=at_two, zone=SHANGHAI, retake=True),
        nightly_snapshot(now=at_two, zone=SHANGHAI),
    )
    assert (retaken, plain) == (scopes, 0)
    assert await TargetSnapshot.count().where(TargetSnapshot.taken_on == day) == scopes
    assert not await TargetSnapshot.exists().where(TargetSnapshot.scope == "gone")
    points = await talent_pool.trend("city", 2026)
    assert [(p.taken_on, p.employed_practitioners) for p in points] == [(earlier, 0), (day, 4)]
