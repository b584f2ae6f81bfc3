"""``tuoyu doctor``: report (and with ``--repair`` fix) what can be left behind by crashes.

- **Background work**: jobs pending (and the age of the oldest), jobs being delivered, jobs that
  failed for good (with their last error). Repair: failed jobs are given a fresh set of attempts.
- **Certificates without documents** (no QR/PDF and no job waiting for them). Repair: their
  render jobs are enqueued again.
- **Stale test databases** (PostgreSQL): ``tuoyu_test_<pid>_…`` databases whose test process is
  gone. Repair: they are dropped.

Every finding is one line; the exit code is 1 while something needs attention.
"""

from __future__ import annotations

import asyncio
import os
import re
from dataclasses import dataclass, field

import certification
from certification.fonts import missing_font_packages
from service.runtime import Runtime
from talent_pool.tables import OutboxMessage

_STALE_TEST_DB = re.compile(r"^tuoyu_test_(\d+)_[0-9a-f]{6}$")


@dataclass
class Finding:
    """One line of the report: what was found, how many, and what ``--repair`` did about it."""

    what: str
    count: int
    detail: str = ""
    repaired: int = 0


@dataclass
class Report:
    """All findings; ``healthy`` when nothing needs attention after repairs."""

    findings: list[Finding] = field(default_factory=list)

    @property
    def healthy(self) -> bool:
        return all(f.count == f.repaired for f in self.findings if f.what.startswith("!"))


def _pid_gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


async def _stale_test_databases() -> list[str]:
    rows = await OutboxMessage.raw("SELECT datname FROM pg_database WHERE datname LIKE 'tuoyu_test_%'")
    stale = []
    for row in rows:
        match = _STALE_TEST_DB.match(row["datname"])
        if match and _pid_gone(int(match.group(1))):
            stale.append(row["datname"])
    return stale


async def examine(rt: Runtime, *, repair: bool = False) -> Report:
    """Look for lost or stuck work (see the module docstring); fix it when ``repair``."""
    now = rt.now()
    report = Report()
    waiting = await OutboxMessage.select(OutboxMessage.created_at, OutboxMessage.due_at).where(
        OutboxMessage.done_at.is_null() & OutboxMessage.failed_at.is_null()
    )
    pending = [r for r in waiting if r["due_at"] is None or r["due_at"] <= now]
    oldest = min((r["due_at"] or r["created_at"] for r in pending), default=None)
    age = "" if oldest is None else f"最早一条已等待 {int((now - oldest).total_seconds())} 秒"
    report.findings.append(Finding("后台任务待处理", len(pending), age))
    report.findings.append(Finding("后台任务已排期（未到时间）", len(waiting) - len(pending)))
    leased = await OutboxMessage.count().where(
        OutboxMessage.done_at.is_null()
        & OutboxMessage.leased_until.is_not_null()
        & (OutboxMessage.leased_until > now)
    )
    report.findings.append(Finding("后台任务执行中", leased))
    failed = await (
        OutboxMessage.select(OutboxMessage.id, OutboxMessage.task, OutboxMessage.last_error)
        .where(OutboxMessage.failed_at.is_not_null() & OutboxMessage.done_at.is_null())
        .order_by(OutboxMessage.id)
    )
    finding = Finding(
        "!后台任务已失败",
        len(failed),
        "; ".join(f"#{r['id']} {r['task']}: {r['last_error'][:120]}" for r in failed[:5]),
    )
    if repair and failed:
        await OutboxMessage.update(
            {
                OutboxMessage.failed_at: None,
                OutboxMessage.attempts: 0,
                OutboxMessage.due_at: None,
                OutboxMessage.leased_until: None,
            }
        ).where(OutboxMessage.id.is_in([r["id"] for r in failed]))
        finding.repaired = len(failed)
    report.findings.append(finding)
    missing = await certification.certificates_without_documents()
    finding = Finding("!证书缺少电子文件", len(missing), ", ".join(map(str, missing[:10])))
    if repair and missing:
        finding.repaired = await certification.enqueue_missing_renders(now=now)
    report.findings.append(finding)
    fonts = await asyncio.to_thread(missing_font_packages)
    report.findings.append(
        Finding(
            "!证书字体未安装", len(fonts), f"运行 scripts/fonts.sh 安装：{' '.join(fonts)}" if fonts else ""
        )
    )
    if not rt.settings.db_url.startswith("sqlite"):
        stale = await _stale_test_databases()
        finding = Finding("!残留的测试数据库", len(stale), ", ".join(stale[:10]))
        if repair:
            for name in stale:
                await OutboxMessage.raw(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            finding.repaired = len(stale)
        report.findings.append(finding)
    return report


def format_report(report: Report) -> str:
    """One line per finding (``!`` marks findings that need attention)."""
    lines = []
    for f in report.findings:
        mark = "✗" if f.what.startswith("!") and f.count > f.repaired else "✓"
        text = f"{mark} {f.what.lstrip('!')}：{f.count}"
        if f.repaired:
            text += f"（已修复 {f.repaired}）"
        if f.detail:
            text += f" — {f.detail}"
        lines.append(text)
    return "\n".join(lines)
