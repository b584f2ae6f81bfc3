"""The level forms of the talent search (talent_pool/levels.py) stay the reference data's."""

from __future__ import annotations

from certification.programmes import ONEX_LEVEL_DIGITS, occupations
from talent_pool.levels import ONEX_LEVELS, SKILL_LEVELS


def test_the_stored_levels_are_the_reference_datas() -> None:
    assert {str(d): name for d, name in SKILL_LEVELS.items()} == occupations()["level_names"]
    assert ONEX_LEVELS == ONEX_LEVEL_DIGITS


def test_extra_level_forms_and_unknown_ones() -> None:
    from talent_pool.levels import is_known_level, level_forms

    assert level_forms("5级") == level_forms("五級") == level_forms("五级") == ("五级/初级工",)
    assert level_forms("初級") == level_forms("初级")
    assert [is_known_level(t) for t in ("五级", " 5 级", "Ⅴ", "六级", "五级工人")] == [
        True,
        True,
        False,
        False,
        False,
    ]
