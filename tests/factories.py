"""Test data shared by the integration and API tests: plain async functions, no fixtures.

Each function writes through the packages' public services, so the data is as valid as what the
application itself stores. Names of people never contain digits (the talent-pool name
validator rejects them): generated names are a prefix plus one CJK character per person.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from litestar.testing import AsyncTestClient

from service.accounts import AccountIn, create_account
from talent_pool import (
    record_credential,
    record_training,
    register_employer,
    register_practitioner,
    start_employment,
)
from talent_pool.identity import id_check_character
from talent_pool.schemas import CredentialIn, EmployerIn, EmploymentIn, PractitionerIn, TrainingRecordIn
from training import create_course, create_offering, create_training_base
from training.schemas import CourseIn, OfferingIn, TrainingBaseIn

PASSWORD = "a-password-1"
OFFERING_START = dt.date(2026, 12, 1)
EMPLOYED_SINCE = dt.date(2025, 1, 1)

# --------------------------------------------------------------------------- people


def make_id(seq: int, *, address: str = "370102", birth: str = "19900101") -> str:
    """A valid 18-character resident ID number: ``address`` + ``birth`` + the 3-digit ``seq``
    + its check character. Different ``seq`` values give different people."""
    first17 = f"{address}{birth}{seq:03d}"
    return first17 + id_check_character(first17)


def person_name(seq: int, prefix: str = "学员") -> str:
    """The generated name of person ``seq`` (1-based): ``prefix`` + one CJK character, never a
    digit (``学员一``, ``学员丁``, …). The same ``seq`` always gives the same name."""
    return f"{prefix}{chr(0x4E00 + seq - 1)}"


async def register_people(n: int, *, prefix: str = "学员", names: Sequence[str] | None = None) -> list[int]:
    """Register practitioners ``make_id(1)`` … ``make_id(n)`` and return their ids in order.

    Names are :func:`person_name` with ``prefix``, or ``names[i]`` when given. Registering the
    same person again returns the existing row, so ``register_people(8)`` after
    ``register_people(5)`` adds three people.
    """
    ids = []
    for i in range(n):
        name = names[i] if names is not None else person_name(i + 1, prefix)
        p = await register_practitioner(
            PractitionerIn(id_number=make_id(i + 1), name=name), today=dt.date(2026, 11, 29)
        )
        ids.append(p.id)
    return ids


async def make_employer(**fields: object) -> int:
    """Register an employer (default: a 历下区 nursery with a valid credit code) and return its
    id; ``fields`` override the defaults of :class:`EmployerIn`."""
    data = {
        "credit_code": "91350100M000100Y43",
        "name": "测试托育园",
        "district_code": "370102",
        **fields,
    }
    return (await register_employer(EmployerIn.model_validate(data))).id


async def employ(
    employer_id: int, practitioner_ids: Sequence[int], start_date: dt.date = EMPLOYED_SINCE
) -> None:
    """Start an open-ended employment at ``employer_id`` for each practitioner."""
    for pid in practitioner_ids:
        await start_employment(
            EmploymentIn(practitioner_id=pid, employer_id=employer_id, start_date=start_date)
        )


async def employer_with_staff(n: int, *, prefix: str = "人员") -> tuple[int, list[int]]:
    """An employer (:func:`make_employer` defaults) with ``n`` newly registered practitioners
    employed there since :data:`EMPLOYED_SINCE`. Returns ``(employer_id, practitioner_ids)``."""
    employer_id = await make_employer()
    people = await register_people(n, prefix=prefix)
    await employ(employer_id, people)
    return employer_id, people


# --------------------------------------------------------------------------- ledger


async def credential(
    practitioner_id: int, *, number: str, issued_on: dt.date, source_ref: str, **fields: object
) -> None:
    """Record a credential in the talent-pool ledger: by default a 1+X 幼儿照护 (初级)
    certificate, ``1X-YEZH-1``; ``fields`` override any other :class:`CredentialIn` field."""
    data = {
        "practitioner_id": practitioner_id,
        "kind": "onex",
        "programme_code": "1X-YEZH-1",
        "level": "初级",
        "title": "幼儿照护",
        "number": number,
        "issued_on": issued_on,
        "source_ref": source_ref,
        **fields,
    }
    await record_credential(CredentialIn.model_validate(data))


async def training_record(
    practitioner_id: int,
    *,
    hours: str,
    completed_on: dt.date,
    source_ref: str,
    category: str = "pre_job",
    title: str = "岗前培训",
    **fields: object,
) -> None:
    """Record a completed training in the talent-pool ledger (default: a 岗前培训 of category
    ``pre_job``); ``fields`` override any other :class:`TrainingRecordIn` field."""
    data = {
        "practitioner_id": practitioner_id,
        "category": category,
        "title": title,
        "hours": Decimal(hours),
        "completed_on": completed_on,
        "source_ref": source_ref,
        **fields,
    }
    await record_training(TrainingRecordIn.model_validate(data))


# --------------------------------------------------------------------------- training


async def training_base(**fields: object) -> int:
    """Create an accredited training base in 历下区 (370102) and return its id; ``fields``
    override the defaults of :class:`TrainingBaseIn` (e.g. ``accredited=False``)."""
    data = {"name": "济南市托育实训基地", "district_code": "370102", "accredited": True, **fields}
    return (await create_training_base(TrainingBaseIn.model_validate(data))).id


async def make_offering(
    capacity: int = 5,
    *,
    base_name: str = "济南市托育实训基地",
    course_code: str = "YEZH-PRE",
    course_title: str = "幼儿照护岗前培训",
    category: str = "pre_job",
    hours: str = "16",
    title: str = "",
    start: dt.date = OFFERING_START,
    end: dt.date | None = None,
) -> int:
    """Create a training base, a course and an open offering of it there; return the offering
    id. The offering runs from ``start`` to ``end`` (default: a week, ``start`` + 6 days);
    ``title`` defaults to the course title. One call per test: the course code is unique."""
    base_id = await training_base(name=base_name)
    course = await create_course(
        CourseIn.model_validate(
            {"code": course_code, "title": course_title, "category": category, "hours": hours}
        )
    )
    out = await create_offering(
        OfferingIn(
            course_id=course.id,
            training_base_id=base_id,
            title=title,
            start_date=start,
            end_date=start + dt.timedelta(days=6) if end is None else end,
            capacity=capacity,
        )
    )
    return out.id


# --------------------------------------------------------------------------- accounts (API)


async def create_city_admin(username: str = "regulator", password: str = PASSWORD) -> None:
    """Create a ``city_admin`` account directly through the accounts service (the first
    regulator account an operator would create from the command line)."""
    await create_account(AccountIn(username=username, password=password, role="city_admin"))


async def login(client: AsyncTestClient, username: str, password: str = PASSWORD) -> dict[str, str]:  # type: ignore[type-arg]
    """Log in through the API (asserting 201) and return bearer-token headers. The session
    cookie is cleared, so every later call authenticates with the headers it passes."""
    r = await client.post("/api/auth/login", json={"username": username, "password": password})
    assert r.status_code == 201, r.text
    client.cookies.clear()
    return {"Authorization": f"Bearer {r.json()['token']}"}


async def admin_headers(client: AsyncTestClient) -> dict[str, str]:  # type: ignore[type-arg]
    """Create the ``regulator`` city admin and return its bearer-token headers."""
    await create_city_admin()
    return await login(client, "regulator")


async def sign_up(
    client: AsyncTestClient,  # type: ignore[type-arg]
    username: str,
    *,
    id_number: str,
    name: str,
    phone: str = "13800000000",
    password: str = PASSWORD,
) -> dict[str, str]:
    """Sign a trainee up through the API, complete the real-name verification with the code the
    app texted (``client.sms``, the recording SMS backend of the test client), and return bearer
    headers of the verified login."""
    r = await client.post(
        "/api/auth/register",
        json={
            "username": username,
            "password": password,
            "id_number": id_number,
            "name": name,
            "phone": phone,
        },
    )
    assert r.status_code == 201, r.text
    assert r.json()["account"]["identity_status"] == "pending"
    headers = await login(client, username, password)
    code = client.sms.sent[-1][1].split("验证码为 ")[1][:6]  # type: ignore[attr-defined]
    verified = await client.post("/api/auth/verify-identity", headers=headers, json={"code": code})
    assert verified.status_code == 201, verified.text
    assert verified.json()["identity_status"] == "verified"
    return headers


# --------------------------------------------------------------------------- certification

EXAM_DAY = dt.date(2026, 11, 20)
ISSUE_DAY = dt.date(2026, 11, 29)
SCORED_AT = dt.datetime(2026, 11, 20, 8, 0, tzinfo=dt.UTC)


async def passed_sitting(
    n: int = 1,
    *,
    names: Sequence[str] | None = None,
    code: str = "1X-YEZH-1",
    exam_day: dt.date = EXAM_DAY,
    scores: Sequence[tuple[str, str]] | None = None,
    training_base_id: int | None = None,
) -> tuple[int, list[int]]:
    """A sitting of ``code`` on ``exam_day`` (held by ``training_base_id``, default none) with
    practitioners ``make_id(1)`` … ``make_id(n)`` (named ``names`` when given) registered and
    scored (``scores`` as ``(theory, practical)`` strings; default 80/80, a pass). Returns
    ``(sitting_id, practitioner_ids)``."""
    from certification import create_sitting, record_results, register_candidate
    from certification.schemas import ResultIn, SittingIn

    pids = await register_people(n, names=names)
    sitting = await create_sitting(
        SittingIn(programme_code=code, exam_date=exam_day, training_base_id=training_base_id), today=ISSUE_DAY
    )
    for pid in pids:
        await register_candidate(sitting.id, pid)
    marks = scores or [("80", "80")] * n
    await record_results(
        sitting.id,
        [
            ResultIn(practitioner_id=p, theory=Decimal(t), practical=Decimal(q))
            for p, (t, q) in zip(pids, marks, strict=True)
        ],
        entered_by="examiner-1",
        now=SCORED_AT,
        today=ISSUE_DAY,
    )
    return sitting.id, pids


async def role_headers(client: AsyncTestClient, username: str, role: str, **scope: object) -> dict[str, str]:  # type: ignore[type-arg]
    """Create a login of ``role`` with its scope (``training_base_id=…``, ``employer_id=…``,
    ``practitioner_id=…``, ``district_code=…``) and return its bearer headers."""
    await create_account(
        AccountIn.model_validate({"username": username, "password": PASSWORD, "role": role, **scope})
    )
    return await login(client, username)


BANK_HEADER = ["题号", "题型", "知识领域", "难度", "题干", "选项A", "选项B", "选项C", "选项D", "答案", "解析"]


def workbook(rows: Sequence[Sequence[object]], header: Sequence[str] = BANK_HEADER) -> bytes:
    """An .xlsx file (openpyxl) with ``header`` and ``rows`` on its first sheet."""
    import io

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def standard_bank() -> bytes:
    """A question bank for 1X-YEZH-1: 生活照料·易 8 单选 (answer A), 生活照料·中 3 多选 (answer
    AC), 安全防护·易 5 判断 (answer 对)."""
    rows: list[list[object]] = []
    for i in range(1, 9):
        rows.append(
            [
                f"SH{i:03d}",
                "单选",
                "生活照料",
                "易",
                f"单选题{i}",
                f"对{i}",
                "错一",
                "错二",
                "错三",
                "A",
                "解析",
            ]
        )
    for i in range(1, 4):
        rows.append(
            [f"SM{i:03d}", "多选", "生活照料", "中", f"多选题{i}", "对甲", "错甲", "对乙", "错乙", "AC", ""]
        )
    for i in range(1, 6):
        rows.append([f"AQ{i:03d}", "判断", "安全防护", "易", f"判断题{i}", "", "", "", "", "对", ""])
    return workbook(rows)


STANDARD_BLUEPRINT = [  # 5 × 10 + 2 × 15 + 4 × 5 = 100 points, 11 questions
    {"domain": "生活照料", "difficulty": 1, "question_count": 5, "points": "10"},
    {"domain": "生活照料", "difficulty": 2, "question_count": 2, "points": "15"},
    {"domain": "安全防护", "difficulty": 1, "question_count": 4, "points": "5"},
]
