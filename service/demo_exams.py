"""Demo data for the exam pages (``tuoyu serve --demo``): an online theory exam trainee1 can take
and practical marking for the demo examiner.

- Programme ``4-10-01-03-L5`` (保育师 五级/初级工): 30-minute attempts, 2 attempts, practical
  items 生活照料操作 40 · 安全防护操作 30 · 沟通与记录 30, tolerance 10 points (the programme
  settings of issue 10, set together with the bank and blueprint while it has no blueprint).
- Its question bank (14 questions in three domains) and a blueprint of 10 questions, 100 points.
- A sitting today at the first demo base, ``DEMO_SITTING_TITLE``, with trainee1 and the next
  three people of the demo cohort as candidates, and the examiner login ``examiner1`` assigned.

Idempotent, also after an interrupted start: the programme is set up while it has no blueprint
(questions are imported by 题号, so a repeated import updates them to the same text); the
sitting is found by its title; registering and assigning again change nothing.
"""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

import certification
from certification.errors import Conflict, NotEligible
from certification.exam_schemas import BlueprintRowIn, PracticalItem
from certification.question_xlsx import questions_xlsx
from certification.schemas import ProgrammeUpdate, SittingIn
from certification.tables import ExamSitting
from service import usecases
from service.accounts import AccountIn, create_account
from service.accounts.tables import UserAccount
from service.runtime import Runtime
from talent_pool.tables import Employment

DEMO_PASSWORD = "tuoyu-demo-2025"
EXAM_PROGRAMME = "4-10-01-03-L5"
DEMO_SITTING_TITLE = "保育师（五级）理论在线考试与实操考核（演示）"
EXAMINER = "examiner1"
DEMO_CANDIDATES = 4
PRACTICAL_ITEMS = [
    PracticalItem(code="care", title="生活照料操作", max=Decimal(40)),
    PracticalItem(code="safety", title="安全防护操作", max=Decimal(30)),
    PracticalItem(code="record", title="沟通与记录", max=Decimal(30)),
]

# (题号, kind, domain, difficulty, stem, options, correct option indexes)
_Q = tuple[str, str, str, int, str, list[str], list[int]]
QUESTIONS: list[_Q] = [
    (
        "BY-SH-01",
        "single",
        "生活照料",
        1,
        "6 个月以内婴儿最理想的食物是？",
        ["母乳", "米糊", "果汁", "配方奶加蜂蜜"],
        [0],
    ),
    (
        "BY-SH-02",
        "single",
        "生活照料",
        1,
        "为婴儿冲调配方奶，水温一般宜为？",
        ["约 40–50 ℃", "沸水", "冰水", "室温自来水"],
        [0],
    ),
    (
        "BY-SH-03",
        "single",
        "生活照料",
        1,
        "婴儿溢奶后应采取的体位是？",
        ["侧卧或竖抱拍嗝", "仰卧平躺", "俯卧", "头低脚高"],
        [0],
    ),
    ("BY-SH-04", "true_false", "生活照料", 1, "给婴儿洗澡时应先放热水再放冷水。", [], [1]),
    ("BY-SH-05", "true_false", "生活照料", 1, "婴幼儿的餐具应专人专用并定期消毒。", [], [0]),
    (
        "BY-AQ-01",
        "single",
        "安全防护",
        1,
        "婴儿睡眠最安全的姿势是？",
        ["仰卧", "俯卧", "侧卧并垫高枕头", "与成人同床俯卧"],
        [0],
    ),
    (
        "BY-AQ-02",
        "multiple",
        "安全防护",
        1,
        "以下哪些物品不宜放在 3 岁以下幼儿可触及处？",
        ["纽扣电池", "硬币", "布质绘本", "小颗坚果"],
        [0, 1, 3],
    ),
    ("BY-AQ-03", "true_false", "安全防护", 1, "婴幼儿发生气道异物梗阻时，应立即用手指盲目掏取。", [], [1]),
    (
        "BY-AQ-04",
        "single",
        "安全防护",
        1,
        "托育机构电源插座应？",
        ["安装安全保护盖", "保持裸露便于使用", "放在地面", "使用多层插线板串联"],
        [0],
    ),
    (
        "BY-BJ-01",
        "multiple",
        "日常保健",
        2,
        "婴幼儿发热时，照护者可以？",
        ["适当减少衣物", "及时补充水分", "用酒精擦浴", "密切观察并记录体温"],
        [0, 1, 3],
    ),
    (
        "BY-BJ-02",
        "single",
        "日常保健",
        2,
        "腋下体温多少以上通常视为发热？",
        ["37.3 ℃", "36.0 ℃", "35.5 ℃", "36.5 ℃"],
        [0],
    ),
    (
        "BY-BJ-03",
        "multiple",
        "日常保健",
        2,
        "晨午检时应重点观察？",
        ["精神状态", "皮肤有无皮疹", "口腔有无疱疹", "衣服品牌"],
        [0, 1, 2],
    ),
    ("BY-BJ-04", "true_false", "日常保健", 2, "预防接种后当天可以正常洗澡并揉搓注射部位。", [], [1]),
    (
        "BY-BJ-05",
        "single",
        "日常保健",
        2,
        "婴幼儿户外活动时间每天一般不少于？",
        ["2 小时", "10 分钟", "半小时", "不需要户外活动"],
        [0],
    ),
]
BLUEPRINT = [  # 4 × 10 + 3 × 10 + 3 × 10 = 100 points, 10 questions
    BlueprintRowIn(domain="生活照料", difficulty=1, question_count=4, points=Decimal(10)),
    BlueprintRowIn(domain="安全防护", difficulty=1, question_count=3, points=Decimal(10)),
    BlueprintRowIn(domain="日常保健", difficulty=2, question_count=3, points=Decimal(10)),
]


