"""Programme reference data: the 1+X 幼儿照护 levels and the 人社 occupations at each level,
built from ``reference_data/occupations.json`` (pure helpers + the idempotent seeder).

Configurable defaults (the data marks them "configurable" / unconfirmed; change them per
deployment with ``overrides`` at seeding or :func:`certification.services.update_programme`):

- pass marks 60 / 60 of 100 (``appraisal.pass_each``);
- ``ONEX_VALIDITY_YEARS`` = 3 for 1+X (data: "no confirmed value"); 人社 skill-level
  certificates default to no expiry (``None``);
- ``ONEX_LEVEL_DIGITS`` 初级→5, 中级→4, 高级→3: the 16th character of the 22-character
  number, mapping the 1+X levels onto the 人社 skill levels (五级/初级工 … 三级/高级工);
- ``min_training_hours`` 0 with no category (published figures conflict between standard
  editions — ``min_training_hours.about``), so eligibility is open until configured.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import Any

ONEX_LEVEL_DIGITS: dict[str, int] = {"初级": 5, "中级": 4, "高级": 3}
ONEX_VALIDITY_YEARS: int | None = 3
SKILL_VALIDITY_YEARS: int | None = None
DEFAULT_SKILL_ISSUER = "济南市职业技能等级认定评价机构"


@cache
def occupations() -> dict[str, Any]:
    """The parsed ``reference_data/occupations.json`` shipped in this package."""
    text = resources.files("certification").joinpath("reference_data", "occupations.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def _issuer_name(raw: str) -> str:
    # "湖南金职伟业母婴护理有限公司 (the training-and-evaluation …)" → the name only
    return raw.split(" (", 1)[0].strip()


def programme_definitions(
    *,
    onex_validity_years: int | None = ONEX_VALIDITY_YEARS,
    skill_validity_years: int | None = SKILL_VALIDITY_YEARS,
    skill_issuer: str = DEFAULT_SKILL_ISSUER,
    onex_level_digits: Mapping[str, int] = ONEX_LEVEL_DIGITS,
) -> list[dict[str, Any]]:
    """Rows for :class:`certification.tables.Programme` from occupations.json.

    1+X: ``{code}-{n}`` for the n-th level (``1X-YEZH-1`` 初级, ``-2`` 中级, ``-3`` 高级).
    人社: ``{occupation_code}-L{level}`` (e.g. ``4-10-01-03-L5`` 保育师 五级/初级工) for every
    listed level. Pass marks from ``appraisal.pass_each``.
    """
    doc = occupations()
    pass_each = Decimal(str(doc["appraisal"]["pass_each"]))
    rows: list[dict[str, Any]] = []
    for cert in doc["onex_certificates"]:
        for n, lvl in enumerate(cert["levels"], start=1):
            rows.append(
                {
                    "code": f"{cert['code']}-{n}",
                    "kind": "onex",
                    "title": cert["name"],
                    "level": lvl["level"],
                    "level_digit": onex_level_digits[lvl["level"]],
                    "occupation_code": "",
                    "pass_mark_theory": pass_each,
                    "pass_mark_practical": pass_each,
                    "validity_years": onex_validity_years,
                    "min_training_hours": Decimal(0),
                    "training_category": None,
                    "issuer": _issuer_name(cert["issuer"]),
                    "active": True,
                }
            )
    names = doc["level_names"]
    for occ in doc["occupational_skill_levels"]:
        for level in occ["levels"]:
            rows.append(
                {
                    "code": f"{occ['occupation_code']}-L{level}",
                    "kind": "skill_level",
                    "title": occ["name"],
                    "level": names[str(level)],
                    "level_digit": int(level),
                    "occupation_code": occ["occupation_code"],
                    "pass_mark_theory": pass_each,
                    "pass_mark_practical": pass_each,
                    "validity_years": skill_validity_years,
                    "min_training_hours": Decimal(0),
                    "training_category": None,
                    "issuer": skill_issuer,
                    "active": True,
                }
            )
    return rows


def covering_programme_codes(code: str) -> tuple[str, ...]:
    """Programme codes whose valid certificate makes a certificate of ``code`` pointless:
    ``code`` itself (the same level) and, for a 1+X certificate marked
    ``higher_level_covers_lower`` in occupations.json, every higher level of the same
    certificate (``1X-YEZH-1`` → ``1X-YEZH-1``, ``1X-YEZH-2``, ``1X-YEZH-3``). The 人社
    occupations carry no such rule: only the same code."""
    for cert in occupations()["onex_certificates"]:
        levels = range(1, len(cert["levels"]) + 1)
        for n in levels:
            if code == f"{cert['code']}-{n}":
                if not cert.get("higher_level_covers_lower", False):
                    return (code,)
                return tuple(f"{cert['code']}-{m}" for m in levels if m >= n)
    return (code,)


async def seed_programmes(
    *,
    overrides: Mapping[str, Mapping[str, Any]] | None = None,
    onex_validity_years: int | None = ONEX_VALIDITY_YEARS,
    skill_validity_years: int | None = SKILL_VALIDITY_YEARS,
    skill_issuer: str = DEFAULT_SKILL_ISSUER,
) -> dict[str, int]:
    """Insert the programmes of :func:`programme_definitions` that do not exist yet.

    Idempotent: existing programmes (matched by ``code``) are never touched, so pass marks,
    validity or eligibility edited after seeding survive re-seeding. ``overrides`` maps a code
    to column values applied to *new* rows only (e.g. ``{"4-10-01-03-L5":
    {"min_training_hours": Decimal(120), "training_category": "pre_job"}}``).
    Returns ``{"created": n, "total": m}``.
    """
    from certification.tables import Programme
    from talent_pool.db import atomic

    rows = programme_definitions(
        onex_validity_years=onex_validity_years,
        skill_validity_years=skill_validity_years,
        skill_issuer=skill_issuer,
    )
    overrides = overrides or {}
    async with atomic():
        have = {r["code"] for r in await Programme.select(Programme.code)}
        new = [Programme(**{**r, **overrides.get(r["code"], {})}) for r in rows if r["code"] not in have]
        if new:
            await Programme.insert(*new)
        total = await Programme.count()
    return {"created": len(new), "total": total}
