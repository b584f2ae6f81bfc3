"""Changing a training base (实训基地) after its registration: name, address, accreditation
and withdrawal (撤销/取消认定) dates, each change kept in ``tr_training_base_change``.

The plan's 实训基地 indicator counts a base on a date ``d`` when it was accredited on or before
``d`` and not withdrawn on or before ``d`` (:func:`training.accredited_bases_by_district`), so a
withdrawal recorded today but dated in the past changes the counts of dates from that day on and
leaves earlier dates as they were.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from talent_pool.db import atomic, is_sqlite
from training._common import _base_out, _require_aware
from training.errors import TrainingInvalid, TrainingNotFound
from training.schemas import TrainingBaseChangeOut, TrainingBaseOut, TrainingBaseUpdate
from training.tables import TrainingBase, TrainingBaseChange

_LOCK_BASE_SQL = "SELECT id FROM tr_training_base WHERE id = {} FOR UPDATE"


def _json_value(value: object) -> object:
    return value.isoformat() if isinstance(value, dt.date) else value


def check_not_after_today(field: str, day: dt.date | None, today: dt.date) -> None:
    """A base's ``accredited_on`` / ``withdrawn_on`` (local date) may not be after ``today``;
    raises :class:`TrainingInvalid` (Chinese message, ``field``)."""
    if day is not None and day > today:
        label = "认定日期" if field == "accredited_on" else "撤销日期"
        raise TrainingInvalid(f"{label} {day.isoformat()} 晚于今天（{today.isoformat()}）", field=field)


def planned_base_change(
    row: dict[str, Any], data: TrainingBaseUpdate, *, today: dt.date
) -> dict[str, object]:
    """The columns of base ``row`` that ``data`` changes (``{column: new value}``, only real
    changes), checked against the rules — pure, no I/O.

    Rules: dates not after ``today`` (local); the withdrawal not before the accreditation (the
    values after the change); a withdrawal needs a reason (撤销原因). Recording a withdrawal also
    sets today's state (``active`` false); taking one back (``withdrawn_on: null``) makes the
    base active again and clears the reason; giving an accreditation date marks it accredited.
    Raises :class:`TrainingInvalid` (Chinese message, ``field``) on the first broken rule."""
    sent = data.model_fields_set - {"reason"}
    if not sent:
        raise TrainingInvalid("没有要修改的内容", field="body")
    if "name" in sent and data.name is None:
        raise TrainingInvalid("基地名称不能为空", field="name")
    for field in ("accredited_on", "withdrawn_on"):
        if field in sent:
            check_not_after_today(field, getattr(data, field), today)
    accredited_on = data.accredited_on if "accredited_on" in sent else row["accredited_on"]
    withdrawn_on = data.withdrawn_on if "withdrawn_on" in sent else row["withdrawn_on"]
    if accredited_on is not None and withdrawn_on is not None and withdrawn_on < accredited_on:
        raise TrainingInvalid(
            f"撤销日期 {withdrawn_on.isoformat()} 早于认定日期 {accredited_on.isoformat()}",
            field="withdrawn_on",
        )
    reason = data.withdrawn_reason if "withdrawn_reason" in sent else row["withdrawn_reason"]
    if withdrawn_on is not None and not (reason or "").strip():
        raise TrainingInvalid("撤销认定须填写撤销原因", field="withdrawn_reason")

    wanted: dict[str, object] = {}
    if "name" in sent:
        wanted["name"] = data.name
    if "address" in sent:
        wanted["address"] = data.address or ""
    if "accredited_on" in sent:
        wanted["accredited_on"] = data.accredited_on
        if data.accredited_on is not None:
            wanted["accredited"] = True
    if "withdrawn_on" in sent:
        wanted["withdrawn_on"] = data.withdrawn_on
        if data.withdrawn_on is not None:
            wanted["active"] = False
        elif row["withdrawn_on"] is not None:
            wanted["active"] = True
            wanted["withdrawn_reason"] = ""
    if "withdrawn_reason" in sent and withdrawn_on is not None:
        wanted["withdrawn_reason"] = data.withdrawn_reason or ""
    elif "withdrawn_reason" in sent and (data.withdrawn_reason or ""):
        raise TrainingInvalid("该基地没有撤销日期，不能只填写撤销原因", field="withdrawn_reason")
    return {k: v for k, v in wanted.items() if row[k] != v}


async def update_training_base(
    training_base_id: int,
    data: TrainingBaseUpdate,
    *,
    changed_by: str,
    today: dt.date,
    now: dt.datetime,
) -> TrainingBaseOut:
    """Change a training base (:func:`planned_base_change` says what and checks the rules) and
    keep the change — the changed fields before and after, who, ``now`` (aware UTC), why — in
    one transaction, the base row locked first. ``today`` is the local business date. Sending
    values equal to the stored ones changes nothing and records nothing.

    Raises :class:`TrainingNotFound` (unknown base), :class:`TrainingInvalid` (a broken rule:
    nothing is changed)."""
    _require_aware(now)
    async with atomic():
        if not is_sqlite(TrainingBase._meta.db):
            await TrainingBase.raw(_LOCK_BASE_SQL, training_base_id)
        row = await TrainingBase.select().where(TrainingBase.id == training_base_id).first()
        if row is None:
            raise TrainingNotFound(f"实训基地 {training_base_id} 不存在")
        changes = planned_base_change(row, data, today=today)
        if changes:
            await TrainingBase.update(
                {getattr(TrainingBase, k): v for k, v in changes.items()}  # type: ignore[misc]
            ).where(TrainingBase.id == training_base_id)
            await TrainingBaseChange.insert(
                TrainingBaseChange(
                    training_base=training_base_id,
                    before=json.dumps({k: _json_value(row[k]) for k in changes}, ensure_ascii=False),
                    after=json.dumps({k: _json_value(v) for k, v in changes.items()}, ensure_ascii=False),
                    reason=data.reason or data.withdrawn_reason or "",
                    changed_by=changed_by[:64],
                    changed_at=now,
                )
            )
            row = {**row, **changes}
    return _base_out(row)


async def training_base_changes(training_base_id: int) -> list[TrainingBaseChangeOut]:
    """The changes of a base, oldest first; raises :class:`TrainingNotFound` for an unknown base."""
    if not await TrainingBase.exists().where(TrainingBase.id == training_base_id):
        raise TrainingNotFound(f"实训基地 {training_base_id} 不存在")
    rows = (
        await TrainingBaseChange.select()
        .where(TrainingBaseChange.training_base == training_base_id)
        .order_by(TrainingBaseChange.id)
    )
    return [
        TrainingBaseChangeOut(
            id=r["id"],
            training_base_id=r["training_base"],
            before=json.loads(r["before"]),
            after=json.loads(r["after"]),
            reason=r["reason"],
            changed_by=r["changed_by"],
            changed_at=r["changed_at"],
        )
        for r in rows
    ]
