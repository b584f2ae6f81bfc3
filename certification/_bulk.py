"""Bulk verification (批量核验) for employers: a list of certificate numbers (optionally with the
holders' ID numbers) answered in the background, with progress, as a spreadsheet."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from certification._bank import json_value
from certification._identity_budget import (
    COMPARE,
    OVER_CERTIFICATE,
    OVER_DAY,
    IdentityLimits,
    reserve_identity_checks,
)
from certification._verification import (
    IMPORTED_REASON,
    VerificationRecord,
    check_certificate,
    holder_of,
    holders_by_number,
    record_verifications,
)
from certification.bulk_input import BulkItem, parse_text, parse_upload, result_xlsx
from certification.errors import Conflict, DocumentNotRendered, NotFound, ValidationFailed
from certification.schemas import BulkVerificationOut
from certification.signing import Keyring
from certification.tables import BulkVerification
from talent_pool.db import atomic
from talent_pool.identity import parse_id_number
from talent_pool.outbox import enqueue

BULK_TASK = "certification.bulk_verify"
"""Background job (``worker.jobs``): answer a bulk verification request."""
CHUNK = 200
"""Rows answered between two progress updates."""
MAX_OPEN_PER_ACCOUNT = 5
OUTCOME_NAMES = {
    "valid": "有效",
    "expired": "已过期",
    "revoked": "已吊销",
    "suspended": "已暂停",
    "superseded": "已换发新证",
    "recorded": "有记录（外部导入，无电子签名）",
    "unknown": "查无此证",
    "forged": "签名无效",
}
_NO_KEYS = Keyring(None, [])  # typed numbers carry no signature: a lookup needs no key
OVER_LIMIT = "超出核验次数"
"""The identity column of a row not compared because a limit of :mod:`certification._identity_budget`
was reached (never 一致/不一致)."""
INVALID_ID = "invalid"
_OVER_NOTES = {
    OVER_CERTIFICATE: "本账号今日核对该证书身份证号的次数已达上限，未核对；请明日再试",
    OVER_DAY: "本账号今日核对身份证号的行数已达上限，未核对；请明日再试",
}


@dataclass(frozen=True, slots=True)
class BulkSubmitted:
    """A recorded bulk verification (``job``) and ``holders``: the practitioner ids of the
    holders whose certificates it asked about with a well-formed ID number — compared, or
    refused over the limits — for the audit (each holder sees who checked them)."""

    job: BulkVerificationOut
    holders: list[int]


def _out(row: dict[str, Any]) -> BulkVerificationOut:
    return BulkVerificationOut(
        id=row["id"],
        status=row["status"],
        total=row["total"],
        done=row["done_count"],
        as_of=row["as_of"],
        summary=json_value(row["summary"]) or {},
        error=row["error"],
        created_at=row["created_at"],
        finished_at=row["finished_at"],
        result_ready=row["status"] == "done",
    )


async def create_bulk_verification(
    source: str | bytes,
    *,
    requested_by: int,
    employer_id: int | None,
    as_of: dt.date,
    now: dt.datetime,
    limits: IdentityLimits = IdentityLimits(),
) -> BulkSubmitted:
    """Record a bulk verification for the local date ``as_of`` and enqueue its background job
    in the same transaction. ``source``: pasted text (``str``) or an uploaded ``.xlsx``/CSV file
    (``bytes``, read in a thread), see :mod:`certification.bulk_input`. All rows or none: a row
    that cannot be asked about (an ID number stored as an Excel number, too many columns) raises
    :class:`ValidationFailed` listing every such row (``detail["rows"]``) and nothing is
    recorded. An account may have at most :data:`MAX_OPEN_PER_ACCOUNT` requests waiting or
    running (:class:`Conflict`).

    The identity comparisons are counted here, in the same transaction, against ``limits`` per
    login and day (:mod:`certification._identity_budget`): each row with a well-formed ID number
    and a certificate that has a holder is marked compared or over a limit (answered
    :data:`OVER_LIMIT`); the same certificate and ID number twice in one request count once."""
    if isinstance(source, str):
        items, errors = parse_text(source)
    else:
        items, errors = await asyncio.to_thread(parse_upload, source)
    if errors:
        raise ValidationFailed(f"有 {len(errors)} 行无法核验，未提交任何核验", rows=errors)
    async with atomic():
        open_jobs = await BulkVerification.count().where(
            (BulkVerification.requested_by == requested_by)
            & BulkVerification.status.is_in(["queued", "running"])
        )
        if open_jobs >= MAX_OPEN_PER_ACCOUNT:
            raise Conflict(f"已有 {open_jobs} 个批量核验正在进行，请完成后再提交")
        plans, holders = await _plan_identity(items, account_id=requested_by, as_of=as_of, limits=limits)
        row = BulkVerification(
            requested_by=requested_by,
            employer_id=employer_id,
            as_of=as_of,
            status="queued",
            total=len(items),
            items=[
                {"row": i.row, "number": i.number, "id_number": i.id_number, "identity": plan}
                for i, plan in zip(items, plans, strict=True)
            ],
            created_at=now,
        )
        await row.save()
        await enqueue(BULK_TASK, int(row.id))
    return BulkSubmitted(await get_bulk_verification(int(row.id)), holders)


def _well_formed_id(given: str, as_of: dt.date) -> str | None:
    try:
        return parse_id_number(given, today=as_of).number
    except ValidationFailed:
        return None


async def _plan_identity(
    items: Sequence[BulkItem], *, account_id: int, as_of: dt.date, limits: IdentityLimits
) -> tuple[list[str], list[int]]:
    """Each row's identity plan — ``""`` (no ID number, or no holder to compare with),
    :data:`INVALID_ID`, or a decision of :func:`reserve_identity_checks` — and the holders
    concerned (see :class:`BulkSubmitted`)."""
    plans = [""] * len(items)
    holders = await holders_by_number([i.number for i in items if i.id_number])
    pairs: dict[tuple[str, str], list[int]] = {}
    for index, item in enumerate(items):
        if not item.id_number or item.number not in holders:
            continue
        parsed = _well_formed_id(item.id_number, as_of)
        if parsed is None:
            plans[index] = INVALID_ID
        else:
            pairs.setdefault((item.number, parsed), []).append(index)
    decisions = await reserve_identity_checks(
        account_id, [number for number, _ in pairs], day=as_of, limits=limits
    )
    for indexes, decision in zip(pairs.values(), decisions, strict=True):
        for index in indexes:
            plans[index] = decision
    return plans, sorted({holders[number] for number, _ in pairs})


async def get_bulk_verification(job_id: int) -> BulkVerificationOut:
    """A bulk verification's status and progress (``done`` of ``total``). Raises
    :class:`NotFound`."""
    row = await BulkVerification.select(*_STATUS_COLUMNS).where(BulkVerification.id == job_id).first()
    if row is None:
        raise NotFound(f"批量核验 {job_id} 不存在", job_id=job_id)
    return _out(row)


_STATUS_COLUMNS = (
    BulkVerification.id,
    BulkVerification.status,
    BulkVerification.total,
    BulkVerification.done_count,
    BulkVerification.as_of,
    BulkVerification.summary,
    BulkVerification.error,
    BulkVerification.created_at,
    BulkVerification.finished_at,
)


async def bulk_owner(job_id: int) -> int:
    """The login id that asked for the bulk verification (record check). Raises :class:`NotFound`."""
    row = (
        await BulkVerification.select(BulkVerification.requested_by)
        .where(BulkVerification.id == job_id)
        .first()
    )
    if row is None:
        raise NotFound(f"批量核验 {job_id} 不存在", job_id=job_id)
    return int(row["requested_by"])


async def bulk_result(job_id: int) -> bytes:
    """The answer spreadsheet. Raises :class:`NotFound`, :class:`DocumentNotRendered` while the
    job has not finished."""
    row = await (
        BulkVerification.select(BulkVerification.status, BulkVerification.result_xlsx)
        .where(BulkVerification.id == job_id)
        .first()
    )
    if row is None:
        raise NotFound(f"批量核验 {job_id} 不存在", job_id=job_id)
    if row["status"] != "done" or row["result_xlsx"] is None:
        raise DocumentNotRendered("批量核验尚未完成，请稍后再试", job_id=job_id, status=row["status"])
    return bytes(row["result_xlsx"])


def identity_match(given: str, stored: str, as_of: dt.date) -> str:
    """一致 / 不一致 / 未提供 / 身份证号无效 — the only thing said about the holder's ID number
    (the stored one is never returned)."""
    if not given:
        return "未提供"
    try:
        parsed = parse_id_number(given, today=as_of)
    except ValidationFailed:
        return "身份证号无效"
    return "一致" if parsed.number == stored else "不一致"


async def _identity_answer(item: dict[str, Any], number: str, as_of: dt.date) -> tuple[str, str]:
    """The identity column of a row whose certificate exists, and a note when it was not
    compared: compared only when counted at submission (:func:`_plan_identity`)."""
    plan = item.get("identity", "")
    if not item["id_number"]:
        return "未提供", ""
    if plan == INVALID_ID:
        return "身份证号无效", ""
    if plan in _OVER_NOTES:
        return OVER_LIMIT, _OVER_NOTES[plan]
    if plan != COMPARE:  # no holder at submission: nothing was counted, nothing is compared
        return "无法核对", ""
    holder = await holder_of(number)
    if holder is None:
        return "无法核对", ""
    return identity_match(item["id_number"], holder.id_number, as_of), ""


async def _answer(item: dict[str, Any], as_of: dt.date) -> tuple[list[Any], str]:
    result = await check_certificate(item["number"], None, today=as_of, keyring=_NO_KEYS)
    name = OUTCOME_NAMES.get(result.outcome, result.outcome)
    note = ""
    match = "未提供" if not item["id_number"] else "无法核对"
    if result.outcome == "unknown":
        note = "证书编号格式错误" if result.reason == "malformed_number" else "系统中没有该编号的证书"
    else:
        match, identity_note = await _identity_answer(item, result.number, as_of)
        if identity_note:
            note = identity_note
        elif result.reason == IMPORTED_REASON:
            note = "外部导入的证书记录，无电子签名，请核对纸质原件"
        elif result.outcome == "superseded":
            note = "证书已换发，请核验新证书"
        elif result.outcome == "expired":
            note = f"有效期至 {result.expires_on}"
    row = [
        item["row"],
        result.number,
        name,
        result.holder_name_masked,
        result.programme_title,
        result.level,
        result.issued_on.isoformat() if result.issued_on else "",
        result.expires_on.isoformat() if result.expires_on else ("长期有效" if result.issued_on else ""),
        result.status_changed_on.isoformat() if result.status_changed_on else "",
        match,
        note,
    ]
    return row, result.outcome


async def run_bulk_verification(job_id: int, *, now: dt.datetime) -> int:
    """The background job ``certification.bulk_verify``: answer every row (the verification of
    a typed number, :func:`certification.check_certificate`, on the request's ``as_of`` date;
    the identity match :func:`identity_match` for the rows counted at submission,
    :data:`OVER_LIMIT` with a note for those over a limit), updating ``done_count`` every :data:`CHUNK`
    rows, then store the spreadsheet (written in a thread) and the counts per outcome (and of
    :data:`OVER_LIMIT` rows), and log
    the verifications (client ``bulk:{id}``). Idempotent: a finished request is left alone, a
    redelivered one starts over. Returns the rows answered."""
    row = await BulkVerification.select().where(BulkVerification.id == job_id).first()
    if row is None or row["status"] in ("done", "failed"):
        return 0
    await BulkVerification.update({BulkVerification.status: "running", BulkVerification.done_count: 0}).where(
        BulkVerification.id == job_id
    )
    items = json_value(row["items"]) or []
    as_of: dt.date = row["as_of"]
    out_rows: list[list[Any]] = []
    outcomes: Counter[str] = Counter()
    for start in range(0, len(items), CHUNK):
        records = []
        for item in items[start : start + CHUNK]:
            answer, outcome = await _answer(item, as_of)
            out_rows.append(answer)
            outcomes[OUTCOME_NAMES.get(outcome, outcome)] += 1
            records.append(VerificationRecord(answer[1], outcome, False, f"bulk:{job_id}", now))
        await record_verifications(records)
        await BulkVerification.update({BulkVerification.done_count: len(out_rows)}).where(
            BulkVerification.id == job_id
        )
    summary = {name: outcomes[name] for name in OUTCOME_NAMES.values() if outcomes[name]}
    over = sum(1 for answer in out_rows if answer[9] == OVER_LIMIT)
    if over:
        summary[OVER_LIMIT] = over
    data = await asyncio.to_thread(result_xlsx, out_rows, as_of=as_of.isoformat(), summary=summary)
    await BulkVerification.update(
        {
            BulkVerification.status: "done",
            BulkVerification.result_xlsx: data,
            BulkVerification.summary: summary,
            BulkVerification.finished_at: now,
            BulkVerification.items: _without_id_numbers(items),
        }
    ).where(BulkVerification.id == job_id)
    return len(out_rows)


def _without_id_numbers(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows asked about without the typed ID numbers: once the answers are in the spreadsheet
    the request keeps no ID number it no longer needs (data minimisation, PIPL art. 6 and 19)."""
    return [{**item, "id_number": ""} for item in items]


