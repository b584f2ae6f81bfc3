"""A bulk verification whose background job keeps failing for an unexpected reason ends
``failed`` with a Chinese reason once the worker gives its message up — it is not 核验中
forever, and no longer counts among its account's open requests (docs/architecture.md,
"Background work")."""

from __future__ import annotations

import datetime as dt

import certification
from certification._bank import json_value
from certification.tables import BulkVerification, VerificationLog
from talent_pool.tables import OutboxMessage
from tests.factories import make_id
from worker.clock import FixedClock
from worker.jobs import JOBS
from worker.outbox import claim_due, run_message

NOW = dt.datetime(2026, 11, 30, 2, 0, tzinfo=dt.UTC)


async def test_a_bulk_verification_failing_unexpectedly_ends_failed_with_a_reason(db: None) -> None:
    job = (
        await certification.create_bulk_verification(
            f"S000037000001265000001\t{make_id(1)}\nS000037000001265000002",
            requested_by=7,
            employer_id=None,
            as_of=NOW.date(),
            now=NOW,
        )
    ).job
    # the database refuses the verification log (a trigger injected for this test): every
    # delivery raises for a reason that is no fault of the request
    await VerificationLog.raw(
        "CREATE FUNCTION refuse_log() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RAISE EXCEPTION 'injected'; END $$"
    )
    await VerificationLog.raw(
        "CREATE TRIGGER refuse_log BEFORE INSERT ON ce_verification_log "
        "FOR EACH ROW EXECUTE FUNCTION refuse_log()"
    )
    attempts = JOBS[certification.BULK_TASK].max_attempts
    outcomes, statuses = [], []
    try:
        for attempt in range(1, attempts + 1):
            clock = FixedClock(NOW + dt.timedelta(hours=attempt))  # past every back-off
            (message,) = await claim_due(clock.now())
            outcomes.append(await run_message(message.id, clock))
            statuses.append((await certification.get_bulk_verification(job.id)).status)
    finally:
        await VerificationLog.raw("DROP TRIGGER refuse_log ON ce_verification_log")
        await VerificationLog.raw("DROP FUNCTION refuse_log()")
    assert outcomes == ["retry"] * (attempts - 1) + ["failed"]
    assert statuses == ["running"] * (attempts - 1) + ["failed"]
    final = await certification.get_bulk_verification(job.id)
    assert final.error.startswith(f"核验过程中发生意外错误，自动重试 {attempts} 次后仍未完成")
    assert "injected" not in final.error and final.finished_at is not None and not final.result_ready
    assert (await OutboxMessage.select(OutboxMessage.failed_at).first())["failed_at"] is not None
    assert await VerificationLog.count() == 0  # nothing half-written
    # a late redelivery changes nothing
    assert await certification.run_bulk_verification(job.id, now=NOW) == 0
    assert (await certification.get_bulk_verification(job.id)).status == "failed"
    kept = await BulkVerification.select(BulkVerification.items).where(BulkVerification.id == job.id)
    assert [i["id_number"] for i in json_value(kept[0]["items"])] == ["", ""]  # no typed ID kept
