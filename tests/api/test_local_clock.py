"""Business dates come from the service's clock in Asia/Shanghai, never from the machine's UTC
date: between 00:00 and 08:00 Shanghai time the two differ by a day."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import Any

import pytest

from service.sms import RecordingSms
from talent_pool.identity import id_check_character
from tests.factories import admin_headers, sign_up
from tests.servers import serve_in_process, settings_for
from worker.clock import FixedClock

# 00:30 on 30 November 2026 in Shanghai is still 29 November in UTC.
SHANGHAI_0030 = dt.datetime(2026, 11, 29, 16, 30, tzinfo=dt.UTC)
BORN = "370102201011300"  # born 2010-11-30: sixteen at 00:00 Shanghai time on 2026-11-30


def id_number(seq: int) -> str:
    first17 = f"{BORN}{seq:02d}"
    return first17 + id_check_character(first17)


async def test_staff_registration_and_signup_use_the_shanghai_date_on_a_utc_server(
    db: None, pg_engine: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from service.app import create_app

    monkeypatch.setenv("TZ", "UTC")  # the machine's own zone: UTC, as on most servers
    time.tzset()
    clock = FixedClock(SHANGHAI_0030)
    try:
        sms = RecordingSms()
        app = create_app(settings_for(tmp_path), engine=pg_engine, clock=clock, sms=sms)
        async with serve_in_process(app) as c:
            admin = await admin_headers(c)
            staff = await c.post(
                "/api/practitioners", headers=admin, json={"id_number": id_number(1), "name": "周一"}
            )
            assert staff.status_code == 201, staff.text  # sixteen today in Shanghai
            c.sms = sms  # type: ignore[attr-defined]
            signed_up = await sign_up(c, "zhouer", id_number=id_number(3), name="周二")  # verified: 16 today
            me = await c.get("/api/auth/me", headers=signed_up)
            assert me.json()["practitioner_id"] is not None
            clock.set(SHANGHAI_0030 - dt.timedelta(minutes=31))  # 23:59 on the 29th in Shanghai
            early = await c.post(
                "/api/practitioners", headers=admin, json={"id_number": id_number(5), "name": "周三"}
            )
            assert early.status_code == 422 and "未满 16 周岁" in early.json()["detail"]
            assert id_number(5) not in early.text  # the ID number is not repeated in the error
    finally:
        monkeypatch.undo()
        time.tzset()
