"""The registry: reference data (divisions, plan indicators), employers, practitioners, employments."""

import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Any

from talent_pool import reference
from talent_pool._divisions import division_rows, require_street
from talent_pool.db import atomic
from talent_pool.errors import Conflict, NotFound, ValidationFailed
from talent_pool.identity import (
    MIN_WORKING_AGE,
    age_on,
    clean_person_name,
    parse_credit_code,
    parse_credit_code_lenient,
    parse_id_number,
)
from talent_pool.schemas import (
    EmployerIn,
    EmployerOut,
    PractitionerIn,
    PractitionerOut,
)
from talent_pool.tables import (
    Division,
    Employer,
    PlanIndicator,
    Practitioner,
)


async def seed_reference_data() -> dict[str, int]:
    """Load Jinan's divisions and the plan indicator table (idempotent upsert).

    Returns counts ``{"divisions": n, "indicators": m}`` of rows present afterwards.
    """
    doc = reference.jinan_divisions()
    rows: list[dict[str, Any]] = [
        {
            "code": doc["city"]["code"],
            "name": doc["city"]["name"],
            "level": "city",
            "parent_code": None,
        }
    ]
    for d in doc["districts"]:
        rows.append(
            {
                "code": d["code"],
                "name": d["name"],
                "level": "district",
                "parent_code": doc["city"]["code"],
                "kind": d["kind"],
                "township_count": d["township_count"],
            }
        )
    rows.extend(division_rows())  # functional zones and streets
    for code in doc["retired_address_codes"]["codes"]:
        rows.append({"code": code, "name": f"已撤销行政区划 {code}", "level": "retired"})
    plan = reference.plan_indicators()
    async with atomic():
        existing = {r["code"]: r for r in await Division.select(Division.code, Division.zone_code)}
        new = [Division(**r) for r in rows if r["code"] not in existing]
        if new:
            await Division.insert(*new)
        for r in rows:  # a zone overlay added to a street seeded before zones existed
            old = existing.get(r["code"])
            if old is not None and r.get("zone_code") and old["zone_code"] != r["zone_code"]:
                await Division.update({Division.zone_code: r["zone_code"]}).where(Division.code == r["code"])
        have = {r["key"] for r in await PlanIndicator.select(PlanIndicator.key)}
        for ind in plan["indicators"]:
            target, unit = reference.indicator_target(ind)
            values = {
                "category": ind["category"],
                "name": ind["name"],
                "unit": unit,
                "op": ind["op"],
                "target": target,
                "kind": ind["kind"],
                "in_scope": ind["in_scope"],
                "plan": plan["plan"],
            }
            if ind["key"] in have:
                continue  # targets may have been edited by the regulator: never overwrite
            await PlanIndicator.insert(PlanIndicator(key=ind["key"], **values))
        return {
            "divisions": await Division.count(),
            "indicators": await PlanIndicator.count(),
        }


async def list_districts() -> list[dict[str, str]]:
    """The city's current districts/counties: ``[{"code", "name"}]`` in code order."""
    rows = await (
        Division.select(Division.code, Division.name)
        .where(Division.level == "district")
        .order_by(Division.code)
    )
    return [{"code": r["code"], "name": r["name"]} for r in rows]


async def is_current_district(code: str) -> bool:
    """Whether ``code`` is one of the city's current districts/counties (not a retired code)."""
    return bool(await Division.exists().where((Division.code == code) & (Division.level == "district")))


async def _require_district(code: str) -> None:
    if not await is_current_district(code):
        raise ValidationFailed(f"区县代码 {code} 不是本市现行区县", field="district_code")


async def register_employer(data: EmployerIn, *, override_by: str = "") -> EmployerOut:
    """Register a childcare employer (kind, 普惠 flag, places, district, street, address).

    The credit code must pass GB 32100-2015. With ``data.credit_code_override`` (regulators only:
    the caller checks the role and passes its login as ``override_by``) a code whose *check
    character* fails is registered anyway when ``credit_code_note`` says why; the override, the
    note and who made it are stored and returned with the employer. A code that passes the check
    is stored normally (the override is not recorded).

    Raises :class:`InvalidCreditCode` (GB 32100, or any defect other than the check character
    under an override), :class:`ValidationFailed` for an unknown district, a ``street_code`` that
    is not a street of that district or an override without a note, :class:`Conflict` when the
    credit code is already registered.
    """
    override = False
    if data.credit_code_override:
        code, check_ok = parse_credit_code_lenient(data.credit_code)
        if not check_ok:
            if not data.credit_code_note:
                raise ValidationFailed(
                    f"统一社会信用代码 {code} 校验码错误；强制登记须填写核实说明", field="credit_code_note"
                )
            if not override_by:
                raise ValidationFailed("强制登记须由监管账号办理", field="credit_code_override")
            override = True
    else:
        code = parse_credit_code(data.credit_code)
    await _require_district(data.district_code)
    street_code = None if not data.street_code else await require_street(data.street_code, data.district_code)
    async with atomic():
        if await Employer.exists().where(Employer.credit_code == code):
            raise Conflict(f"统一社会信用代码 {code} 已登记", credit_code=code)
        row = Employer(
            credit_code=code,
            name=data.name,
            kind=data.kind,
            district_code=data.district_code,
            street=data.street.strip(),
            street_code=street_code,
            address=data.address.strip(),
            inclusive=data.inclusive,
            places=data.places,
            credit_code_override=override,
            credit_code_note=data.credit_code_note if override else "",
            credit_code_override_by=override_by[:64] if override else "",
        )
        await row.save()
    return EmployerOut.model_validate(row.to_dict())