def _bank_xlsx() -> bytes:
    return questions_xlsx(
        [
            {
                "code": code,
                "kind": kind,
                "domain": domain,
                "difficulty": difficulty,
                "stem": stem,
                "options": options,
                "answer": answer,
                "explanation": "",
                "active": True,
            }
            for code, kind, domain, difficulty, stem, options, answer in QUESTIONS
        ]
    )


async def _configure_programme(rt: Runtime) -> None:
    """Online-exam and practical settings, the bank and the blueprint — once: a programme with a
    blueprint is left as it is (the blueprint is the last step, so an interrupted start redoes
    the earlier ones, which are idempotent)."""
    if (await certification.get_blueprint(EXAM_PROGRAMME)).rows:
        return
    await certification.update_programme(
        EXAM_PROGRAMME,
        ProgrammeUpdate(
            theory_minutes=30,
            max_attempts=2,
            practical_tolerance=Decimal(10),
            practical_items=PRACTICAL_ITEMS,
        ),
    )
    data = await asyncio.to_thread(_bank_xlsx)
    await certification.import_questions(EXAM_PROGRAMME, data, now=rt.now())
    await certification.set_blueprint(EXAM_PROGRAMME, BLUEPRINT)


async def _examiner_id() -> int:
    if not await UserAccount.exists().where(UserAccount.username == EXAMINER):
        await create_account(
            AccountIn(username=EXAMINER, password=DEMO_PASSWORD, role="examiner", display_name="考评员")
        )
    row = await UserAccount.select(UserAccount.id).where(UserAccount.username == EXAMINER).first()
    assert row is not None
    return int(row["id"])


async def _candidates() -> list[int]:
    """trainee1's practitioner and the next three employed people (the demo's cohort order)."""
    trainee = await (
        UserAccount.select(UserAccount.practitioner_id).where(UserAccount.username == "trainee1").first()
    )
    first = [int(trainee["practitioner_id"])] if trainee and trainee["practitioner_id"] else []
    rows: list[dict[str, Any]] = await (
        Employment.select(Employment.practitioner)
        .where(Employment.end_date.is_null())
        .order_by(Employment.id)
        .limit(40)
    )
    others = [int(r["practitioner"]) for r in rows if int(r["practitioner"]) not in first]
    return first + list(dict.fromkeys(others))


async def ensure_exam_demo(rt: Runtime, base_id: int) -> None:
    """The exam pages' demo data (module docstring). Idempotent, also after an interrupted
    start: the sitting is found by its title, registration and assignment are idempotent."""
    await _configure_programme(rt)
    examiner_id = await _examiner_id()
    found = await ExamSitting.select(ExamSitting.id).where(ExamSitting.title == DEMO_SITTING_TITLE).first()
    if found is None:
        today = rt.today()
        sitting_id = (
            await certification.create_sitting(
                SittingIn(
                    programme_code=EXAM_PROGRAMME,
                    training_base_id=base_id,
                    exam_date=today,
                    title=DEMO_SITTING_TITLE,
                ),
                today=today,
            )
        ).id
    else:
        sitting_id = int(found["id"])
    registered = len(await certification.list_candidates(sitting_id))
    if registered < DEMO_CANDIDATES:
        registered = 0
        for pid in await _candidates():
            try:
                await certification.register_candidate(sitting_id, pid)  # again: the same row
            except (NotEligible, Conflict):
                continue  # holds the certificate already, say: take the next person
            registered += 1
            if registered == DEMO_CANDIDATES:
                break
    await usecases.assign_examiner(rt, sitting_id, examiner_id, by="admin")
