"""The flow :mod:`tests.integration.test_refusals_sqlite` runs in a subprocess on a fresh embedded
SQLite file (``TUOYU_DATA_DIR``); prints one ``RESULT <json>`` line."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
from typing import Any

NOW = dt.datetime(2026, 11, 30, 2, 0, 15, tzinfo=dt.UTC)  # 10:00:15 in Shanghai
SHANGHAI = dt.timezone(dt.timedelta(hours=8))


async def main() -> None:
    from talent_pool.db import default_database_url, engine_for_url, use_engine

    engine = engine_for_url(default_database_url(os.environ["TUOYU_DATA_DIR"]))
    use_engine(engine)
    from service.bootstrap import prepare

    await prepare(engine)
    from service.accounts import AccountIn, create_account
    from service.audit import AuditLog, Record
    from service.audit_refusals import district_logins, refusals, refusals_by_account, refused_since
    from tests.factories import PASSWORD, make_employer

    employer = await make_employer()
    hr = await create_account(
        AccountIn(username="hr-probe", password=PASSWORD, role="employer_staff", employer_id=employer)
    )
    log = AuditLog()
    for minutes, kind, status in (
        (-700, "write_refused", 404),  # 22:20 in Shanghai on 29 November: the day before
        (0, "write_refused", 404),
        (1, "write", 201),
        (2, "write_refused", 409),
        (3, "write_refused", 429),
    ):
        log.add(
            Record(
                at=(NOW + dt.timedelta(minutes=minutes)).isoformat(),
                kind=kind,
                actor_id=hr.id,
                actor="hr-probe",
                role="employer_staff",
                action="employment.claim",
                method="POST",
                path="/api/employment-claims",
                status=status,
                client="127.0.0.1",
                request_id="r",
                subjects="",
            )
        )
    await log.flush()
    out: dict[str, Any] = {}
    day = dt.datetime(2026, 11, 30, tzinfo=SHANGHAI)
    rows, total = await refusals(None, start=day, end=day + dt.timedelta(days=1), limit=2, offset=0)
    out["page"] = [[r["status"], r["at"].isoformat()] for r in rows] + [total]
    counts = await refusals_by_account([hr.id], start=None, end=None)
    out["by_account"] = [
        [c["count"], c["statuses"], c["first_at"].isoformat(), c["last_at"].isoformat()] for c in counts
    ]
    out["since"] = await refused_since(hr.id, "employment.claim", day)
    out["district"] = [hr.id in await district_logins("370102"), hr.id in await district_logins("370105")]
    print("RESULT " + json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    asyncio.run(main())