async def get_employer(employer_id: int) -> EmployerOut:
    """One employer; raises :class:`NotFound`."""
    row = await Employer.objects().get(Employer.id == employer_id)
    if row is None:
        raise NotFound(f"机构 {employer_id} 不存在")
    return EmployerOut.model_validate(row.to_dict())


async def find_employer_by_credit_code(raw: object) -> EmployerOut:
    """The employer registered under a unified social credit code (GB 32100-2015) as typed: trimmed,
    full-width and lower-case letters normalised; a code registered under a regulator's override
    (wrong check character) is found too. Raises :class:`InvalidCreditCode` for a malformed code,
    :class:`NotFound` for a code nobody registered (credit codes are public, so this says so)."""
    code, _ = parse_credit_code_lenient(raw)
    row = await Employer.objects().get(Employer.credit_code == code)
    if row is None:
        raise NotFound(f"统一社会信用代码 {code} 未在本平台登记")
    return EmployerOut.model_validate(row.to_dict())


UNREADABLE_EXISTING = (
    "该身份证号已在人才库登记，且不在您可查看的范围内（本区县从业人员）：不能在此查看或更新其信息。"
    "如需聘用，请由托育机构按身份证号和姓名认领，经本人确认"
)
"""The one answer to registering a person who is already registered when the caller may not read
them — the same whatever name was typed, so registration cannot be used to test a name."""


async def register_practitioner(
    data: PractitionerIn,
    *,
    today: dt.date,
    may_read: Callable[[int], Awaitable[bool]] | None = None,
) -> PractitionerOut:
    """Find or create the practitioner with this resident ID number (one record a person: the
    ID number is the key, whatever its typed form — lower-case ``x``, full-width digits, spaces).

    The ID is normalised and validated (GB 11643-1999; retired address codes accepted); gender
    and birth date are derived from it (GB 11643 §4: digits 7–14 and the parity of digit 17),
    never typed. An existing person with the same ID is returned when the name matches — a
    phone given now is stored when none was on record (a phone on record is never overwritten:
    it receives the sign-up codes); a different name raises :class:`Conflict` (a typo or a
    stolen identity — a human decides; the message never repeats the ID number).

    ``may_read(existing_id)`` (the caller's readable-record rule; ``None``: may read everyone) is
    asked first when the ID is already registered: ``False`` raises :class:`Conflict` with
    :data:`UNREADABLE_EXISTING` whatever the name, and nothing is compared or stored.
    Raises :class:`InvalidIdNumber` for a bad number and :class:`ValidationFailed` for a person
    under 16 on ``today`` (the minimum working age of the Labour Law, art. 15).
    """
    rid = parse_id_number(data.id_number, today=today)
    if age_on(rid.birth_date, today) < MIN_WORKING_AGE:
        raise ValidationFailed(
            f"该身份证号的持有人未满 {MIN_WORKING_AGE} 周岁，不能登记为从业人员（《劳动法》第十五条）",
            field="id_number",
        )
    async with atomic():
        existing = await Practitioner.objects().get(Practitioner.id_number == rid.number)
        if existing is not None:
            if may_read is not None and not await may_read(int(existing.id)):
                raise Conflict(UNREADABLE_EXISTING)
            if existing.name != data.name:
                raise Conflict("该身份证号已登记为另一姓名（请核对；不会覆盖已登记的姓名）")
            phone = data.phone.strip()
            if phone and not existing.phone:
                existing.phone = phone
                await existing.save([Practitioner.phone])
            return PractitionerOut.model_validate(existing.to_dict())
        row = Practitioner(
            id_number=rid.number,
            name=data.name,
            gender=rid.gender,
            birth_date=rid.birth_date,
            phone=data.phone.strip(),
        )
        await row.save()
    return PractitionerOut.model_validate(row.to_dict())


async def get_practitioner(practitioner_id: int) -> PractitionerOut:
    """One practitioner; raises :class:`NotFound`."""
    row = await Practitioner.objects().get(Practitioner.id == practitioner_id)
    if row is None:
        raise NotFound(f"从业人员 {practitioner_id} 不存在")
    return PractitionerOut.model_validate(row.to_dict())


NO_MATCH = "未找到身份证号与姓名均匹配的从业人员（请核对后重试，或请本人先在平台注册）"
"""The one answer to "who is this?" when the ID number is unknown or the name differs — so a
look-up by ID number and name cannot be used to learn who is in the pool."""


async def match_practitioner(id_number: str, name: str, *, today: dt.date) -> PractitionerOut:
    """The practitioner whose resident ID number **and** name both match (proof that the caller
    knows the person), else :class:`NotFound` with :data:`NO_MATCH` — the same answer for an
    unknown ID number or a wrong name. An ID number or name that is malformed in itself (GB 11643
    check, Excel's ``3.70102E+17``, a name with digits) raises :class:`InvalidIdNumber` /
    :class:`ValidationFailed` naming what is wrong: that depends on the input alone and says
    nothing about who is registered."""
    number = parse_id_number(id_number, today=today).number
    try:
        wanted = clean_person_name(name)
    except ValueError as exc:
        raise ValidationFailed(str(exc), field="name") from None
    person = await Practitioner.objects().get(Practitioner.id_number == number)
    if person is None or person.name != wanted:
        raise NotFound(NO_MATCH)
    return PractitionerOut.model_validate(person.to_dict())


async def find_practitioner(id_number: str, *, today: dt.date) -> PractitionerOut | None:
    """The practitioner with this ID number (normalised and validated as of the local date
    ``today``), or ``None``. Raises :class:`InvalidIdNumber`."""
    rid = parse_id_number(id_number, today=today)
    row = await Practitioner.objects().get(Practitioner.id_number == rid.number)
    return PractitionerOut.model_validate(row.to_dict()) if row else None
