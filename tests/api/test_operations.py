"""What an operator relies on: liveness and readiness, the request id carried from a request into
the background work it records, Prometheus metrics, and ``tuoyu doctor`` finding and repairing
lost work."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from certification.tables import Certificate, CertificateDocument
from service.doctor import examine, format_report
from service.runtime import build_runtime
from talent_pool.db import atomic, use_engine
from talent_pool.outbox import enqueue
from talent_pool.tables import OutboxMessage
from tests.servers import settings_for


async def test_health_ready_request_id_and_metrics(client: Any) -> None:
    assert (await client.get("/health")).json() == {"status": "ok"}
    ready = await client.get("/ready")
    assert ready.status_code == 200, ready.text
    body = ready.json()
    assert body["status"] == "ready" and body["database"] == "ok"
    assert body["outbox"] == {"oldest_pending_seconds": 0, "status": "ok"}
    given = await client.get("/health", headers={"X-Request-ID": "lb-7f3a"})
    assert given.headers["x-request-id"] == "lb-7f3a"
    made = await client.get("/health", headers={"X-Request-ID": "bad id\r\nx"})
    assert made.headers["x-request-id"] != "bad id\r\nx" and len(made.headers["x-request-id"]) == 32
    await client.get("/api/catalog/offerings")
    metrics = await client.get("/metrics")
    assert metrics.status_code == 200
    text = metrics.text
    assert 'tuoyu_jobs{state="pending"} 0.0' in text and "tuoyu_job_oldest_pending_seconds" in text
    assert "tuoyu_requests_total" in text and 'path="/api/catalog/offerings"' in text


def _sample(text: str, name: str, **labels: str) -> float:
    """The value of one Prometheus sample (0 when the series does not exist yet)."""
    from prometheus_client.parser import text_string_to_metric_families

    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                return float(sample.value)
    return 0.0


async def test_request_metrics_count_each_route_and_status(client: Any) -> None:
    """The request metrics (``service.observability.RequestMetricsMiddleware``) count every
    answer once by route template and status, time it, and leave probes out."""
    route = {"method": "GET", "path": "/api/catalog/offerings/{offering_id}/sessions"}
    before = (await client.get("/metrics")).text
    assert (await client.get("/api/catalog/offerings/999999/sessions")).status_code in (200, 404)
    status = str((await client.get("/api/catalog/offerings/999998/sessions")).status_code)
    await client.get("/health")
    after = (await client.get("/metrics")).text
    labelled = {**route, "status_code": status, "app_name": "tuoyu"}
    for name in ("tuoyu_requests_total", "tuoyu_request_duration_seconds_count"):
        assert _sample(after, name, **labelled) - _sample(before, name, **labelled) == 2, name
    assert _sample(after, "tuoyu_request_duration_seconds_sum", **labelled) > 0
    assert _sample(after, "tuoyu_requests_in_progress", **{**route, "status_code": "200"}) == 0
    assert 'path="/health"' not in after and "offerings/999998" not in after  # templates, not paths


async def test_work_recorded_in_a_request_keeps_its_request_id(client: Any) -> None:
    from tests.factories import admin_headers

    admin = await admin_headers(client)
    r = await client.post(
        "/api/training-bases",
        headers={**admin, "X-Request-ID": "req-42"},
        json={"name": "基地", "district_code": "370102", "accredited": True},
    )
    assert r.status_code == 201 and r.headers["x-request-id"] == "req-42"
    from talent_pool.outbox import correlation_id

    token = correlation_id.set("req-43")
    try:
        async with atomic():
            await enqueue("test.nothing", 1)
    finally:
        correlation_id.reset(token)
    row = await OutboxMessage.select(OutboxMessage.correlation_id).first()
    assert row is not None and row["correlation_id"] == "req-43"


async def test_doctor_finds_and_repairs_lost_documents_and_failed_jobs(
    db: None, pg_engine: Any, tmp_path: Path
) -> None:
    from certification import RENDER_TASK, issue_certificates, seed_programmes
    from certification.signing import Keyring
    from tests.integration.test_cert_services import sitting_with_results

    await seed_programmes()
    sitting_id, _ = await sitting_with_results("1X-YEZH-1", [("80", "80")] * 3)
    issued = await issue_certificates(
        sitting_id,
        issued_on=dt.date(2026, 11, 29),
        public_url="https://t.example",
        keyring=Keyring.generate(),
    )
    # the render job failed for good, and nothing rendered the documents
    await OutboxMessage.update({OutboxMessage.failed_at: dt.datetime(2026, 11, 29, tzinfo=dt.UTC)}).where(
        OutboxMessage.task == RENDER_TASK
    )
    rt = build_runtime(settings_for(tmp_path), engine=pg_engine)
    try:
        report = await examine(rt)
        assert not report.healthy
        text = format_report(report)
        assert "✗ 后台任务已失败：1" in text and "✗ 证书缺少电子文件：3" in text
        assert "证书字体未安装：0" in text  # the fonts are installed (scripts/fonts.sh)
        repaired = await examine(rt, repair=True)
        assert repaired.healthy, format_report(repaired)
        await rt.dispatcher.drain(timeout=30)
        assert await CertificateDocument.count() == len(issued.certificates) == await Certificate.count()
        assert (await examine(rt)).healthy
    finally:
        use_engine(pg_engine)