GAVE_UP = (
    "核验过程中发生意外错误，自动重试 {attempts} 次后仍未完成，本次批量核验已停止（编号 {job_id}）。"
    "请重新提交；如仍失败，请联系系统管理员并告知编号。"
)
"""The reason shown for a bulk verification given up after unexpected failures (the error itself
is logged by the worker, never shown)."""


async def fail_bulk_verification(
    job_id: int, *, now: dt.datetime, error: BaseException, attempts: int = 8
) -> bool:
    """End bulk verification ``job_id`` as ``failed`` with a Chinese reason (:data:`GAVE_UP`):
    the worker gave up its message after ``attempts`` deliveries that raised unexpectedly
    (``error``: logged there, not stored). ``now``: aware UTC. A finished request is left alone;
    a failed one no longer counts against the open requests of its account and keeps no typed ID
    number. Returns whether it changed."""
    del error  # the worker logs it; the employer reads the reason, never internals
    asked = await BulkVerification.select(BulkVerification.items).where(BulkVerification.id == job_id).first()
    items = (json_value(asked["items"]) or []) if asked else []
    rows = await (
        BulkVerification.update(
            {
                BulkVerification.status: "failed",
                BulkVerification.error: GAVE_UP.format(attempts=attempts, job_id=job_id),
                BulkVerification.finished_at: now,
                BulkVerification.items: _without_id_numbers(items),
            }
        )
        .where((BulkVerification.id == job_id) & BulkVerification.status.not_in(["done", "failed"]))
        .returning(BulkVerification.id)
    )
    return bool(rows)
