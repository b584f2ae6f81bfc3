"""Reference data shipped in the package (copied from the project's shared data folder).

- ``jinan_divisions.json`` — Jinan's districts/counties (GB/T 2260), functional zones,
  retired address codes still found in older ID numbers.
- ``jinan_streets.json`` — the township-level units (街道/镇) with their district and the
  functional zone managing them (NBS 2023 statistical division codes).
- ``plan_indicators_<end year>.json`` — a plan's indicator table with each indicator's formula
  (``plan_indicators_2025.json``: 济发改社会〔2021〕239号); a later plan is another such file.
"""

from __future__ import annotations

import json
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import Any


@cache
def load(name: str) -> dict[str, Any]:
    """Parse ``reference_data/<name>.json`` shipped in this package."""
    text = resources.files("talent_pool").joinpath("reference_data", f"{name}.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def jinan_divisions() -> dict[str, Any]:
    """The Jinan divisions document (city, districts, functional_zones, retired_address_codes)."""
    return load("jinan_divisions")


def jinan_streets() -> dict[str, Any]:
    """The Jinan streets document (``streets``: code, name, district_code, kind, zone_code)."""
    return load("jinan_streets")


@cache
def plan_files() -> list[str]:
    """Names of the shipped plan documents (``plan_indicators_<end year>``), oldest first (read
    once: the package's files do not change while it runs)."""
    folder = resources.files("talent_pool").joinpath("reference_data")
    names = [p.name[: -len(".json")] for p in folder.iterdir() if p.name.startswith("plan_indicators_")]
    return sorted(n for n in names if n.endswith(tuple("0123456789")))


def plans() -> list[dict[str, Any]]:
    """Every shipped plan document (``plan``, ``period`` ``[first, last]`` year, ``indicators``),
    oldest first."""
    return [load(name) for name in plan_files()]


def plan_for_year(year: int) -> dict[str, Any]:
    """The plan whose period covers ``year``; before the first plan the first, after the last
    plan the last (its targets stay the reference until a new plan is added)."""
    docs = plans()
    for doc in docs:
        first, last = doc["period"]
        if first <= year <= last:
            return doc
    return docs[0] if year < docs[0]["period"][0] else docs[-1]


def plan_indicators() -> dict[str, Any]:
    """The current (latest) plan's indicator document (plan, indicators, other_figures_in_plan)."""
    return plans()[-1]


def retired_address_codes() -> list[str]:
    """Retired county codes that older Jinan residents' ID numbers still carry."""
    return list(jinan_divisions()["retired_address_codes"]["codes"])


# The plan states person-trainings in 万人次 (10,000 person-trainings); we store plain counts.
_UNIT_SCALE = {"万人次/年": (Decimal(10000), "人次/年")}


def indicator_target(indicator: dict[str, Any]) -> tuple[Decimal, str]:
    """``(target, unit)`` of a plan indicator in the units this system counts in (万人次 →
    人次)."""
    scale, unit = _UNIT_SCALE.get(indicator["unit"], (Decimal(1), indicator["unit"]))
    return Decimal(str(indicator["target"])) * scale, unit
