"""CSV cells a spreadsheet would run as formulas are quoted on export and unquoted on import."""

from __future__ import annotations

import pytest

from talent_pool.csv_text import neutralise, restore


@pytest.mark.parametrize(
    ("value", "numeric", "expected"),
    [
        ('=HYPERLINK("http://evil","点我")', False, '\'=HYPERLINK("http://evil","点我")'),
        ("+8613800000000", False, "'+8613800000000"),
        ("-2+3", False, "'-2+3"),
        ("@SUM(A1)", False, "'@SUM(A1)"),
        ("\t=1", False, "'\t=1"),
        ("\r=1", False, "'\r=1"),
        ("-3", False, "'-3"),  # a text column: even a number-looking cell is quoted
        ("-3", True, "-3"),  # a numeric column keeps its negative number
        ("+1.5", True, "+1.5"),
        ("-1+1", True, "'-1+1"),  # … but not a formula
        ("=1", True, "'=1"),
        ("王芳", False, "王芳"),
        ("a=b", False, "a=b"),
        ("", False, ""),
    ],
)
def test_neutralise(value: str, numeric: bool, expected: str) -> None:
    assert neutralise(value, numeric=numeric) == expected


@pytest.mark.parametrize(
    "value", ['=HYPERLINK("x")', "+86138", "-2+3", "@SUM(A1)", "\t=1", "王芳", "'quoted", ""]
)
def test_restore_undoes_neutralise(value: str) -> None:
    assert restore(neutralise(value)) == value
