"""The level forms of the talent search (talent_pool/levels.py) stay the reference data's."""

from __future__ import annotations

from certification.programmes import ONEX_LEVEL_DIGITS, occupations
from talent_pool.levels import ONEX_LEVELS, SKILL_LEVELS


def test_the_stored_levels_are_the_reference_datas() -> None:
    assert {str(d): name for d, name in SKILL_LEVELS.items()} == occupations()["level_names"]
    assert ONEX_LEVELS == ONEX_LEVEL_DIGITS
