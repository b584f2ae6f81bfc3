"""Changing a training base (PATCH /api/training-bases/{id}): a withdrawal dated in the past
changes the 实训基地 count from that date on and not before; bad input changes nothing; the
change is kept and audited; a district regulator changes only their district's bases."""

from __future__ import annotations

import datetime as dt
from typing import Any

from litestar.testing import AsyncTestClient

from service.accounts.tables import AuditEntry
from tests.factories import admin_headers, role_headers, training_base
from training.tables import TrainingBase, TrainingBaseChange
from worker.clock import Clock


async def _bases_on(client: AsyncTestClient[Any], headers: dict[str, str], on: dt.date) -> Any:
    r = await client.get(f"/api/targets?scope=city&as_of={on.isoformat()}", headers=headers)
    assert r.status_code == 200, r.text
    (city,) = r.json()
    return next(i for i in city["indicators"] if i["key"] == "training_bases")["numerator"]


async def test_a_withdrawal_dated_in_the_past_counts_from_its_date_on(client: AsyncTestClient[Any]) -> None:
    today = Clock().today()
    admin = await admin_headers(client)
    base = await training_base(name="历下实训基地", accredited_on=today - dt.timedelta(days=400))
    before, after = today - dt.timedelta(days=100), today - dt.timedelta(days=10)
    withdrawn = today - dt.timedelta(days=50)
    assert [await _bases_on(client, admin, d) for d in (before, after, today)] == [1, 1, 1]

    r = await client.patch(
        f"/api/training-bases/{base}",
        headers=admin,
        json={"withdrawn_on": withdrawn.isoformat(), "withdrawn_reason": "年度复核不合格，取消认定"},
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["withdrawn_on"], body["withdrawn_reason"], body["active"], body["accredited"]) == (
        withdrawn.isoformat(),
        "年度复核不合格，取消认定",
        False,
        True,
    )
    # the day before the withdrawal still counts it; the withdrawal day and after do not
    assert await _bases_on(client, admin, withdrawn - dt.timedelta(days=1)) == 1
    assert [await _bases_on(client, admin, d) for d in (before, withdrawn, after, today)] == [1, 0, 0, 0]

    changes = await client.get(f"/api/training-bases/{base}/changes", headers=admin)
    assert changes.status_code == 200, changes.text
    (change,) = changes.json()
    assert change["before"] == {"withdrawn_on": None, "withdrawn_reason": "", "active": True}
    assert change["after"] == {
        "withdrawn_on": withdrawn.isoformat(),
        "withdrawn_reason": "年度复核不合格，取消认定",
        "active": False,
    }
    assert (change["changed_by"], change["reason"]) == ("regulator", "年度复核不合格，取消认定")

    await client.app.state.rt.audit_log.flush()
    audited = await AuditEntry.select(AuditEntry.action, AuditEntry.method, AuditEntry.actor).where(
        AuditEntry.path == f"/api/training-bases/{base}"
    )
    assert audited == [{"action": "base.update", "method": "PATCH", "actor": "regulator"}]

    # a withdrawal recorded in error is taken back: the base counts again on every date
    back = await client.patch(
        f"/api/training-bases/{base}",
        headers=admin,
        json={"withdrawn_on": None, "reason": "误操作，恢复认定"},
    )
    assert back.status_code == 200, back.text
    assert (back.json()["withdrawn_on"], back.json()["withdrawn_reason"], back.json()["active"]) == (
        None,
        "",
        True,
    )
    assert [await _bases_on(client, admin, d) for d in (before, after, today)] == [1, 1, 1]
    history = (await client.get(f"/api/training-bases/{base}/changes", headers=admin)).json()
    assert [c["reason"] for c in history] == ["年度复核不合格，取消认定", "误操作，恢复认定"]


