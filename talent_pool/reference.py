"""Reference data shipped in the package (copied from the project's shared data folder).

- ``jinan_divisions.json`` — Jinan's districts/counties (GB/T 2260), functional zones,
  retired address codes still found in older ID numbers.
- ``plan_indicators_2025.json`` — the indicator table of 济发改社会〔2021〕239号.
"""

from __future__ import annotations

import json
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


def plan_indicators() -> dict[str, Any]:
    """The plan indicator document (plan, indicators, other_figures_in_plan)."""
    return load("plan_indicators_2025")


def retired_address_codes() -> list[str]:
    """Retired county codes that older Jinan residents' ID numbers still carry."""
    return list(jinan_divisions()["retired_address_codes"]["codes"])
