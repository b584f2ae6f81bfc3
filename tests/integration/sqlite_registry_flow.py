"""The flow :mod:`tests.integration.test_registry_sqlite` runs in a subprocess on a fresh embedded
SQLite file (``TUOYU_DATA_DIR``); prints one ``RESULT <json>`` line."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
from typing import Any

TODAY = dt.date(2026, 11, 29)
NOW = dt.datetime(2026, 11, 29, 4, tzinfo=dt.UTC)


async def main() -> None:
    from talent_pool.db import default_database_url, engine_for_url, use_engine

    engine = engine_for_url(default_database_url(os.environ["TUOYU_DATA_DIR"]))
    use_engine(engine)
    from service.bootstrap import prepare

    await prepare(engine)
    import talent_pool
    from talent_pool.credit_schemas import BackgroundCheckIn, CreditRecordIn
    from talent_pool.identity import uscc_check_character
    from talent_pool.schemas import EmployerIn
    from talent_pool.search_schemas import ConsentIn, ContactRequestIn
    from tests.factories import credential, employ, make_employer, make_id, register_people

    out: dict[str, Any] = {}
    first17 = "91370102MA3C0X5PK"
    wrong = "1" if uscc_check_character(first17) != "1" else "2"
    forced = await talent_pool.register_employer(
        EmployerIn(
            credit_code=first17 + wrong,
            name="老字号托育园",
            district_code="370102",
            kind="community_point",
            inclusive=True,
            places=12,
            credit_code_override=True,
            credit_code_note="已核实",
        ),
        override_by="city",
    )
    shown = await talent_pool.get_employer(forced.id)
    out["employer"] = [shown.credit_code_override, shown.kind_name, shown.inclusive, shown.places]
    employer = await make_employer()
    bad, good = await register_people(2, names=["赵六", "钱七"])
    await employ(employer, [bad, good], start_date=dt.date(2026, 1, 5))
    by = {"recorded_by_id": 1, "recorded_by": "city", "today": TODAY}
    record = await talent_pool.record_credit(
        bad,
        CreditRecordIn(
            kind="violation", title="违规", evidence="文书", occurred_on=TODAY, lifetime_exclusion=True
        ),
        **by,
    )
    await talent_pool.record_background_check(good, BackgroundCheckIn(checked_on=dt.date(2026, 1, 4)), **by)
    try:
        await talent_pool.claim_employment(
            forced.id, id_number=make_id(1), name="赵六", start_date=TODAY, requested_by="e", today=TODAY
        )
        out["claim"] = "accepted"
    except talent_pool.Conflict as exc:
        out["claim"] = exc.detail
    overdue = await talent_pool.background_checks_overdue(today=TODAY)
    out["overdue"] = [r.practitioner_id == bad for r in overdue]
    staff = await talent_pool.staff_of_employer(employer, today=TODAY)
    out["flags"] = sorted(m.lifetime_excluded for m in staff)
    await talent_pool.withdraw_credit(record.id, reason="录入错误", withdrawn_by="city", today=TODAY)
    out["excluded_after_withdrawal"] = await talent_pool.is_excluded(bad)
    await credential(good, number="N1", issued_on=dt.date(2026, 1, 5), source_ref="s1")
    await talent_pool.set_consent(good, ConsentIn(consent=True, district_code="370102"), now=NOW)
    page = await talent_pool.search_talent(today=TODAY, district_code="370102")
    out["search"] = [page.total, [c.masked_name for c in page.items]]
    await talent_pool.request_contact(  # another employer: 钱七's own does not find its staff
        forced.id, ContactRequestIn(handle=page.items[0].handle), requested_by="e", today=TODAY
    )
    [req] = await talent_pool.my_contact_requests(good)
    await talent_pool.answer_contact_request(good, req.id, accept=True, now=NOW)
    out["contact"] = [r.status for r in await talent_pool.employer_contact_requests(forced.id)]
    await talent_pool.set_consent(good, ConsentIn(consent=False), now=NOW)
    out["after_withdrawal"] = (await talent_pool.search_talent(today=TODAY)).total
    print("RESULT " + json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    asyncio.run(main())
