"""Writing one batch of parsed import rows, per kind, idempotent by natural keys.

Natural keys (a row whose key is already recorded with the same values is *unchanged*; with
other values it is *rejected* — an import never overwrites what is recorded):

- employers: the unified social credit code;
- practitioners: the resident ID number (a different name is a conflict for a person to decide);
- employments: (person, employer, start date);
- credentials: the certificate number;
- trainings: (person, training title, completion date).

Rows that refer to a person name the person by ID number **and** name (both must match). A
district regulator's scope (``district``) admits employers of that district, and employments,
credentials and trainings of people who currently work there (an active employment at one of its
employers); every other row about a person — not in the pool, another name, working elsewhere —
is rejected with one and the same reason (:data:`NOT_IN_DISTRICT`), so a file can neither probe
who is in the pool under which name nor bring a person of another district into the district's
reach (a trial, 2026-11-30: an imported employment, even an ended one, opened the person's
record and then their login's password reset). People new to the district are hired through the
employer's claim, which the person confirms.

Each batch is written in one transaction (:func:`talent_pool.db.atomic`); a dry run writes
nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from talent_pool.db import atomic, insert_many, is_sqlite
from talent_pool.identity import parse_id_number
from talent_pool.import_columns import COLUMNS
from talent_pool.tables import Credential, Employer, Employment, Practitioner, TrainingRecord


@dataclass(slots=True)
class Row:
    """A parsed data row: its number in the file and its values by field."""

    number: int
    values: dict[str, Any]


@dataclass(slots=True)
class Outcome:
    """What a batch did: counts and the problems of rejected rows ``(row, column, reason)``."""

    created: int = 0
    unchanged: int = 0
    problems: list[tuple[int, str, str]] = field(default_factory=list)
    rejected_rows: set[int] = field(default_factory=set)

    def reject(self, row: Row, column: str, reason: str) -> None:
        self.problems.append((row.number, column, reason))
        self.rejected_rows.add(row.number)


OUTSIDE = "不在本区县范围内：区县监管账号只能导入本区县的数据"
NOT_IN_DISTRICT = (
    "本区县托育机构的在职人员中没有该身份证号与姓名的人员（请核对；新入职本区县的人员请由用人单位认领，"
    "经本人确认）"
)
"""The one reason a district regulator's row about a person gets when the person is not in the
pool, has another name on record, or does not work in the district now (module docstring)."""


@dataclass(slots=True)
class Scope:
    """Who imports: ``district`` (a district regulator's code, ``None`` for the whole city),
    ``by`` (recorded as ``confirmed_by`` on employments), the local date ``today``."""

    district: str | None
    by: str
    today: dt.date


def _differences(stored: dict[str, Any], row: Row, fields: dict[str, str]) -> list[str]:
    return [header for name, header in fields.items() if stored[name] != row.values[name]]


def _conflict(diff: list[str]) -> str:
    return f"已登记，但{'、'.join(diff)}与登记信息不一致（导入不会覆盖已有信息，请核对后单独修改）"


async def _people(rows: list[Row], out: Outcome, scope: Scope) -> tuple[list[Row], dict[str, dict[str, Any]]]:
    """The rows whose person (ID number and name) is in the pool, and those people by ID; for a
    district regulator only people who work in the district now, the others rejected with
    :data:`NOT_IN_DISTRICT` whatever the reason."""
    numbers = list({r.values["id_number"] for r in rows})
    found = {
        p["id_number"]: p
        for p in await Practitioner.select(Practitioner.id, Practitioner.id_number, Practitioner.name).where(
            Practitioner.id_number.is_in(numbers or [""])
        )
    }
    where = await _districts_of([p["id"] for p in found.values()], scope.today) if scope.district else {}
    kept = []
    for row in rows:
        person = found.get(row.values["id_number"])
        if scope.district is not None and (
            person is None
            or person["name"] != row.values["name"]
            or scope.district not in where.get(person["id"], set())
        ):
            out.reject(row, "身份证号", NOT_IN_DISTRICT)
        elif person is None:
            out.reject(row, "身份证号", "人员库中没有该身份证号，请先导入从业人员")
        elif person["name"] != row.values["name"]:
            out.reject(row, "姓名", "与人员库中该身份证号登记的姓名不一致")
        else:
            kept.append(row)
    return kept, found


async def _districts_of(person_ids: list[int], on: dt.date) -> dict[int, set[str]]:
    """The districts each person works in on the local date ``on``: confirmed employments not
    ended before it (``talent_pool.works_in_district``'s rule)."""
    rows = await Employment.select(
        Employment.practitioner, Employment.employer.district_code.as_alias("d")
    ).where(
        Employment.practitioner.is_in(person_ids or [0])
        & (Employment.status == "active")
        & (Employment.end_date.is_null() | (Employment.end_date >= on))
    )
    out: dict[int, set[str]] = defaultdict(set)
    for r in rows:
        out[r["practitioner"]].add(r["d"])
    return out


async def employers(rows: list[Row], scope: Scope, dry_run: bool) -> Outcome:
    out = Outcome()
    codes = [r.values["credit_code"] for r in rows]
    stored = {
        e["credit_code"]: e for e in await Employer.select().where(Employer.credit_code.is_in(codes or [""]))
    }
    # every column of the kind but the key: a new column is one line in COLUMNS
    fields = {c.field: c.header for c in COLUMNS["employers"] if c.field != "credit_code"}
    new: list[Row] = []
    for row in rows:
        if scope.district is not None and row.values["district_code"] != scope.district:
            out.reject(row, "区县代码", OUTSIDE)
            continue
        existing = stored.get(row.values["credit_code"])
        if existing is None:
            new.append(row)
        elif diff := _differences(existing, row, fields):
            out.reject(row, "统一社会信用代码", _conflict(diff))
        else:
            out.unchanged += 1
    if dry_run or not new:
        out.created += len(new)
        return out
    async with atomic():
        inserted = await insert_many(
            Employer, [{k: r.values[k] for k in ("credit_code", *fields)} for r in new], Employer.credit_code
        )
    out.created += inserted
    out.unchanged += len(new) - inserted  # recorded meanwhile by another import
    return out


async def practitioners(rows: list[Row], scope: Scope, dry_run: bool) -> Outcome:
    out = Outcome()
    numbers = [r.values["id_number"] for r in rows]
    stored = {
        p["id_number"]: p
        for p in await Practitioner.select().where(Practitioner.id_number.is_in(numbers or [""]))
    }
    new: list[Row] = []
    # a district regulator compares nothing about people who work elsewhere: the same answer
    # whatever the row says, so a file cannot probe another district's names or phones
    where = await _districts_of([p["id"] for p in stored.values()], scope.today) if scope.district else {}
    for row in rows:
        existing = stored.get(row.values["id_number"])
        if existing is None:
            new.append(row)
        elif scope.district is not None and scope.district not in where.get(existing["id"], set()):
            out.reject(
                row, "身份证号", "该身份证号已在本市登记，且该人员不在本区县任职：本区县不能核对或更新其信息"
            )
        elif existing["name"] != row.values["name"]:
            out.reject(row, "姓名", "该身份证号已登记为另一姓名（导入不会覆盖，请核对）")
        elif row.values["phone"] and existing["phone"] != row.values["phone"]:
            out.reject(row, "手机号", _conflict(["手机号"]))
        else:
            out.unchanged += 1
    if dry_run or not new:
        out.created += len(new)
        return out
    people = []
    for r in new:
        rid = parse_id_number(r.values["id_number"], today=scope.today)
        people.append(
            {
                **{c.field: r.values[c.field] for c in COLUMNS["practitioners"]},
                "gender": rid.gender,
                "birth_date": rid.birth_date,
            }
        )
    async with atomic():
        inserted = await insert_many(Practitioner, people, Practitioner.id_number)
    out.created += inserted
    out.unchanged += len(new) - inserted
    return out


async def employments(rows: list[Row], scope: Scope, dry_run: bool) -> Outcome:
    out = Outcome()
    rows, people = await _people(rows, out, scope)
    codes = list({r.values["credit_code"] for r in rows})
    firms = {
        e["credit_code"]: e
        for e in await Employer.select(Employer.id, Employer.credit_code, Employer.district_code).where(
            Employer.credit_code.is_in(codes or [""])
        )
    }
    if dry_run:
        await _employments(rows, people, firms, scope, out, write=False)
        return out
    # (person, employer, start) is not a single-row constraint: the people's rows are locked
    # first, then checked and written (docs/architecture.md, "Database and transactions")
    async with atomic():
        pids = sorted({p["id"] for p in people.values()})
        if pids and not is_sqlite(Practitioner._meta.db):
            await Practitioner.raw(_LOCK_PEOPLE_SQL, pids)
        await _employments(rows, people, firms, scope, out, write=True)
    return out


_LOCK_PEOPLE_SQL = "SELECT id FROM tp_practitioner WHERE id = ANY({}) ORDER BY id FOR UPDATE"


async def _employments(
    rows: list[Row],
    people: dict[str, dict[str, Any]],
    firms: dict[str, dict[str, Any]],
    scope: Scope,
    out: Outcome,
    *,
    write: bool,
) -> None:
    pids = [p["id"] for p in people.values()]
    stored: dict[tuple[int, int, dt.date], dict[str, Any]] = {}
    open_at: dict[tuple[int, int], dt.date] = {}
    for e in await Employment.select().where(Employment.practitioner.is_in(pids or [0])):
        stored[(e["practitioner"], e["employer"], e["start_date"])] = e
        if e["end_date"] is None and e["status"] in ("active", "pending"):
            open_at[(e["practitioner"], e["employer"])] = e["start_date"]
    new: list[dict[str, Any]] = []
    for row in rows:
        v = row.values
        firm = firms.get(v["credit_code"])
        if firm is None:
            out.reject(row, "统一社会信用代码", "没有该统一社会信用代码的托育机构，请先导入托育机构")
            continue
        if scope.district is not None and firm["district_code"] != scope.district:
            out.reject(row, "统一社会信用代码", "该机构" + OUTSIDE)
            continue
        if v["end_date"] is not None and v["end_date"] < v["start_date"]:
            out.reject(row, "离职日期", "离职日期早于入职日期")
            continue
        pid, eid = people[v["id_number"]]["id"], firm["id"]
        existing = stored.get((pid, eid, v["start_date"]))
        if existing is not None:
            diff = _differences(existing, row, {"position": "岗位", "end_date": "离职日期"})
            if diff:
                out.reject(row, "入职日期", _conflict(diff))
            else:
                out.unchanged += 1
            continue
        if v["end_date"] is None and (pid, eid) in open_at:
            out.reject(row, "入职日期", f"该人员在此机构已有在职记录（入职日期 {open_at[(pid, eid)]}）")
            continue
        if v["end_date"] is None:
            open_at[(pid, eid)] = v["start_date"]
        stored[(pid, eid, v["start_date"])] = {"position": v["position"], "end_date": v["end_date"]}
        new.append(
            dict(
                practitioner=pid,
                employer=eid,
                position=v["position"],
                start_date=v["start_date"],
                end_date=v["end_date"],
                status="active",
                confirmed_by=scope.by[:64],
            )
        )
    out.created += len(new)
    if write and new:
        await insert_many(Employment, new, None)


async def credentials(rows: list[Row], scope: Scope, dry_run: bool) -> Outcome:
    out = Outcome()
    rows, people = await _people(rows, out, scope)
    numbers = [r.values["number"] for r in rows]
    stored = {
        c["number"]: c["practitioner"]
        for c in await Credential.select(Credential.number, Credential.practitioner).where(
            Credential.number.is_in(numbers or [""])
        )
    }
    new: list[dict[str, Any]] = []
    for row in rows:
        v = row.values
        pid = people[v["id_number"]]["id"]
        if v["expires_on"] is not None and v["expires_on"] < v["issued_on"]:
            out.reject(row, "有效期至", "有效期截止日早于发证日期")
        elif v["number"] in stored:
            if stored[v["number"]] == pid:
                out.unchanged += 1
            else:
                out.reject(row, "证书编号", "该证书编号已登记在另一人名下")
        else:
            new.append(
                dict(
                    practitioner=pid,
                    **{k: v[k] for k in ("kind", "programme_code", "level", "title", "number", "issuer")},
                    issued_on=v["issued_on"],
                    expires_on=v["expires_on"],
                    qualifying=v["qualifying"],
                    status="valid",
                    source="import",
                    source_ref=f"import:{v['number']}",
                )
            )
    if dry_run or not new:
        out.created += len(new)
        return out
    async with atomic():
        inserted = await insert_many(Credential, new, Credential.source_ref)
    out.created += inserted
    out.unchanged += len(new) - inserted
    return out


def _title_key(title: str) -> str:
    return " ".join(title.split())


async def trainings(rows: list[Row], scope: Scope, dry_run: bool) -> Outcome:
    out = Outcome()
    rows, people = await _people(rows, out, scope)
    pids = [p["id"] for p in people.values()]
    stored = {
        (t["practitioner"], _title_key(t["title"]), t["completed_on"])
        for t in await TrainingRecord.select(
            TrainingRecord.practitioner, TrainingRecord.title, TrainingRecord.completed_on
        ).where(TrainingRecord.practitioner.is_in(pids or [0]))
    }
    new: list[dict[str, Any]] = []
    for row in rows:
        v = row.values
        key = (people[v["id_number"]]["id"], _title_key(v["title"]), v["completed_on"])
        if key in stored:
            out.unchanged += 1
            continue
        digest = hashlib.sha256(f"{v['id_number']}|{key[1]}|{key[2].isoformat()}".encode()).hexdigest()[:40]
        new.append(
            dict(
                practitioner=key[0],
                category=v["category"],
                title=v["title"],
                hours=v["hours"],
                completed_on=v["completed_on"],
                provider=v["provider"],
                source="import",
                source_ref=f"import:{digest}",
            )
        )
    if dry_run or not new:
        out.created += len(new)
        return out
    async with atomic():
        inserted = await insert_many(TrainingRecord, new, TrainingRecord.source_ref)
    out.created += inserted
    out.unchanged += len(new) - inserted
    return out


APPLY = {
    "employers": employers,
    "practitioners": practitioners,
    "employments": employments,
    "credentials": credentials,
    "trainings": trainings,
}
"""Kind → the function writing one batch of its rows."""

NATURAL_KEYS: dict[str, tuple[str, ...]] = {
    "employers": ("credit_code",),
    "practitioners": ("id_number",),
    "employments": ("id_number", "credit_code", "start_date"),
    "credentials": ("number",),
    "trainings": ("id_number", "title", "completed_on"),
}
"""Kind → the fields naming one record (two rows of one file with the same key: the second is
rejected)."""