async def test_moving_the_accreditation_date_moves_the_count(client: AsyncTestClient[Any]) -> None:
    today = Clock().today()
    admin = await admin_headers(client)
    base = await training_base(name="天桥实训基地", district_code="370105", accredited=False)
    accredited = today - dt.timedelta(days=30)
    r = await client.patch(
        f"/api/training-bases/{base}",
        headers=admin,
        json={
            "accredited_on": accredited.isoformat(),
            "name": " 天桥区 托育实训基地 ",
            "address": "天桥区某路1号",
        },
    )
    assert r.status_code == 200, r.text
    assert (r.json()["name"], r.json()["address"], r.json()["accredited"]) == (
        "天桥区 托育实训基地",
        "天桥区某路1号",
        True,
    )
    assert await _bases_on(client, admin, accredited - dt.timedelta(days=1)) == 0
    assert await _bases_on(client, admin, accredited) == 1
    # the same values again: nothing changes, nothing is recorded
    again = await client.patch(
        f"/api/training-bases/{base}", headers=admin, json={"accredited_on": accredited.isoformat()}
    )
    assert again.status_code == 200
    assert await TrainingBaseChange.count().where(TrainingBaseChange.training_base == base) == 1


async def test_bad_changes_are_refused_in_chinese_and_change_nothing(client: AsyncTestClient[Any]) -> None:
    today = Clock().today()
    admin = await admin_headers(client)
    accredited = today - dt.timedelta(days=100)
    base = await training_base(accredited_on=accredited)
    stored = await TrainingBase.select().where(TrainingBase.id == base).first()
    early = (accredited - dt.timedelta(days=1)).isoformat()
    cases: list[tuple[dict[str, Any], str]] = [
        ({"withdrawn_on": early, "withdrawn_reason": "复核不合格"}, "早于认定日期"),
        ({"withdrawn_on": today.isoformat()}, "须填写撤销原因"),
        ({"withdrawn_on": today.isoformat(), "withdrawn_reason": "   "}, "须填写撤销原因"),
        ({"withdrawn_on": (today + dt.timedelta(days=1)).isoformat(), "withdrawn_reason": "x"}, "晚于今天"),
        ({"accredited_on": (today + dt.timedelta(days=3)).isoformat()}, "晚于今天"),
        ({"withdrawn_on": f"{today.isoformat()}T10:00:00+08:00", "withdrawn_reason": "x"}, "YYYY-MM-DD"),
        ({"withdrawn_on": 20250701, "withdrawn_reason": "x"}, "YYYY-MM-DD"),
        ({"withdrawn_on": "2025/07/01", "withdrawn_reason": "x"}, "YYYY-MM-DD"),
        ({"withdrawn_on": "1999-07-01", "withdrawn_reason": "x"}, "超出允许范围"),
        ({}, "没有要修改的内容"),
        ({"reason": "只有理由"}, "没有要修改的内容"),
        ({"name": "  "}, "不能为空"),
        ({"name": None}, "名称不能为空"),
        ({"withdrawn_reason": "没有撤销日期"}, "没有撤销日期"),
        # accreditation moved after an existing withdrawal: checked against the stored withdrawal
    ]
    for body, message in cases:
        r = await client.patch(f"/api/training-bases/{base}", headers=admin, json=body)
        assert r.status_code in (400, 422), (body, r.text)
        assert message in r.text, (body, r.text)
    ok = await client.patch(
        f"/api/training-bases/{base}",
        headers=admin,
        json={"withdrawn_on": today.isoformat(), "withdrawn_reason": "复核不合格"},
    )
    assert ok.status_code == 200, ok.text
    later = await client.patch(
        f"/api/training-bases/{base}",
        headers=admin,
        json={"accredited_on": (today - dt.timedelta(days=0)).isoformat()},
    )
    assert later.status_code == 200  # the same day as the withdrawal is allowed
    moved = await client.patch(
        f"/api/training-bases/{base}",
        headers=admin,
        json={"withdrawn_on": (today - dt.timedelta(days=1)).isoformat()},
    )
    assert moved.status_code == 422 and "早于认定日期" in moved.json()["detail"]
    unknown = await client.patch("/api/training-bases/999999", headers=admin, json={"name": "无"})
    assert unknown.status_code == 404 and "不存在" in unknown.json()["detail"]
    assert await TrainingBaseChange.count().where(TrainingBaseChange.training_base == base) == 2
    row = await TrainingBase.select().where(TrainingBase.id == base).first()
    assert (row["name"], row["address"]) == (stored["name"], stored["address"])


