"""The audit log: who wrote what, and who read whose full personal data (PIPL art. 51, 55).

Every successful write by a logged-in account (``POST``/``PUT``/``PATCH``/``DELETE`` answered
below 400) and every successful read of full personal data (full ID numbers, phones, whole
records — the handler says so with :func:`personal_read`) becomes one entry: who (login id,
username, role), when, what (the policy action, method and path), from where (client address,
request id) and whose data (the practitioner ids the handler declared, plus a
``practitioner_id`` path parameter).

A write that is refused (answered 400–499) changed nothing and is not audited — except on
the routes whose ``opt`` carries :data:`AUDIT_REFUSALS` (``action("employment.claim",
audit_refusals=True)``), where a refusal is itself an act on personal data worth a trace. An
employer's claim names a person by full ID number and name; one refused for no match, an
existing claim, an exclusion or malformed input is an attempt to link that person to the
employer, and a run of them is how an account would probe who is in the pool or works where.
An answer of 500 or above is no refusal — the service failed (a database outage, ``503``) and
decided nothing — and is never audited: it must not count toward a login's daily budget of refused
claims nor show regulators a probe that was a retry during an outage (a second trial, 2026-11-30).
Each such refusal is an entry of kind ``write_refused`` with its status (PIPL art. 51: measures
against unauthorised processing need the attempts, not only the successes). It declares no
subjects: the person typed may not exist or not match, and the entry must not say which; the
response is untouched, so the refusal reveals no more than before. A claim over the login's rate
limit (429, ``service.ratelimit.AccountLimits``) is such a refusal too. Regulators list them per
login (``GET /api/audit/refusals``, ``service.audit_refusals``); a login's refused claims of the
day are its budget (``service.refusal_budget``). The identity match (``POST
/api/verify/{number}/identity``) audits its refusals too: one refused because the login's
comparisons of that certificate are used up declares the holder as its subject (the certificate
number, in the path, names them; the refusal reveals nothing of them), so the holder sees that
someone kept trying.

Entries are append-only and **hash-chained**; :func:`verify_chain` recomputes the chain and
names the first entry that was altered, inserted or deleted.

Entries are written in batches (every second and at shutdown, like the verification log) by
one writer at a time: on PostgreSQL a transaction-level advisory lock orders the writers of all
processes; SQLite's write transactions are exclusive anyway.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hashlib
import json
import logging
from collections.abc import AsyncIterator, Iterable
from dataclasses import asdict, dataclass
from typing import Any

from litestar import Request
from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from service.accounts import AccountOut
from service.accounts.tables import AuditEntry
from talent_pool.db import atomic, current_engine, is_sqlite
from talent_pool.outbox import correlation_id
from worker.clock import Clock

log = logging.getLogger("tuoyu.audit")

WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
AUDIT_REFUSALS = "audit_refusals"
"""The route ``opt`` key (``True``) of writes whose refusals are audited too (kind
``write_refused``)."""
_SUBJECTS_KEY = "audit_subjects"
_LOCK_KEY = 7_341_001  # pg_advisory_xact_lock key of the audit writer


_READ_KEY = "audit_personal_read"


def concerning(request: Request[Any, Any, Any], practitioner_ids: Iterable[int]) -> None:
    """Declare whose personal data this request returns or changes (for the audit entry)."""
    state = request.scope.setdefault("state", {})  # type: ignore[typeddict-item]
    state.setdefault(_SUBJECTS_KEY, set()).update(int(p) for p in practitioner_ids)


def personal_read(request: Request[Any, Any, Any], practitioner_ids: Iterable[int] = ()) -> None:
    """Declare that this response shows full personal data of these people: it is audited."""
    concerning(request, practitioner_ids)
    request.scope.setdefault("state", {})[_READ_KEY] = True  # type: ignore[typeddict-item]


@dataclass(frozen=True)
class Record:
    """One entry before it is chained."""

    at: str
    kind: str
    actor_id: int | None
    actor: str
    role: str
    action: str
    method: str
    path: str
    status: int
    client: str
    request_id: str
    subjects: str

    def digest(self, prev_hash: str) -> str:
        """SHA-256 of the previous hash and this entry's canonical JSON."""
        body = json.dumps(asdict(self), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(f"{prev_hash}|{body}".encode()).hexdigest()


def _subjects(ids: Iterable[int]) -> str:
    ordered = sorted(set(ids))
    return "," + ",".join(map(str, ordered)) + "," if ordered else ""


class AuditLog:
    """Collects :class:`Record` objects and appends them to the chain in batches."""

    def __init__(self, flush_seconds: float = 1.0) -> None:
        self.flush_seconds = flush_seconds
        self._pending: list[Record] = []
        self._task: asyncio.Task[None] | None = None
        self._writing = asyncio.Lock()  # held while a batch is out of the queue and not committed

    def add(self, record: Record) -> None:
        self._pending.append(record)

    def queued(self) -> list[Record]:
        """The entries added and not yet written (a copy), oldest first."""
        return list(self._pending)

    @contextlib.asynccontextmanager
    async def settled(self) -> AsyncIterator[None]:
        """Hold this process's writes off while the caller counts the written entries and
        :meth:`queued` ones together: no entry of this process is then in neither or in both (a
        batch being written is out of the queue and not yet committed)."""
        async with self._writing:
            yield

    async def flush(self) -> int:
        """Append what is queued to the chain; returns how many entries were written."""
        async with self._writing:
            return await self._flush()

    async def _flush(self) -> int:
        batch, self._pending = self._pending, []
        if not batch:
            return 0
        try:
            async with atomic():
                if not is_sqlite(current_engine()):
                    await AuditEntry.raw("SELECT pg_advisory_xact_lock({})", _LOCK_KEY)
                last = (
                    await AuditEntry.select(AuditEntry.hash).order_by(AuditEntry.id, ascending=False).first()
                )
                prev = last["hash"] if last else ""
                rows = []
                for record in batch:
                    digest = record.digest(prev)
                    rows.append(
                        AuditEntry(
                            **{**asdict(record), "at": dt.datetime.fromisoformat(record.at)},
                            prev_hash=prev,
                            hash=digest,
                        )
                    )
                    prev = digest
                await AuditEntry.insert(*rows)
        except asyncio.CancelledError:
            # stopped in the middle of a write (``stop`` cancels the periodic flush): the
            # transaction rolled back, so the batch goes back for the final flush — never lost
            self._pending[:0] = batch
            raise
        except Exception as exc:
            self._pending[:0] = batch
            log.warning("audit log: %s entries wait, the write failed: %r", len(batch), exc)
            return 0
        return len(batch)

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="tuoyu-audit-log")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await self.flush()

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.flush_seconds)
            await self.flush()


