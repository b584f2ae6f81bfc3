"""TUOYU_JOB_LEASE_SECONDS replaces every job's lease; 0 keeps each job's own."""

from __future__ import annotations

import datetime as dt

from certification import RENDER_TASK
from worker.jobs import JOBS, jobs_with_lease
from worker.settings import WorkerSettings


def test_lease_setting() -> None:
    assert jobs_with_lease(0) is JOBS
    short = jobs_with_lease(20)
    assert set(short) == set(JOBS)
    assert all(job.lease == dt.timedelta(seconds=20) for job in short.values())
    assert short[RENDER_TASK].fn is JOBS[RENDER_TASK].fn
    assert JOBS[RENDER_TASK].lease == dt.timedelta(minutes=3)  # untouched
    assert WorkerSettings(job_lease_seconds=20).job_lease_seconds == 20
