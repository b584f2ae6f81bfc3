"""Name rules (issue 12): every 间隔号 look-alike is stored as ``·`` (U+00B7), applied before NFKC;
an error names the character the user typed."""

from __future__ import annotations

import unicodedata

import pytest

from talent_pool.identity import NAME_SEPARATOR_LOOKALIKES, clean_person_name
from talent_pool.schemas import PractitionerIn

LOOKALIKES = ["·", "•", "・", "･", "．", "﹒", "‧", "∙"]  # the issue's list, as typed


@pytest.mark.parametrize("dot", LOOKALIKES, ids=[f"U+{ord(c):04X}" for c in LOOKALIKES])
def test_every_lookalike_is_stored_as_the_middle_dot(dot: str) -> None:
    assert clean_person_name(f"买买提{dot}艾力") == "买买提\u00b7艾力"


@pytest.mark.parametrize("dot", LOOKALIKES, ids=[f"U+{ord(c):04X}" for c in LOOKALIKES])
def test_lookalikes_with_spaces_and_full_width_letters(dot: str) -> None:
    # spaces around the dot (a spreadsheet cell) and full-width Latin letters
    assert clean_person_name(f" Ｊｏｈｎ {dot} Ｓｍｉｔｈ ") == "John·Smith"


def test_the_issue_list_is_covered() -> None:
    assert set(LOOKALIKES) <= set(NAME_SEPARATOR_LOOKALIKES)


@pytest.mark.parametrize("dot", ["．", "﹒"])
def test_nfkc_would_have_made_an_ascii_full_stop(dot: str) -> None:
    # the bug of issue 12: NFKC first turns these into "." and the name was then refused
    assert unicodedata.normalize("NFKC", dot) == "."
    assert clean_person_name(f"阿依古丽{dot}买买提") == "阿依古丽·买买提"


def test_schema_stores_the_unified_dot() -> None:
    assert PractitionerIn(id_number="x", name="迪丽热巴．迪力木拉提").name == "迪丽热巴·迪力木拉提"


@pytest.mark.parametrize(
    ("raw", "typed"),
    [
        ("王.芳", "“.”（U+002E）"),  # ASCII full stop is not a look-alike of the 间隔号
        ("王１芳", "“１”（U+FF11）"),  # the full-width digit typed, not the "1" NFKC makes of it
        ("王芳①", "“①”（U+2460）"),
        ("王。芳", "“。”（U+3002）"),  # the ideographic full stop
        ("王芳😀", "“😀”（U+1F600）"),
    ],
)
def test_error_names_the_character_typed(raw: str, typed: str) -> None:
    with pytest.raises(ValueError, match="姓名含有不允许的字符") as info:
        clean_person_name(raw)
    assert typed in str(info.value)


def test_error_for_an_invisible_character_names_its_code_point() -> None:
    with pytest.raises(ValueError) as info:
        clean_person_name("王\u200b芳")
    assert "U+200B" in str(info.value)


def test_empty_name_is_refused() -> None:
    with pytest.raises(ValueError, match="姓名不能为空"):
        clean_person_name(" \u3000 ")


@pytest.mark.parametrize("raw", ["李-", "·王", "王··芳", "王-·芳", "-", "O''Neil", "王芳'"])
def test_a_separator_only_between_two_letters(raw: str) -> None:
    """Trial finding: 李-, ·王 and 王··芳 were accepted though the rule allows separators only
    inside a name; the message says what is allowed."""
    with pytest.raises(ValueError, match="只能写在两个字之间") as info:
        clean_person_name(raw)
    assert "间隔号" in str(info.value) and "连字符" in str(info.value)


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("O'Neil", "O'Neil"),
        ("Jean-Luc Picard", "Jean-Luc Picard"),
        ("买买提·艾力", "买买提·艾力"),
        ("欧阳-娜娜", "欧阳-娜娜"),
    ],
)
def test_separators_inside_a_name_are_kept(raw: str, stored: str) -> None:
    assert clean_person_name(raw) == stored