async def test_only_regulators_of_the_base_district_change_it(client: AsyncTestClient[Any]) -> None:
    await admin_headers(client)
    lixia = await training_base(district_code="370102")
    tianqiao = await role_headers(client, "tq-admin", "district_admin", district_code="370105")
    lixia_admin = await role_headers(client, "lx-admin", "district_admin", district_code="370102")
    staff = await role_headers(client, "lx-staff", "base_staff", training_base_id=lixia)
    body = {"address": "历下区新地址"}
    other = await client.patch(f"/api/training-bases/{lixia}", headers=tianqiao, json=body)
    assert other.status_code == 403 and "本区县" in other.json()["detail"]
    assert (await client.get(f"/api/training-bases/{lixia}/changes", headers=tianqiao)).status_code == 403
    assert (await client.patch(f"/api/training-bases/{lixia}", headers=staff, json=body)).status_code == 403
    own = await client.patch(f"/api/training-bases/{lixia}", headers=lixia_admin, json=body)
    assert own.status_code == 200 and own.json()["address"] == "历下区新地址"
    history = (await client.get(f"/api/training-bases/{lixia}/changes", headers=lixia_admin)).json()
    assert [(c["changed_by"], c["after"]) for c in history] == [("lx-admin", {"address": "历下区新地址"})]


async def test_a_base_registered_today_counts_from_today_and_a_district_without_bases_has_none(
    client: AsyncTestClient[Any],
) -> None:
    """An accredited base registered without an accreditation date is dated today (a trial saw
    it counted in 2021 and in yesterday's report, unlike yesterday's snapshot); a district none
    of the counted bases is in shows 0 bases, a known figure, not "no data"."""
    today = Clock().today()
    admin = await admin_headers(client)
    before = await _bases_on(client, admin, today - dt.timedelta(days=1))
    r = await client.post(
        "/api/training-bases",
        headers=admin,
        json={"name": "新认定实训基地", "district_code": "370113", "accredited": True},
    )
    assert r.status_code == 201, r.text
    assert r.json()["accredited_on"] == today.isoformat()
    assert await _bases_on(client, admin, today - dt.timedelta(days=1)) == before
    assert await _bases_on(client, admin, today) == before + 1

    r = await client.get("/api/targets?scope=370113,370103", headers=admin)
    assert r.status_code == 200, r.text
    bases = {
        report["scope"]: next(i for i in report["indicators"] if i["key"] == "training_bases")
        for report in r.json()
    }
    assert (bases["370113"]["numerator"], bases["370113"]["value"]) == (1, "1")
    assert (bases["370103"]["numerator"], bases["370103"]["value"]) == (0, "0")  # none there


async def test_registering_a_base_follows_the_rules_of_changing_one(client: AsyncTestClient[Any]) -> None:
    """A second trial registered bases with dates a change refuses: an accreditation in the
    future, a withdrawal without its reason. They are refused at registration too (nothing is
    written); a date of accreditation makes the base accredited."""
    today = Clock().today()
    admin = await admin_headers(client)
    before = await TrainingBase.count()
    future = (today + dt.timedelta(days=1)).isoformat()
    for body, field in (
        ({"accredited": True, "accredited_on": future}, "accredited_on"),
        ({"accredited": True, "withdrawn_on": "2025-01-01"}, "withdrawn_on"),
        ({"withdrawn_on": "2099-01-01"}, "withdrawn_on"),
    ):
        new = {"name": "规则实训基地", "district_code": "370102", **body}
        r = await client.post("/api/training-bases", headers=admin, json=new)
        assert r.status_code == 422, (body, r.text)
        assert field in r.text and ("晚于今天" in r.text or "撤销原因" in r.text), r.text
    assert await TrainingBase.count() == before
    dated = await client.post(
        "/api/training-bases",
        headers=admin,
        json={"name": "补录实训基地", "district_code": "370102", "accredited_on": "2024-01-01"},
    )
    assert dated.status_code == 201, dated.text
    assert (dated.json()["accredited"], dated.json()["accredited_on"]) == (True, "2024-01-01")
