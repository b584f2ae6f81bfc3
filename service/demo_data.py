"""A synthetic Jinan childcare workforce for the demo (deterministic, seeded random).

About 400 employers across the 12 districts (the plan counted 403 institutions in 2021) and
about 5,000 practitioners with valid resident ID numbers carrying Jinan address codes — current
district codes and, for older people, retired ones — a realistic share already holding
credentials and trainings. Rows are written as *imported* ledger entries (``source="import"``),
exactly as a spreadsheet import of existing records would write them, with their issuing
bodies, and the employed carry background checks and health certificates
(``service.demo_checks``: most current, some due within the month, a few overdue).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from service.demo_checks import CREDENTIAL_ISSUERS, TRAINING_PROVIDERS, background_check, health_certificate
from talent_pool import reference
from talent_pool.db import atomic
from talent_pool.identity import id_check_character, uscc_check_character
from talent_pool.tables import (
    BackgroundCheck,
    Credential,
    Employer,
    Employment,
    HealthCertificate,
    Practitioner,
    TrainingRecord,
)

# Rough weights by district population (larger urban districts employ more carers).
DISTRICT_WEIGHTS = {
    "370102": 11,
    "370103": 10,
    "370104": 9,
    "370105": 9,
    "370112": 14,
    "370113": 6,
    "370114": 10,
    "370115": 6,
    "370116": 8,
    "370117": 3,
    "370124": 4,
    "370126": 5,
}
EMPLOYER_KINDS = [
    ("institution", 55),
    ("kindergarten_class", 30),
    ("community_point", 10),
    ("home_point", 5),
]
KIND_SUFFIX = {
    "institution": ["托育中心", "托育园", "婴幼儿照护中心"],
    "kindergarten_class": ["幼儿园（托班）", "实验幼儿园（托班）"],
    "community_point": ["社区托育点"],
    "home_point": ["家庭托育点"],
}
# (programme_code, kind, level, title, level digit for the 22-character number)
CREDENTIAL_TYPES = [
    ("1X-YEZH-1", "onex", "初级", "幼儿照护职业技能等级证书（初级）", 5, 40),
    ("1X-YEZH-2", "onex", "中级", "幼儿照护职业技能等级证书（中级）", 4, 15),
    ("1X-YEZH-3", "onex", "高级", "幼儿照护职业技能等级证书（高级）", 3, 3),
    ("4-10-01-03-L5", "skill_level", "五级/初级工", "保育师职业技能等级证书（五级）", 5, 22),
    ("4-10-01-03-L4", "skill_level", "四级/中级工", "保育师职业技能等级证书（四级）", 4, 8),
    ("4-10-01-02-L5", "skill_level", "五级/初级工", "育婴员职业技能等级证书（五级）", 5, 12),
]
DISTRICT_SHORT = {
    "370102": "历下",
    "370103": "市中",
    "370104": "槐荫",
    "370105": "天桥",
    "370112": "历城",
    "370113": "长清",
    "370114": "章丘",
    "370115": "济阳",
    "370116": "莱芜",
    "370117": "钢城",
    "370124": "平阴",
    "370126": "商河",
}
# Name stems of the kind childcare centres use (synthetic; any match with a real centre is chance).
NAME_STEMS = [
    "小树苗",
    "金色童年",
    "阳光宝贝",
    "贝贝佳",
    "童之梦",
    "乐育",
    "慧宝",
    "七彩虹",
    "启航",
    "爱心",
    "小橡树",
    "蒲公英",
    "星星河",
    "暖阳",
    "康乐",
    "禾苗",
    "童趣",
    "芽芽",
    "亲亲宝贝",
    "晨曦",
    "泉城",
    "明湖",
    "舜耕",
    "和美",
]
# Given names by sex so that a name agrees with the sex digit of the synthetic ID number.
GIVEN_FEMALE = [
    "秀英",
    "桂英",
    "秀兰",
    "玉兰",
    "桂兰",
    "丽",
    "静",
    "敏",
    "燕",
    "艳",
    "娟",
    "霞",
    "芳",
    "婷",
    "雪",
    "慧",
    "琳",
    "颖",
    "倩",
    "欣怡",
    "雨涵",
    "梦琪",
    "佳怡",
    "思雨",
    "晓燕",
    "丽娜",
    "海燕",
    "红梅",
    "春梅",
    "晓丽",
    "淑珍",
    "玉梅",
    "美玲",
    "婉清",
    "梓涵",
    "诗琪",
    "子萱",
    "欣妍",
    "一诺",
    "可馨",
    "晓雯",
    "丹丹",
    "露",
    "萍",
    "莉",
    "洁",
    "琴",
    "爽",
]
GIVEN_MALE = [
    "伟",
    "强",
    "磊",
    "军",
    "勇",
    "杰",
    "涛",
    "明",
    "超",
    "刚",
    "平",
    "辉",
    "鹏",
    "华",
    "飞",
    "鑫",
    "波",
    "斌",
    "宇",
    "浩",
    "凯",
    "健",
    "俊",
    "帆",
    "建国",
    "建军",
    "志强",
    "海涛",
    "晓东",
    "国华",
    "子轩",
    "浩然",
    "宇航",
    "俊杰",
    "文博",
    "天佑",
    "明哲",
    "家豪",
]
USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"


@dataclass
class WorkforceSummary:
    employers: int
    practitioners: int
    employed: int
    credentials: int
    trainings: int


def _resident_id(rng: random.Random, address: str, birth: dt.date, seq: int) -> str:
    first17 = f"{address}{birth:%Y%m%d}{seq:03d}"
    return first17 + id_check_character(first17)


def _credit_code(rng: random.Random, district: str) -> str:
    head = rng.choice(["52", "91", "12"])  # 民办非企业 / 企业 / 事业单位
    body = "".join(rng.choice(USCC_CHARS[:10] + "ABCDEFGHJKLMNPQRTUWXY") for _ in range(9))
    first17 = head + district + body
    return first17 + uscc_check_character(first17)


def _weighted(rng: random.Random, pairs: list[tuple[str, int]]) -> str:
    return rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs])[0]


async def _insert_chunks(table: Any, rows: list[Any], size: int = 400) -> None:
    for i in range(0, len(rows), size):
        await table.insert(*rows[i : i + size])


async def generate_workforce(
    *, today: dt.date, employers: int = 400, practitioners: int = 5000, seed: int = 2025
) -> WorkforceSummary:
    """Write a synthetic workforce; returns what was written. Deterministic for a ``seed``.

    ``today`` is the local date: trainings fall in this year and last year up to it, some
    credentials have expired before it. Runs in one transaction (all or nothing).
    """
    rng = random.Random(seed)
    try:
        from faker import Faker
    except ImportError:
        raise RuntimeError(
            "演示数据需要可选依赖：pip install 'tuoyu-workforce[demo]'（make run 会自动安装）"
        ) from None
    fake = Faker("zh_CN")
    fake.seed_instance(seed)
    districts = list(DISTRICT_WEIGHTS.items())
    retired = reference.retired_address_codes()

    employer_rows = []
    codes: set[str] = set()
    names: dict[str, int] = {}
    # each employer sits on a real street of its district (NBS codes), picked by a generator of
    # its own so that every other demo figure stays what it was
    street_rng = random.Random(seed + 1)
    streets_of: dict[str, list[dict[str, Any]]] = {}
    for s in reference.jinan_streets()["streets"]:
        streets_of.setdefault(s["district_code"], []).append(s)
    for _ in range(employers):
        district = _weighted(rng, districts)
        code = _credit_code(rng, district)
        while code in codes:
            code = _credit_code(rng, district)
        codes.add(code)
        kind = _weighted(rng, EMPLOYER_KINDS)
        street = fake.street_name().rstrip("路街") + "街道"
        real = street_rng.choice(streets_of[district]) if streets_of.get(district) else None
        if real is not None:
            street = real["name"]
        name = f"{DISTRICT_SHORT[district]}{rng.choice(NAME_STEMS)}{rng.choice(KIND_SUFFIX[kind])}"
        names[name] = names.get(name, 0) + 1
        if names[name] > 1:  # a second centre of the same brand in the district is a branch
            name = f"{name}（{street}分园）"
        employer_rows.append(
            Employer(
                credit_code=code,
                name=name,
                kind=kind,
                district_code=district,
                street=street,
                street_code=None if real is None else real["code"],
                address=f"{street}{rng.randint(1, 300)}号",
            )
        )

    people = []
    ids: set[str] = set()
    for _ in range(practitioners):
        age = rng.choices([rng.randint(20, 29), rng.randint(30, 45), rng.randint(46, 60)], [40, 42, 18])[0]
        birth = dt.date(today.year - age, 1, 1) + dt.timedelta(days=rng.randint(0, 364))
        # older people are more likely to carry a retired county code
        address = rng.choice(retired) if age >= 40 and rng.random() < 0.35 else _weighted(rng, districts)
        gender_female = rng.random() < 0.93
        seq = rng.randint(0, 499) * 2 + (0 if gender_female else 1)
        number = _resident_id(rng, address, birth, seq)
        if number in ids:
            continue
        ids.add(number)
        given = GIVEN_FEMALE if gender_female else GIVEN_MALE
        name = fake.last_name() + rng.choice(given)
        people.append(
            Practitioner(
                id_number=number,
                name=name,
                gender="F" if gender_female else "M",
                birth_date=birth,
                phone=f"1{rng.choice('3578')}{rng.randint(0, 999999999):09d}",
            )
        )

    async with atomic():
        await _insert_chunks(Employer, employer_rows)
        await _insert_chunks(Practitioner, people)
        emp_ids = [
            r["id"] for r in await Employer.select(Employer.id).where(Employer.credit_code.is_in(list(codes)))
        ]
        pid_rows = await Practitioner.select(Practitioner.id).where(Practitioner.id_number.is_in(list(ids)))
        pids = [r["id"] for r in pid_rows]

        employments, credentials, trainings = [], [], []
        # background checks, health certificates and issuing bodies: a generator of their own
        checks_rng = random.Random(seed + 2)
        checks: list[BackgroundCheck] = []
        health: list[HealthCertificate] = []
        employed = 0
        serial = 0
        for pid in pids:
            # ~6 % are trainees not (yet) employed; ~4 % left a previous post this year
            if rng.random() < 0.06:
                status = "not_employed"
            else:
                start = today - dt.timedelta(days=rng.randint(30, 3650))
                employments.append(
                    Employment(
                        practitioner=pid,
                        employer=rng.choice(emp_ids),
                        position=_weighted(
                            rng, [("carer", 70), ("teacher", 15), ("health", 8), ("manager", 7)]
                        ),
                        start_date=start,
                    )
                )
                employed += 1
                status = "employed"
                check = background_check(checks_rng, start, today)
                if check is not None:
                    checks.append(
                        BackgroundCheck(
                            practitioner=pid,
                            kind=check.kind,
                            checked_on=check.checked_on,
                            result="clear",
                            recorded_by="档案导入",
                        )
                    )
                card = health_certificate(checks_rng, today)
                if card is not None:
                    health.append(
                        HealthCertificate(
                            practitioner=pid,
                            number=card.number,
                            issuer=card.issuer,
                            issued_on=card.issued_on,
                            expires_on=card.expires_on,
                            recorded_by="档案导入",
                        )
                    )
            # credential holders: ~80 % of the employed, some expired
            if rng.random() < (0.88 if status == "employed" else 0.3):
                code, kind, level, title, digit, _w = rng.choices(
                    CREDENTIAL_TYPES, [c[5] for c in CREDENTIAL_TYPES]
                )[0]
                issued = today - dt.timedelta(days=20 + int(2200 * rng.random() ** 2))
                expires = (
                    issued.replace(year=issued.year + 3)
                    if issued.month != 2 or issued.day != 29
                    else issued + dt.timedelta(days=1095)
                )
                serial += 1
                number = f"S{1001:04d}37{rng.randint(1, 40):06d}{issued:%y}{digit}{serial:06d}"
                credentials.append(
                    Credential(
                        practitioner=pid,
                        kind=kind,
                        programme_code=code,
                        level=level,
                        title=title,
                        number=number,
                        issuer=CREDENTIAL_ISSUERS[kind],
                        issued_on=issued,
                        expires_on=expires if kind == "onex" else None,
                        qualifying=True,
                        status="valid",
                        source="import",
                        source_ref=f"import:cred:{number}",
                    )
                )
            # trainings: about 0.8 per employed person this year so far, some last year
            for n in range(rng.choices([0, 1, 2], [42, 40, 18])[0]):
                done = dt.date(today.year, 1, 1) + dt.timedelta(
                    days=rng.randint(0, (today - dt.date(today.year, 1, 1)).days)
                )
                trainings.append(
                    TrainingRecord(
                        practitioner=pid,
                        category=rng.choice(["pre_job", "refresher", "refresher"]),
                        title=rng.choice(
                            [
                                "婴幼儿回应性照护",
                                "托育机构安全防护",
                                "婴幼儿营养与喂养",
                                "婴幼儿伤害预防与急救",
                            ]
                        ),
                        hours=Decimal(rng.choice([8, 16, 24, 40])),
                        completed_on=done,
                        provider=checks_rng.choice(TRAINING_PROVIDERS),
                        source="import",
                        source_ref=f"import:tr:{pid}:{n}:{today.year}",
                    )
                )
            if rng.random() < 0.5:
                trainings.append(
                    TrainingRecord(
                        practitioner=pid,
                        category="refresher",
                        title="年度在岗培训",
                        hours=Decimal(16),
                        completed_on=dt.date(today.year - 1, rng.randint(1, 12), rng.randint(1, 28)),
                        provider=checks_rng.choice(TRAINING_PROVIDERS),
                        source="import",
                        source_ref=f"import:tr:{pid}:{today.year - 1}",
                    )
                )
        await _insert_chunks(Employment, employments)
        await _insert_chunks(Credential, credentials)
        await _insert_chunks(TrainingRecord, trainings)
        await _insert_chunks(BackgroundCheck, checks)
        await _insert_chunks(HealthCertificate, health)
    return WorkforceSummary(
        employers=len(employer_rows),
        practitioners=len(pids),
        employed=employed,
        credentials=len(credentials),
        trainings=len(trainings),
    )
