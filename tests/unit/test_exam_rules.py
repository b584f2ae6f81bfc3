"""Pure exam rules: answers typed every way, exact marking, blueprints, the paper draw and the
double-marking rule for the practical score."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import pytest

from certification.exam_rules import (
    BlueprintCell,
    accepts,
    attempt_score,
    blueprint_problems,
    deadline,
    draw_paper,
    final_practical,
    is_correct,
    item_problems,
    parse_choice,
)

D = Decimal


def test_answers_are_read_however_they_are_typed() -> None:
    assert parse_choice("A", kind="single", option_count=4) == [0]
    assert parse_choice("ｃａ", kind="multiple", option_count=4) == [
        0,
        2,
    ]  # full-width, lower case, any order
    assert parse_choice(["D", "b"], kind="multiple", option_count=4) == [1, 3]
    assert parse_choice("a、c", kind="multiple", option_count=4) == [0, 2]
    assert [parse_choice(x, kind="true_false", option_count=2) for x in ("对", "错", "√", "×", "B")] == [
        [0],
        [1],
        [0],
        [1],
        [1],
    ]
    assert parse_choice("", kind="single", option_count=4) == []
    with pytest.raises(ValueError, match="含有不存在的选项（本题选项为 A–D）"):
        parse_choice("E", kind="single", option_count=4)
    with pytest.raises(ValueError, match="单选题只能选择一个选项"):
        parse_choice("AB", kind="single", option_count=4)
    with pytest.raises(ValueError, match="答案必须是选项字母"):
        parse_choice(1, kind="single", option_count=4)


def test_marking_is_all_or_nothing_and_exact() -> None:
    assert is_correct([0, 2], [2, 0]) and not is_correct([0, 2], [0]) and not is_correct([0, 2], [0, 1, 2])
    assert not is_correct([1], None)
    items = [(D("0.1"), True)] * 3 + [(D("33.3"), True), (D("66.6"), False)]
    assert attempt_score(items) == D("33.6")  # 0.1 × 3 + 33.3, no binary float drift


def test_deadline_and_grace() -> None:
    start = dt.datetime(2026, 11, 30, 1, 0, tzinfo=dt.UTC)
    ends = deadline(start, 90, 15)
    assert ends == dt.datetime(2026, 11, 30, 2, 45, tzinfo=dt.UTC)
    assert accepts(ends + dt.timedelta(seconds=60), ends, 60)
    assert not accepts(ends + dt.timedelta(seconds=61), ends, 60)
    with pytest.raises(ValueError):
        deadline(dt.datetime(2026, 11, 30, 1, 0), 90, 0)


def test_blueprint_problems_in_chinese() -> None:
    bank = {("喂养", 1): 10, ("安全", 2): 3}
    good = [BlueprintCell("喂养", 1, 10, D(5)), BlueprintCell("安全", 2, 2, D(25))]
    assert blueprint_problems(good, bank) == []
    assert blueprint_problems([BlueprintCell("安全", 2, 5, D(20))], bank) == [
        "题库中「安全·中」只有 3 道可用试题，蓝图要求 5 道"
    ]
    assert blueprint_problems([BlueprintCell("喂养", 1, 9, D(10))], bank) == [
        "蓝图总分为 90 分，须恰好为 100 分"
    ]
    assert blueprint_problems(
        [
            BlueprintCell("喂养", 1, 1, D("0.05")),
            BlueprintCell("喂养", 1, 1, D(10)),
            BlueprintCell("x", 4, 0, D(1)),
        ],
        bank,
    ) == [
        "第 1 行（喂养·易）每题分值无效：分数 0.05 最多保留一位小数",
        "第 2 行（喂养·易）与前面的行重复",
        "第 3 行（x·4）难度须为 1（易）、2（中）或 3（难）",
        "第 3 行（x·4）题量须至少为 1",
    ]
    assert blueprint_problems([], bank) == ["组卷蓝图至少需要一行"]


def test_the_draw_follows_the_blueprint_and_shuffles() -> None:
    bank = {
        ("喂养", 1): [(i, "single", 4) for i in range(1, 11)],
        ("安全", 2): [(i, "true_false", 2) for i in range(11, 14)],
    }
    rows = [BlueprintCell("喂养", 1, 4, D(20)), BlueprintCell("安全", 2, 2, D(10))]
    first = draw_paper(rows, bank, random.Random(1))
    second = draw_paper(rows, bank, random.Random(2))
    for paper in (first, second):
        ids = [i.question_id for i in paper]
        assert len(ids) == len(set(ids)) == 6
        assert sum(1 for i in ids if i <= 10) == 4 and sum(1 for i in ids if i > 10) == 2
        assert sum(i.points for i in paper) == D(100)
        assert all(sorted(i.order) == list(range(len(i.order))) for i in paper)
        assert all(i.order == (0, 1) for i in paper if i.question_id > 10)  # 判断 keeps 正确, 错误
    assert [i.question_id for i in first] != [i.question_id for i in second]
    assert any(i.order != (0, 1, 2, 3) for i in first if i.question_id <= 10)
    with pytest.raises(ValueError, match="题库中「安全·中」只有 3 道可用试题，蓝图要求 4 道"):
        draw_paper([BlueprintCell("安全", 2, 4, D(25))], bank, random.Random(1))


def test_item_scores_are_checked_against_each_maximum() -> None:
    maxima = {"A": D(60), "B": D(40)}
    assert item_problems({"A": "59.5", "B": 40}, maxima) == []
    assert item_problems({"A": "61", "B": "八十", "C": 1}, maxima) == [
        "考核项目「A」：分数 61 超过该项满分 60",
        "考核项目「B」：分数 '八十' 不是数字",
        "考核项目「C」不存在",
    ]
    assert item_problems({"A": 59.5}, maxima) == [
        "缺少考核项目「B」的分数",
        "考核项目「A」：分数必须是精确数值（整数或一位小数），不能是布尔值或浮点数",
    ]


@pytest.mark.parametrize(
    ("totals", "status", "score"),
    [
        ([], "awaiting_first", None),
        ([D(80)], "awaiting_second", None),
        ([D(80), D(75)], "final", D("77.5")),  # within the tolerance (5): the mean
        ([D("72.2"), D("72.3")], "final", D("72.3")),  # 72.25 rounded half up
        ([D(80), D("74.9")], "needs_third", None),
        ([D(80), D(70), D(76)], "final", D("78.0")),  # third nearer the first: mean of the two
        ([D(80), D(70), D(73)], "final", D("71.5")),  # nearer the second
        ([D(80), D(70), D(75)], "final", D("77.5")),  # equally near: with the higher of the two
        ([D(80), D(70), D(90)], "final", D(90)),  # beyond both: the third arbitrates
    ],
)
def test_the_double_marking_rule(totals: list[Decimal], status: str, score: Decimal | None) -> None:
    state = final_practical(totals, D(5))
    assert (state.status, state.score) == (status, score)
