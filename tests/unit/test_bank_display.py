"""The question-bank page's verdicts (service/pages_bank.py): shortfalls in words, whether a
paper can be drawn, the bank as a domain × difficulty table."""

from __future__ import annotations

from decimal import Decimal

from certification.exam_schemas import BankCellOut, BankSummaryOut, BlueprintOut, BlueprintRowOut
from service.pages_bank import bank_matrix, blueprint_state, shortfalls


def _row(domain: str, difficulty: int, name: str, count: int, available: int) -> BlueprintRowOut:
    return BlueprintRowOut(
        domain=domain,
        difficulty=difficulty,
        difficulty_name=name,
        question_count=count,
        points=Decimal(10),
        available=available,
    )


def _blueprint(rows: list[BlueprintRowOut], problems: list[str]) -> BlueprintOut:
    return BlueprintOut(
        programme_code="1X-YEZH-1",
        rows=rows,
        total_points=Decimal(100),
        question_count=sum(r.question_count for r in rows),
        problems=problems,
    )


def test_a_shortfall_is_said_per_cell_with_the_missing_count() -> None:
    bp = _blueprint(
        [_row("婴幼儿保育", 3, "难", 5, 2), _row("安全防护", 1, "易", 4, 4), _row("喂养", 2, "中", 1, 0)],
        [
            "题库中「婴幼儿保育·难」只有 2 道可用试题，蓝图要求 5 道",
            "题库中「喂养·中」只有 0 道可用试题，蓝图要求 1 道",
        ],
    )
    assert shortfalls(bp) == ["「婴幼儿保育·难」缺 3 题", "「喂养·中」缺 1 题"]
    assert blueprint_state(bp) == ("bad", "题量不足", ["「婴幼儿保育·难」缺 3 题", "「喂养·中」缺 1 题"])


def test_a_filled_blueprint_can_be_drawn_and_a_missing_one_says_so() -> None:
    assert blueprint_state(_blueprint([_row("喂养", 1, "易", 10, 12)], [])) == ("valid", "可组卷", [])
    state = blueprint_state(_blueprint([], ["本证书项目尚未设置组卷蓝图"]))
    assert state == ("warn", "未设置蓝图", ["本证书项目尚未设置组卷蓝图"])


def test_other_problems_than_shortfalls_are_kept() -> None:
    bp = _blueprint([_row("喂养", 1, "易", 9, 12)], ["蓝图总分为 90 分，须恰好为 100 分"])
    assert shortfalls(bp) == []
    assert blueprint_state(bp) == ("bad", "蓝图有误", ["蓝图总分为 90 分，须恰好为 100 分"])


def test_the_bank_matrix_lists_domains_and_active_and_retired_per_cell() -> None:
    summary = BankSummaryOut(
        programme_code="1X-YEZH-1",
        active=7,
        retired=1,
        cells=[
            BankCellOut(domain="生活照料", difficulty=1, difficulty_name="易", active=5, retired=0),
            BankCellOut(domain="安全防护", difficulty=3, difficulty_name="难", active=2, retired=1),
        ],
    )
    assert bank_matrix(summary) == (
        ["安全防护", "生活照料"],
        {("生活照料", 1): (5, 0), ("安全防护", 3): (2, 1)},
    )
    assert bank_matrix(None) == ([], {})