class AuditMiddleware(ASGIMiddleware):
    """Queues the entry of each audited request as its response starts — before the client sees
    a byte of it, so the login's next request finds it (a refused write only on a route marked
    :data:`AUDIT_REFUSALS`); probes,
    static files, the OpenAPI pages and metrics carry no login and are never audited, so they
    skip it."""

    scopes = (ScopeType.HTTP,)
    exclude_path_pattern = (r"^/health$", r"^/ready$", r"^/static/", r"^/schema", r"^/metrics$")

    def __init__(self, audit_log: AuditLog, clock: Clock) -> None:
        self.audit_log = audit_log
        self.clock = clock

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        recorded = False

        async def capture(message: Message) -> None:
            nonlocal recorded
            if message["type"] == "http.response.start" and not recorded:
                # queued before the client sees a byte: its next request (a refusal budget,
                # ``service.refusal_budget``) already counts this one
                recorded = True
                self._record(scope, int(message["status"]))
            await send(message)

        await next_app(scope, receive, capture)

    def _record(self, scope: Scope, status: int) -> None:
        """Queue the entry of this request answered ``status``, if it is audited."""
        user = scope.get("user")
        handler = scope.get("route_handler")
        opt = getattr(handler, "opt", {}) or {}
        method = str(scope.get("method", ""))
        if not isinstance(user, AccountOut):
            return
        state = scope.get("state", {}) or {}
        if status >= 500:  # the service failed (a database outage): nothing was decided or refused
            return
        if status >= 400:
            if method not in WRITES or not opt.get(AUDIT_REFUSALS):
                return
            kind = "write_refused"
        elif method in WRITES:
            kind = "write"
        elif state.get(_READ_KEY):
            kind = "read_personal"
        else:
            return
        subjects = set(state.get(_SUBJECTS_KEY, set()))
        path_params = scope.get("path_params", {}) or {}
        if isinstance(path_params.get("practitioner_id"), int):
            subjects.add(path_params["practitioner_id"])
        client = scope.get("client")
        self.audit_log.add(
            Record(
                at=self.clock.now().isoformat(),
                kind=kind,
                actor_id=user.id,
                actor=user.username,
                role=user.role,
                action=str(opt.get("policy", "")),
                method=method,
                path=scope.get("path", "")[:255],
                status=status,
                client=(client[0] if client else "")[:64],
                request_id=correlation_id.get()[:64],
                subjects=_subjects(subjects),
            )
        )

    def __deepcopy__(self, memo: dict[int, Any]) -> AuditMiddleware:
        return self


async def verify_chain() -> tuple[int, int | None]:
    """Recompute the chain: ``(entries checked, id of the first bad entry or None)``."""
    prev = ""
    checked = 0
    last_id = 0
    while True:
        rows = await AuditEntry.select().where(AuditEntry.id > last_id).order_by(AuditEntry.id).limit(5000)
        if not rows:
            return checked, None
        for row in rows:
            at = row["at"]
            record = Record(
                at=(at if isinstance(at, dt.datetime) else dt.datetime.fromisoformat(str(at))).isoformat(),
                **{k: row[k] for k in Record.__dataclass_fields__ if k != "at"},
            )
            if row["prev_hash"] != prev or record.digest(prev) != row["hash"]:
                return checked, int(row["id"])
            prev = row["hash"]
            checked += 1
            last_id = row["id"]


async def entries_about(practitioner_id: int, *, limit: int = 200) -> list[dict[str, Any]]:
    """The audit entries concerning a person, newest first: who (role, username), when, what."""
    rows = await (
        AuditEntry.select(
            AuditEntry.at,
            AuditEntry.kind,
            AuditEntry.actor,
            AuditEntry.role,
            AuditEntry.action,
            AuditEntry.method,
            AuditEntry.path,
        )
        .where(AuditEntry.subjects.like(f"%,{int(practitioner_id)},%"))
        .order_by(AuditEntry.id, ascending=False)
        .limit(limit)
    )
    return list(rows)
