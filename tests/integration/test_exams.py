"""Question bank, blueprint, timed online theory attempts and practical double marking on real
PostgreSQL, with exact values."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import pytest

from certification import (
    Conflict,
    NotFound,
    ValidationFailed,
    close_attempt,
    export_questions,
    get_attempt,
    get_blueprint,
    import_questions,
    list_questions,
    practical_overview,
    record_marking,
    record_results,
    save_answers,
    set_blueprint,
    set_extra_time,
    sitting_attempts,
    start_attempt,
    submit_attempt,
    update_programme,
)
from certification.exam_schemas import AnswerIn, BlueprintRowIn
from certification.question_xlsx import NOT_XLSX
from certification.schemas import ProgrammeUpdate, ResultIn
from certification.tables import AttemptItem, ExamResult, ResultEvent
from tests.factories import BANK_HEADER, STANDARD_BLUEPRINT, register_people, standard_bank, workbook

NOW = dt.datetime(2026, 11, 30, 1, 0, tzinfo=dt.UTC)  # 09:00 in Jinan
TODAY = dt.date(2026, 11, 30)


async def _ready(n: int = 1) -> tuple[int, list[int]]:
    """The standard bank and blueprint for 1X-YEZH-1 and a sitting today with ``n`` candidates."""
    from certification import create_sitting, register_candidate
    from certification.schemas import SittingIn

    await import_questions("1X-YEZH-1", standard_bank(), now=NOW)
    await set_blueprint("1X-YEZH-1", [BlueprintRowIn.model_validate(r) for r in STANDARD_BLUEPRINT])
    pids = await register_people(n)
    sitting = await create_sitting(SittingIn(programme_code="1X-YEZH-1", exam_date=TODAY), today=TODAY)
    for pid in pids:
        await register_candidate(sitting.id, pid)
    return sitting.id, pids


async def _correct(attempt_id: int) -> dict[int, str]:
    """The correct letters per position (read from the server-side paper, as no response has them)."""
    from certification.exam_rules import letters

    rows = await AttemptItem.select(AttemptItem.position, AttemptItem.correct).where(
        AttemptItem.attempt == attempt_id
    )
    import json

    return {
        r["position"]: letters(json.loads(r["correct"]) if isinstance(r["correct"], str) else r["correct"])
        for r in rows
    }


async def test_bank_import_reads_every_format_and_exports_the_same(db: None) -> None:
    data = workbook(
        [
            [1001, "单选", "喂养", "易", "婴儿每日奶量？", "按需", "越多越好", 100, "", "Ａ", "按需喂养"],
            ["Q2", "多选题", "喂养", 2, "辅食添加原则", "由少到多", "由稀到稠", "一次多种", "", "a,b", ""],
            ["Q3", "判断", "安全", "难", "可以让婴儿独自洗澡", "", "", "", "", "错", ""],
            [None, None, None, None, None, None, None, None, None, None, None],  # blank row: skipped
        ]
    )
    report = await import_questions("1X-YEZH-1", data, now=NOW)
    assert (report.created, report.updated) == (3, 0)
    assert report.active_by_cell == {"喂养·中": 1, "喂养·易": 1, "安全·难": 1}
    bank = {q.code: q for q in await list_questions("1X-YEZH-1")}
    assert (bank["1001"].kind, bank["1001"].options, bank["1001"].answer) == (
        "single",
        ["按需", "越多越好", "100"],
        "A",
    )
    assert (bank["Q2"].kind, bank["Q2"].difficulty, bank["Q2"].answer) == ("multiple", 2, "AB")
    assert (bank["Q3"].options, bank["Q3"].answer, bank["Q3"].difficulty) == (["正确", "错误"], "B", 3)
    exported = await export_questions("1X-YEZH-1")
    again = await import_questions("1X-YEZH-1", exported, now=NOW)  # the export imports unchanged
    assert (again.created, again.updated) == (0, 3)
    assert {q.code: q for q in await list_questions("1X-YEZH-1")} == bank


async def test_a_bad_bank_file_saves_nothing_and_says_why_row_by_row(db: None) -> None:
    data = workbook(
        [
            ["Q1", "填空", "喂养", "易", "题干", "甲", "乙", "", "", "A", ""],
            ["Q2", "单选", "喂养", "易", "题干", "甲", "乙", "丙", "丁", "E", ""],
            ["Q3", "多选", "喂养", "易", "题干", "甲", "", "丙", "", "A", ""],
            ["Q4", "单选", "喂养", "易", "题干", "甲", "乙", "", "", "A", ""],
            ["Q4", "单选", "喂养", "易", "题干", "甲", "乙", "", "", "B", ""],
        ]
    )
    with pytest.raises(ValidationFailed) as bad:
        await import_questions("1X-YEZH-1", data, now=NOW)
    assert bad.value.message == "题库文件有 4 行错误，未导入任何试题"
    assert bad.value.detail["rows"] == [
        {"row": 2, "errors": ["题型 '填空' 无效（单选、多选或判断）"]},
        {"row": 3, "errors": ["答案：答案 'E' 含有不存在的选项（本题选项为 A–D）"]},
        {"row": 4, "errors": ["选项不能跳空（选项B为空）", "多选题至少有 2 个正确选项"]},
        {"row": 6, "errors": ["题号 Q4 与第 5 行重复"]},
    ]
    assert await list_questions("1X-YEZH-1") == []
    with pytest.raises(ValidationFailed) as not_xlsx:
        await import_questions("1X-YEZH-1", "题号,题型\n".encode("gbk"), now=NOW)
    assert not_xlsx.value.detail["rows"][0]["errors"] == [NOT_XLSX]  # never a Python class name
    with pytest.raises(ValidationFailed) as empty:
        await import_questions("1X-YEZH-1", b"", now=NOW)
    assert empty.value.detail["rows"][0]["errors"] == ["上传的文件是空的"]
    zero_width = workbook([["Q9", "单选", "喂养", "易", "\u200b", "甲", "乙", "", "", "A", ""]])
    with pytest.raises(ValidationFailed) as invisible:
        await import_questions("1X-YEZH-1", zero_width, now=NOW)
    reasons = invisible.value.detail["rows"][0]["errors"]
    assert len(reasons) == 1 and reasons[0].startswith("题干") and "不能为空" not in reasons[0], reasons
    with pytest.raises(ValidationFailed) as header:
        await import_questions("1X-YEZH-1", workbook([["Q1"]], header=["题号", "题干"]), now=NOW)
    assert header.value.detail["rows"] == [
        {
            "row": 1,
            "errors": [
                "表头缺少列：题型、知识领域、难度、答案（应为 题号 | 题型 | 知识领域 | 难度 | 题干 | "
                "选项A | 选项B | 选项C | 选项D | 选项E | 选项F | 选项G | 选项H | 答案 | 解析 | 状态）"
            ],
        }
    ]


def _with_cached_value(data: bytes, formula: str, cached: str) -> bytes:
    """``data`` (written by openpyxl, whose formula cells have no cached value) with ``cached``
    saved as the text result of the cell holding ``formula`` — as Excel saves a workbook."""
    import io
    import zipfile
    from xml.sax.saxutils import escape

    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            body = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = body.decode()
                old = f"><f>{escape(formula)}</f><v /></c>"
                assert old in text, text[-400:]
                body = text.replace(
                    old, f' t="str"><f>{escape(formula)}</f><v>{escape(cached)}</v></c>'
                ).encode()
            dst.writestr(item, body)
    return out.getvalue()


async def test_a_formula_in_the_bank_is_read_by_its_saved_result_or_refused_without_one(db: None) -> None:
    formula = '=CONCATENATE("婴儿每日","奶量？")'
    rows = [
        ["Q1", "单选", "喂养", "易", formula, "按需", "越多越好", "", "", "A", ""],
        ["Q2", "单选", "喂养", "易", "辅食添加原则", "由少到多", "=1+1", "", "", "A", ""],
        [None, None, None, None, "=A1", None, None, None, None, None, None],  # only a formula: still a row
    ]
    with pytest.raises(ValidationFailed) as bad:
        await import_questions("1X-YEZH-1", workbook(rows), now=NOW)  # openpyxl saves no results
    assert bad.value.detail["rows"][:2] == [
        {
            "row": 2,
            "errors": [
                "题干是公式，没有保存计算结果，请在 Excel 中复制该单元格后“选择性粘贴 → 数值”，再导入"
            ],
        },
        {
            "row": 3,
            "errors": [
                "选项B是公式，没有保存计算结果，请在 Excel 中复制该单元格后“选择性粘贴 → 数值”，再导入"
            ],
        },
    ]
    assert bad.value.detail["rows"][2]["row"] == 4
    assert any(e.startswith("题干是公式") for e in bad.value.detail["rows"][2]["errors"])
    assert await list_questions("1X-YEZH-1") == []
    saved = _with_cached_value(workbook(rows[:1]), formula[1:], "婴儿每日奶量？")  # saved by Excel
    report = await import_questions("1X-YEZH-1", saved, now=NOW)
    assert report.created == 1
    assert [q.stem for q in await list_questions("1X-YEZH-1")] == ["婴儿每日奶量？"]


async def test_a_blueprint_asking_for_more_questions_than_the_bank_holds_is_refused(db: None) -> None:
    await import_questions("1X-YEZH-1", standard_bank(), now=NOW)
    rows = [BlueprintRowIn.model_validate(r) for r in STANDARD_BLUEPRINT]
    rows[1] = BlueprintRowIn(domain="生活照料", difficulty=2, question_count=4, points=Decimal("7.5"))
    with pytest.raises(ValidationFailed) as refused:
        await set_blueprint("1X-YEZH-1", rows)
    assert refused.value.message == "组卷蓝图无效：题库中「生活照料·中」只有 3 道可用试题，蓝图要求 4 道"
    assert (await get_blueprint("1X-YEZH-1")).problems == ["本证书项目尚未设置组卷蓝图"]
    blueprint = await set_blueprint(
        "1X-YEZH-1", [BlueprintRowIn.model_validate(r) for r in STANDARD_BLUEPRINT]
    )
    assert (blueprint.total_points, blueprint.question_count, blueprint.problems) == (
        Decimal("100.0"),
        11,
        [],
    )
    assert [r.available for r in blueprint.rows] == [8, 3, 5]


async def test_a_paper_has_no_answers_is_shuffled_and_marked_exactly(db: None) -> None:
    sitting_id, (alice, bob) = await _ready(2)
    a, started = await start_attempt(sitting_id, alice, now=NOW, today=TODAY, rng=random.Random(1))
    b, _ = await start_attempt(sitting_id, bob, now=NOW, today=TODAY, rng=random.Random(2))
    assert started and (a.question_count, a.number, a.status, a.attempts_allowed) == (11, 1, "open", 2)
    assert a.deadline == NOW + dt.timedelta(minutes=90) and a.seconds_left == 5400
    dumped = a.model_dump_json()
    for secret in ('"correct"', '"answer"', '"explanation"', "解析", '"question_id"', '"is_correct"'):
        assert secret not in dumped
    assert [q.stem for q in a.questions] != [q.stem for q in b.questions]  # shuffled per candidate
    single = next(q for q in a.questions if q.kind == "single")
    assert len(single.options) == 4 and {"错一", "错二", "错三"} < {o.text for o in single.options}
    resumed, again = await start_attempt(sitting_id, alice, now=NOW + dt.timedelta(minutes=5), today=TODAY)
    assert (resumed.id, again) == (a.id, False)

    right = await _correct(a.id)
    points = {q.position: q.points for q in a.questions}
    wrong_positions = [
        next(q.position for q in a.questions if q.kind == "multiple"),
        next(q.position for q in a.questions if q.kind == "true_false"),
    ]
    answers = [
        AnswerIn(
            position=p,
            choice=right[p]
            if p not in wrong_positions
            else ("A" if len(right[p]) > 1 else ("B" if right[p] == "A" else "A")),
        )
        for p in right
    ]
    saved = await save_answers(a.id, answers, now=NOW + dt.timedelta(minutes=30))
    assert saved.answered == 11 and saved.score is None  # no score while open
    done = await submit_attempt(a.id, now=NOW + dt.timedelta(minutes=31))
    expected = Decimal(100) - sum(points[p] for p in wrong_positions)
    assert (done.status, done.score, done.passed) == ("submitted", expected.quantize(Decimal("0.1")), True)
    assert expected == Decimal("80.0")
    assert "correct" not in done.model_dump_json()
    result = (
        await ExamResult.select(ExamResult.theory, ExamResult.passed)
        .where(ExamResult.practitioner == alice)
        .first()
    )
    assert result == {"theory": Decimal("80.0"), "passed": None}  # practical not marked yet
    with pytest.raises(Conflict, match="本次考试已结束，不能再作答"):
        await save_answers(a.id, answers[:1], now=NOW + dt.timedelta(minutes=32))


async def test_late_answers_are_refused_and_the_attempt_closes_at_the_deadline_with_what_was_saved(
    db: None,
) -> None:
    sitting_id, (alice,) = await _ready(1)
    await set_extra_time(sitting_id, alice, 30)
    attempt, _ = await start_attempt(sitting_id, alice, now=NOW, today=TODAY, rng=random.Random(3))
    assert attempt.deadline == NOW + dt.timedelta(minutes=120)  # 90 + 30 extra
    right = await _correct(attempt.id)
    first_two = sorted(right)[:2]
    await save_answers(attempt.id, [AnswerIn(position=p, choice=right[p]) for p in first_two], now=NOW)
    grace_end = attempt.deadline + dt.timedelta(seconds=60)
    third = sorted(right)[2]
    on_time = await save_answers(attempt.id, [AnswerIn(position=third, choice=right[third])], now=grace_end)
    assert on_time.answered == 3  # within the grace
    with pytest.raises(ValidationFailed) as bad:
        await save_answers(attempt.id, [AnswerIn(position=99, choice="A")], now=grace_end)
    assert bad.value.detail["rows"] == [{"row": 0, "position": 99, "errors": ["试卷中没有第 99 题"]}]
    expected = sum(q.points for q in attempt.questions if q.position in (*first_two, third))
    fourth = sorted(right)[3]
    with pytest.raises(Conflict) as late:
        await save_answers(
            attempt.id,
            [AnswerIn(position=fourth, choice=right[fourth])],
            now=grace_end + dt.timedelta(seconds=1),
        )
    assert late.value.message == (
        f"考试时间已到，本次提交未被接受；试卷已按截止时间收卷，以截止前保存的答案计分（得分 {expected:.1f}）"
    )
    closed = await get_attempt(attempt.id, now=grace_end + dt.timedelta(minutes=5))
    assert (closed.status, closed.closed_at, closed.score, closed.answered) == (
        "expired",
        attempt.deadline,
        expected.quantize(Decimal("0.1")),
        3,
    )
    with pytest.raises(Conflict, match="本次考试已结束"):
        await submit_attempt(attempt.id, now=grace_end + dt.timedelta(minutes=6))


async def test_an_abandoned_attempt_is_closed_by_the_job_at_its_deadline(db: None) -> None:
    sitting_id, (alice,) = await _ready(1)
    attempt, _ = await start_attempt(sitting_id, alice, now=NOW, today=TODAY, rng=random.Random(4))
    assert await close_attempt(attempt.id, now=attempt.deadline) == 0  # not due yet
    assert await close_attempt(attempt.id, now=attempt.deadline + dt.timedelta(minutes=2)) == 1
    assert await close_attempt(attempt.id, now=attempt.deadline + dt.timedelta(minutes=3)) == 0  # idempotent
    [summary] = await sitting_attempts(sitting_id)
    assert (summary.status, summary.closed_at, summary.score, summary.answered) == (
        "expired",
        attempt.deadline,
        Decimal("0.0"),
        0,
    )


async def test_two_attempts_allowed_then_the_third_is_refused(db: None) -> None:
    sitting_id, (alice, bob) = await _ready(2)
    first, _ = await start_attempt(sitting_id, alice, now=NOW, today=TODAY, rng=random.Random(5))
    await save_answers(first.id, [AnswerIn(position=1, choice="A")], now=NOW)
    await submit_attempt(first.id, now=NOW + dt.timedelta(minutes=10))
    second, started = await start_attempt(
        sitting_id, alice, now=NOW + dt.timedelta(hours=2), today=TODAY, rng=random.Random(6)
    )
    assert started and (second.number, second.answered, second.attempts_used) == (2, 0, 2)  # new and empty
    assert [q.stem for q in second.questions] != [q.stem for q in first.questions]
    await submit_attempt(second.id, now=NOW + dt.timedelta(hours=2, minutes=5))
    with pytest.raises(Conflict) as third:
        await start_attempt(sitting_id, alice, now=NOW + dt.timedelta(hours=4), today=TODAY)
    assert third.value.message == "考试次数已用完（共 2 次）"
    history = [(s.practitioner_id, s.number, s.status) for s in await sitting_attempts(sitting_id)]
    assert history == [(alice, 1, "submitted"), (alice, 2, "submitted")]
    # a candidate who passed does not retake; a typed-in theory score rules the online exam out
    passed, _ = await start_attempt(sitting_id, bob, now=NOW, today=TODAY, rng=random.Random(7))
    right = await _correct(passed.id)
    await save_answers(passed.id, [AnswerIn(position=p, choice=c) for p, c in right.items()], now=NOW)
    assert (await submit_attempt(passed.id, now=NOW)).score == Decimal("100.0")
    with pytest.raises(Conflict, match=r"理论考试已合格（100.0 分），无需重考"):
        await start_attempt(sitting_id, bob, now=NOW + dt.timedelta(hours=1), today=TODAY)
    with pytest.raises(ValidationFailed) as typed:
        await record_results(
            sitting_id,
            [ResultIn(practitioner_id=bob, theory=Decimal(90), practical=Decimal(90))],
            entered_by="base1",
            now=NOW,
            today=TODAY,
        )
    assert typed.value.detail["rows"][0]["errors"] == [f"从业人员 {bob} 的理论成绩来自在线考试，不能手工录入"]
    with pytest.raises(NotFound, match="您未报名本场考试"):
        await start_attempt(sitting_id, 999999, now=NOW, today=TODAY)
    with pytest.raises(ValidationFailed, match="考试尚未开始"):
        await start_attempt(sitting_id, bob, now=NOW, today=TODAY - dt.timedelta(days=1))


async def test_practical_double_marking_and_the_pass_decision(db: None) -> None:
    await update_programme(
        "1X-YEZH-1",
        ProgrammeUpdate.model_validate(
            {
                "practical_tolerance": "5",
                "practical_items": [
                    {"code": "care", "title": "生活照料", "max": "60"},
                    {"code": "safety", "title": "安全防护", "max": "40"},
                ],
            }
        ),
    )
    sitting_id, (alice, bob, carol) = await _ready(3)

    async def mark(pid: int, examiner: int, care: str, safety: str):  # type: ignore[no-untyped-def]
        return await record_marking(
            sitting_id,
            pid,
            examiner_id=examiner,
            items={"care": care, "safety": safety},
            now=NOW,
            today=TODAY,
        )

    first = await mark(alice, 101, "50", "30")
    assert (first.status, first.score) == ("awaiting_second", None)
    blind = await practical_overview(sitting_id, examiner_id=102)
    assert blind[0].markings == []  # the second examiner does not see the first marking
    second = await mark(alice, 102, "48", "27.5")  # 75.5: within 5 of 80
    assert (second.status, second.score, second.rule) == (
        "final",
        Decimal("77.8"),
        "两评分差不超过 5 分，取两评平均分",
    )
    with pytest.raises(Conflict, match="两评分差在允许误差内，无需第三评"):
        await mark(alice, 103, "50", "30")

    await mark(bob, 101, "50", "30")  # 80
    flagged = await mark(bob, 102, "45", "25")  # 70: 10 apart
    assert (flagged.status, flagged.rule) == (
        "needs_third",
        "两评分差 10 分，超过允许误差 5 分，须第三位考评员评分",
    )
    third = await mark(bob, 103, "46", "30")  # 76: nearer 80
    assert (third.status, third.score) == ("final", Decimal("78.0"))
    assert [m.total for m in third.markings] == [Decimal("80.0"), Decimal("70.0"), Decimal("76.0")]
    with pytest.raises(Conflict, match="该考生实操评分已完成，无需再评"):
        await mark(bob, 104, "50", "30")

    await mark(carol, 101, "50", "30")
    await mark(carol, 102, "50", "28")
    with pytest.raises(Conflict, match="两评分差在允许误差内，无需第三评"):
        await mark(carol, 103, "10", "10")
    corrected = await mark(carol, 102, "40", "20")  # the second examiner corrects: now 20 apart
    assert corrected.status == "needs_third"
    with pytest.raises(ValidationFailed) as bad:
        await mark(carol, 103, "61", "x")
    assert (
        bad.value.message == "评分有 2 处错误，未保存：考核项目「care」：分数 61 超过该项满分 60；"
        "考核项目「safety」：分数 'x' 不是数字"
    )

    # the pass decision once both components are known, with the audit event
    attempt, _ = await start_attempt(sitting_id, alice, now=NOW, today=TODAY, rng=random.Random(8))
    right = await _correct(attempt.id)
    await save_answers(attempt.id, [AnswerIn(position=p, choice=c) for p, c in right.items()], now=NOW)
    await submit_attempt(attempt.id, now=NOW)
    row = (
        await ExamResult.select(ExamResult.theory, ExamResult.practical, ExamResult.passed)
        .where(ExamResult.practitioner == alice)
        .first()
    )
    assert row == {"theory": Decimal("100.0"), "practical": Decimal("77.8"), "passed": True}
    events = await ResultEvent.select(
        ResultEvent.action, ResultEvent.new_theory, ResultEvent.new_practical
    ).where(ResultEvent.practitioner == alice)
    assert events == [{"action": "entry", "new_theory": Decimal("100.0"), "new_practical": Decimal("77.8")}]


async def test_bank_summaries_count_each_programme_by_domain_difficulty_and_status(db: None) -> None:
    from certification import bank_summaries

    await import_questions("1X-YEZH-1", standard_bank(), now=NOW)
    retire = workbook(
        [["AQ001", "判断", "安全防护", "易", "判断题1", "", "", "", "", "对", "", "停用"]],
        header=[*BANK_HEADER, "状态"],
    )
    await import_questions("1X-YEZH-1", retire, now=NOW)
    other = workbook([["Z1", "判断", "安全防护", "难", "另一个项目的题", "", "", "", "", "错", ""]])
    await import_questions("1X-YEZH-2", other, now=NOW)
    summaries = await bank_summaries()
    assert set(summaries) == {"1X-YEZH-1", "1X-YEZH-2"}  # programmes without questions are absent
    first = summaries["1X-YEZH-1"]
    assert (first.active, first.retired) == (15, 1)
    assert [(c.domain, c.difficulty_name, c.active, c.retired) for c in first.cells] == [
        ("安全防护", "易", 4, 1),
        ("生活照料", "易", 8, 0),
        ("生活照料", "中", 3, 0),
    ]
    second = summaries["1X-YEZH-2"]
    assert (second.active, second.retired, len(second.cells)) == (1, 0, 1)


async def test_all_blueprints_at_once_equal_each_programmes_own(db: None) -> None:
    from certification import blueprints, get_blueprint

    await import_questions("1X-YEZH-1", standard_bank(), now=NOW)
    await set_blueprint("1X-YEZH-1", [BlueprintRowIn.model_validate(r) for r in STANDARD_BLUEPRINT])
    retire = workbook(
        [["AQ001", "判断", "安全防护", "易", "判断题1", "", "", "", "", "对", "", "停用"]],
        header=[*BANK_HEADER, "状态"],
    )
    await import_questions("1X-YEZH-1", retire, now=NOW)  # the blueprint may fall short now
    every = await blueprints()
    assert every["1X-YEZH-1"].rows and every["1X-YEZH-2"].problems == ["本证书项目尚未设置组卷蓝图"]
    for code, blueprint in every.items():
        assert blueprint == await get_blueprint(code), code


async def test_a_question_page_filters_by_domain_difficulty_and_status_with_the_total(db: None) -> None:
    from certification import question_page

    await import_questions("1X-YEZH-1", standard_bank(), now=NOW)
    retire = workbook(
        [["SH002", "单选", "生活照料", "易", "单选题2", "对2", "错一", "", "", "A", "", "停用"]],
        header=[*BANK_HEADER, "状态"],
    )
    await import_questions("1X-YEZH-1", retire, now=NOW)
    page = await question_page("1X-YEZH-1", limit=5, offset=5)
    assert (page.total, page.limit, page.offset) == (16, 5, 5)
    assert [q.code for q in page.items] == sorted(q.code for q in await list_questions("1X-YEZH-1"))[5:10]
    easy_care = await question_page("1X-YEZH-1", domain="生活照料", difficulty=1, limit=20)
    assert easy_care.total == 8 and {q.code[:2] for q in easy_care.items} == {"SH"}
    assert easy_care.items[0].answer == "A"  # staff see the answer
    active = await question_page("1X-YEZH-1", domain="生活照料", difficulty=1, active=True)
    assert active.total == 7 and "SH002" not in {q.code for q in active.items}
    retired = await question_page("1X-YEZH-1", active=False)
    assert [q.code for q in retired.items] == ["SH002"]
    assert (await question_page("1X-YEZH-1", difficulty=3)).total == 0
    with pytest.raises(NotFound):
        await question_page("NO-SUCH")
