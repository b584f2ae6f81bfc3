"""``tuoyu demo``: the whole job on real reference data, end to end, on the configured database.

1. Migrate and seed Jinan's divisions, the plan's indicator table and the certificate programmes.
2. Generate a realistic workforce at Jinan's scale (``service.demo_data``) if the database is empty.
3. Print the targets table (city and each district) — *before*.
4. Run one cohort through the main job: an offering at a training base, enrollments (the last
   seats fill and two people wait), sessions, attendance, completion (training records),
   an exam sitting with theory and practical scores, certificates (QR PNG + PDF).
5. Write the QR PNGs and PDFs to ``--out``; decode one QR with zxing-cpp; start the app on a
   free local port and fetch the decoded URL; revoke one certificate and fetch again.
6. Print the targets table — *after* — and the change.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import os
import random
import socket
from collections.abc import Generator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import uvicorn

import certification
import talent_pool
import training
from certification.schemas import ProgrammeUpdate, ResultIn, SittingIn
from certification.tables import Certificate
from service import usecases
from service.accounts import AccountIn, create_account
from service.accounts.tables import UserAccount
from service.bootstrap import seed
from service.demo_checks import staff_story
from service.demo_data import generate_workforce
from service.demo_exams import ensure_exam_demo
from service.demo_online import ensure_online_demo, ensure_talent_demo
from service.demo_trainers import ensure_trainer_demo
from service.migrations import migrate
from service.runtime import Runtime
from talent_pool.schemas import TargetsReport
from talent_pool.tables import Credential, Employment, Practitioner
from training.schemas import AttendanceEntry, CourseIn, OfferingIn, OfferingOut, SessionIn, TrainingBaseIn
from training.tables import Enrollment
from worker.targets import nightly_snapshot

DEMO_PASSWORD = "tuoyu-demo-2025"
BASES = [  # name, district, accredited on (the plan's bases came one after another from 2021)
    ("济南市托育职业技能实训基地（历下）", "370102", dt.date(2021, 9, 1)),
    ("济南市托育职业技能实训基地（历城）", "370112", dt.date(2022, 3, 1)),
    ("章丘区托育服务实训基地", "370114", dt.date(2022, 9, 1)),
    ("莱芜区托育服务实训基地", "370116", dt.date(2023, 3, 1)),
    ("槐荫区托育人才实训基地", "370104", dt.date(2023, 9, 1)),
    ("济南职业学院托育实训基地", "370105", dt.date(2024, 3, 1)),
]
COHORT_SIZE = 32
CAPACITY = 30


@dataclass
class CohortResult:
    offering_id: int
    confirmed: int
    waitlisted: int
    completed: int
    not_completed: int
    passed: int
    failed: int
    certificates: list[Any] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)


def _write_private(path: Path, content: bytes) -> None:
    """Write a certificate file readable by its owner only (0600): it carries a full ID number."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(content)
    os.chmod(path, 0o600)


def _say(text: str = "") -> None:
    print(text, flush=True)


async def _ensure_account(account: AccountIn) -> None:
    """Create a demo login unless its username is taken already (reruns keep the first)."""
    if not await UserAccount.exists().where(UserAccount.username == account.username):
        await create_account(account)


async def _ensure_accounts(base_id: int) -> None:
    await _ensure_account(
        AccountIn(username="admin", password=DEMO_PASSWORD, role="city_admin", display_name="市卫健委")
    )
    await _ensure_account(
        AccountIn(
            username="base1",
            password=DEMO_PASSWORD,
            role="base_staff",
            display_name="实训基地教务",
            training_base_id=base_id,
        )
    )
    await _ensure_account(
        AccountIn(username="agency1", password=DEMO_PASSWORD, role="agency", display_name="泉城人才服务中心")
    )


async def _ensure_bases() -> int:
    existing = {b.name: b.id for b in await training.list_training_bases()}
    for name, district, accredited_on in BASES:
        if name not in existing:
            base = await training.create_training_base(
                TrainingBaseIn(
                    name=name,
                    district_code=district,
                    address=f"{name}教学楼",
                    accredited=True,
                    accredited_on=accredited_on,
                )
            )
            existing[name] = base.id
    return existing[BASES[0][0]]


async def _ensure_people_accounts(rt: Runtime) -> None:
    """``employer1`` (the employer of the first cohort member) and ``trainee1`` (that member)."""
    if await UserAccount.exists().where(UserAccount.username.is_in(["employer1", "trainee1"])):
        return
    first = await _pick_cohort(1)
    if first:
        await staff_story(first[0]["employer"], today=rt.today(), spare=first[0]["practitioner"])
        await _demo_users_for_employer_and_trainee(first[0]["practitioner"], first[0]["employer"])


async def _demo_users_for_employer_and_trainee(practitioner_id: int, employer_id: int) -> None:
    await _ensure_account(
        AccountIn(
            username="employer1",
            password=DEMO_PASSWORD,
            role="employer_staff",
            display_name="托育机构人事",
            employer_id=employer_id,
        )
    )
    await _ensure_account(
        AccountIn(
            username="trainee1",
            password=DEMO_PASSWORD,
            role="trainee",
            display_name="学员",
            practitioner_id=practitioner_id,
        )
    )


async def _pick_cohort(size: int) -> list[dict[str, Any]]:
    """Employed people holding no credential yet — the ones the regulator wants certified — and
    not already in a class (a start interrupted half-way through its cohort left them enrolled:
    enrolling them again in the same course would be refused)."""
    holders = {r["practitioner"] for r in await Credential.select(Credential.practitioner)}
    holders |= {
        r["practitioner"]
        for r in await Enrollment.select(Enrollment.practitioner).where(Enrollment.live == True)  # noqa: E712
    }
    rows = (
        await Employment.select(Employment.practitioner, Employment.employer)
        .where(Employment.end_date.is_null())
        .order_by(Employment.id)
    )
    chosen, seen = [], set()
    for r in rows:
        pid = r["practitioner"]
        if pid in holders or pid in seen:
            continue
        seen.add(pid)
        chosen.append(r)
        if len(chosen) == size:
            break
    return chosen


COURSE_CODE = "YEZH1-PRE"


async def _ensure_course() -> Any:
    courses = {c.code: c for c in await training.list_courses()}
    return courses.get(COURSE_CODE) or await training.create_course(
        CourseIn(
            code=COURSE_CODE,
            title="幼儿照护（初级）岗前培训",
            category="pre_job",
            hours=Decimal("16.0"),
            level="初级",
            description="生活照料、安全防护、日常保健、早期学习支持",
        )
    )


async def ensure_setup(rt: Runtime) -> int:
    """Idempotent set-up after the workforce: training bases, the demo course, the 1+X
    eligibility setting, the four demo logins and the exam pages' data (examiner1, a question
    bank, a sitting with trainee1; ``service.demo_exams``). Returns the first base's id."""
    base_id = await _ensure_bases()
    await _ensure_accounts(base_id)
    await configure_eligibility()
    course = await _ensure_course()
    await _ensure_people_accounts(rt)
    await ensure_exam_demo(rt, base_id)
    await ensure_trainer_demo(rt, base_id, course.id)
    return base_id


async def run_cohort(rt: Runtime, out_dir: Path, *, seed_value: int = 7) -> CohortResult:
    """One cohort through enrollment → attendance → completion → exam → certificates (waits for
    the background rendering of the documents it writes to ``out_dir``)."""
    rng = random.Random(seed_value)
    today = rt.today()
    now = rt.now()
    base_id = await ensure_setup(rt)
    course = await _ensure_course()
    start = today - dt.timedelta(days=14)
    offering = await training.create_offering(
        OfferingIn(
            course_id=course.id,
            training_base_id=base_id,
            title=f"幼儿照护（初级）岗前培训 {today:%Y}年第{rng.randint(1, 99)}期",
            start_date=start,
            end_date=today,
            capacity=CAPACITY,
        )
    )
    sessions = []
    for n, topic in enumerate(["生活照料", "安全防护", "日常保健护理", "早期学习支持"]):
        sessions.append(
            await training.add_session(
                offering.id,
                SessionIn(
                    day=start + dt.timedelta(days=3 * n),
                    starts_at=dt.time(9),
                    ends_at=dt.time(13),
                    hours=Decimal("4.0"),
                    topic=topic,
                ),
            )
        )
    cohort = await _pick_cohort(COHORT_SIZE)
    enrollments = await asyncio.gather(
        *(training.enroll(offering.id, r["practitioner"], now=now, today=today) for r in cohort)
    )
    confirmed = [e for e in enrollments if e.status == "confirmed"]
    waitlisted = [e for e in enrollments if e.status == "waitlisted"]
    # one confirmed trainee drops out: the first on the waitlist moves up automatically
    cancelled = await training.cancel_enrollment(confirmed[-1].id, now=now)
    roster = [e for e in await training.list_enrollments(offering.id) if e.status == "confirmed"]
    absentees = {roster[1].id, roster[2].id}
    for s_index, sess in enumerate(sessions):
        entries = [
            AttendanceEntry(enrollment_id=e.id, present=not (e.id in absentees and s_index < 3))
            for e in roster
        ]
        await training.record_attendance(
            sess.id, entries, recorded_by="base1", method="roster", now=now, today=today
        )
    report = await training.complete_offering(
        offering.id,
        completed_on=await training.default_completion_date(offering.id, today),
        now=now,
        times=rt.session_times,
    )
    completed_people = [e.practitioner_id for e in report.entries if e.status == "completed"]
    sitting = await certification.create_sitting(
        SittingIn(
            programme_code="1X-YEZH-1",
            training_base_id=base_id,
            exam_date=today,
            title="幼儿照护职业技能等级（初级）考核",
        ),
        today=today,
    )
    for pid in completed_people:
        await certification.register_candidate(sitting.id, pid)
    results = []
    for i, pid in enumerate(completed_people):
        theory = Decimal(rng.randint(62, 96))
        practical = Decimal(rng.randint(600, 950)) / 10
        if i == 3:
            theory = Decimal("59.5")  # fails theory by half a point: exact comparison
        if i == 5:
            practical = Decimal("58.0")
        results.append(ResultIn(practitioner_id=pid, theory=theory, practical=practical))
    outcomes = await certification.record_results(
        sitting.id, results, entered_by="base1", now=now, today=today
    )
    issued = (await usecases.issue_certificates(rt, sitting.id)).certificates
    await rt.dispatcher.drain()  # the QR codes and PDFs are rendered in the background
    out_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    files = []
    for cert in issued:
        png, pdf = await certification.get_document(cert.id)
        for path, content in ((out_dir / f"{cert.number}.png", png), (out_dir / f"{cert.number}.pdf", pdf)):
            _write_private(path, content)
            files.append(path)
    _say(
        f"开班 #{offering.id}：容量 {CAPACITY}，报名 {len(enrollments)} 人 → 确认 {len(confirmed)}，候补 {len(waitlisted)}；"
        f"1 人退出，候补递补 {1 if cancelled.promoted else 0} 人"
    )
    _say(f"结业：合格 {report.completed} 人，未达出勤要求 {report.not_completed} 人（{report.rule}）")
    passed = sum(1 for o in outcomes if o.passed)
    _say(f"考核：通过 {passed} 人，未通过 {len(outcomes) - passed} 人；发证 {len(issued)} 张 → {out_dir}")
    return CohortResult(
        offering_id=offering.id,
        confirmed=len(confirmed),
        waitlisted=len(waitlisted),
        completed=report.completed,
        not_completed=report.not_completed,
        passed=passed,
        failed=len(outcomes) - passed,
        certificates=issued,
        files=files,
    )


async def open_next_offering(rt: Runtime) -> OfferingOut | None:
    """Leave one offering open for enrollment (starting next week) so trainees can sign up."""
    if await training.list_offerings(open_only=True, today=rt.today()):
        return None
    base_id = await _ensure_bases()
    course = {c.code: c for c in await training.list_courses()}.get("YEZH1-PRE")
    if course is None:
        return None
    start = rt.today() + dt.timedelta(days=7)
    offering = await training.create_offering(
        OfferingIn(
            course_id=course.id,
            training_base_id=base_id,
            title=f"幼儿照护（初级）岗前培训 {start:%Y年%m月}班",
            start_date=start,
            end_date=start + dt.timedelta(days=10),
            capacity=40,
        )
    )
    for n, topic in enumerate(["生活照料", "安全防护", "日常保健护理", "早期学习支持"]):
        await training.add_session(
            offering.id,
            SessionIn(
                day=start + dt.timedelta(days=3 * n), starts_at=dt.time(14), ends_at=dt.time(18), topic=topic
            ),
        )
    _say(f"已开放下一期报名：开班 #{offering.id}（{start} 起，容量 40）")
    return offering


async def configure_eligibility() -> None:
    """Demo setting: 1+X 初级 candidates need 16 hours of pre-job training in the ledger.

    The number is a configurable value (occupations.json gives no confirmed figure)."""
    programme = await certification.get_programme("1X-YEZH-1")
    if programme.min_training_hours == 0:
        await certification.update_programme(
            "1X-YEZH-1", ProgrammeUpdate(min_training_hours=Decimal(16), training_category="pre_job")
        )


def format_targets(reports: list[TargetsReport], title: str) -> str:
    """A plain-text targets table: scope, employed, each indicator as value/target ✓✗."""
    lines = [
        title,
        f"{'范围':<14}{'在职人员':>8}  {'持证率(≥90%)':<16}{'人均培训(≥1)':<16}{'培训人次(≥10000)':<18}{'实训基地(≥10)':<12}",
    ]
    for r in reports:
        cells = []
        for key in (
            "certification_rate",
            "trainings_per_practitioner",
            "person_trainings",
            "training_bases",
        ):
            i = r.indicator(key)
            value = (
                "无数据"
                if i.value is None
                else (f"{i.value}%" if key == "certification_rate" else f"{i.value}")
            )
            mark = "" if i.met is None else (" ✓" if i.met else " ✗")
            cells.append(f"{value}{mark}")
        name = r.scope_name
        lines.append(
            f"{name:<14}{r.employed_practitioners:>8}  {cells[0]:<16}{cells[1]:<16}{cells[2]:<18}{cells[3]:<12}"
        )
    return "\n".join(lines)


class _QuietServer(uvicorn.Server):
    """A uvicorn server that leaves the process's signals alone. The demo's own server runs inside
    the CLI's ``asyncio.run``, whose SIGINT handling cancels the demo; uvicorn's capture of SIGINT
    would instead turn Ctrl-C into a quiet shutdown of this inner server while the demo went on
    (tests/faults/test_demo_interrupted.py)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield


class _Server:
    """The app on a free local port, served by uvicorn on this event loop with this runtime."""

    def __init__(self, rt: Runtime) -> None:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        from service.app import create_app

        app = create_app(rt.settings, runtime=rt)
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="on")
        self.server = _QuietServer(config)
        self.task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> str:
        self.task = asyncio.create_task(self.server.serve())
        for _ in range(200):
            if self.server.started:
                return f"http://127.0.0.1:{self.port}"
            if self.task.done():
                break
            await asyncio.sleep(0.05)
        raise RuntimeError("演示服务未能启动")

    async def __aexit__(self, *exc: object) -> None:
        self.server.should_exit = True
        if self.task is not None:
            await asyncio.wait_for(self.task, 10 if exc[0] is None else 2)  # interrupted: be quick


async def prepare_database() -> None:
    """Migrate and seed reference data (any engine)."""
    await migrate()
    counts = await seed()
    _say(
        f"参考数据：行政区划 {counts['divisions']} 条，规划指标 {counts['indicators']} 项，证书项目 {counts['programmes']} 个"
    )


async def ensure_workforce(rt: Runtime) -> None:
    """Generate the synthetic workforce (one transaction) unless practitioners already exist."""
    if await Practitioner.count() == 0:
        summary = await generate_workforce(today=rt.today())
        await talent_pool.refresh_statistics()  # a bulk load: the planner's statistics
        _say(
            f"生成从业人员队伍：机构 {summary.employers} 家，从业人员 {summary.practitioners} 人"
            f"（在职 {summary.employed}），已有资质 {summary.credentials} 条，培训记录 {summary.trainings} 条"
        )
    else:
        _say(f"数据库已有 {await Practitioner.count()} 名从业人员，不再生成")


async def ensure_demo_data(rt: Runtime, out_dir: Path) -> None:
    """For ``tuoyu serve --demo``: bring the demo data to a complete state, whatever an earlier,
    interrupted start left behind. Each step is atomic and idempotent: reference data, the
    workforce (one transaction), bases, course and logins, one finished cohort with
    certificates (unless one exists; people an interrupted cohort left enrolled are not picked
    again), the next open class, an online class with video lessons trainee1 is enrolled in and
    consenting certificate holders for the talent search (``service.demo_online``). Documents whose render job an interrupted start still holds
    are rendered by the service's background work when that job's lease runs out. With Celery
    (``TUOYU_REDIS_URL``) a worker must render the cohort's certificates: when they are still to
    be issued and no worker answers, :class:`~worker.dispatch.WorkersNotRunning` at once, before
    the workforce is generated (not after minutes of waiting for the documents)."""
    await prepare_database()
    if await Certificate.count() == 0:
        await rt.dispatcher.ensure_workers()
    await ensure_workforce(rt)
    base_id = await ensure_setup(rt)
    if await Certificate.count() == 0:
        await run_cohort(rt, out_dir)
    # deliver what is due now; work leased by an interrupted start is done by the service's own
    # background work once that lease runs out (waiting for it here could take minutes)
    while await rt.dispatcher.relay():
        pass
    await open_next_offering(rt)
    # after the cohort (trainee1 is its first member): an online class trainee1 is enrolled in,
    # and certificate holders who consented to the talent search
    await ensure_online_demo(rt, base_id)
    await ensure_talent_demo(rt)
    # the nightly snapshot (and the other repairs) were held while the data loaded. Another
    # scheduler may have taken the day meanwhile — with Redis, the Celery beat of `tuoyu worker`
    # knows nothing of this load — so the day is taken again: its snapshot shows the demo's
    # figures, not the empty database (a snapshot is written once a day otherwise)
    await nightly_snapshot(now=rt.now(), zone=rt.clock.zone, retake=True)
    await rt.dispatcher.resume_repairs()
    _say(
        f"演示账号（密码 {DEMO_PASSWORD}）：admin 市级监管 · base1 实训基地 · employer1 用人单位 · trainee1 学员 · examiner1 考评员 · agency1 人才服务机构"
    )


async def run_demo(rt: Runtime, out_dir: Path) -> int:
    """The whole demo; returns the process exit code (0 when every step behaved as expected)."""
    try:
        import zxingcpp
    except ImportError:
        raise RuntimeError(
            "演示需要可选依赖：pip install 'tuoyu-workforce[demo]'（make demo 会自动安装）"
        ) from None
    from PIL import Image

    logging.getLogger("httpx").setLevel(logging.WARNING)  # keep the demo's own lines readable
    _say(f"数据库：{rt.settings.db_url}")
    await rt.dispatcher.ensure_workers()  # with Celery: a worker renders the QR codes and PDFs
    await prepare_database()
    await ensure_workforce(rt)
    await ensure_setup(rt)
    before = await usecases.targets_table(rt)
    _say(format_targets(before, f"\n== 规划指标（{before[0].year} 年，截至 {before[0].as_of}）· 培训前 =="))
    _say("\n== 一期培训：报名 → 考勤 → 结业 → 考核 → 发证 ==")
    cohort = await run_cohort(rt, out_dir)
    if not cohort.certificates:
        _say("错误：没有发出证书")
        return 1
    first, last = cohort.certificates[0], cohort.certificates[-1]
    image = Image.open(out_dir / f"{first.number}.png")
    decoded = [b.text for b in zxingcpp.read_barcodes(image)]
    if not decoded:
        _say("错误：二维码无法识别")
        return 1
    url = decoded[0]
    _say(f"\n二维码识读（zxing-cpp）：{url}")
    code = 0
    async with _Server(rt) as base, httpx.AsyncClient(base_url=base, timeout=10) as client:
        parts = urlsplit(url)
        target = parts.path + ("?" + parts.query if parts.query else "")
        first_check = (await client.get(target, headers={"Accept": "application/json"})).json()
        page = await client.get(target, headers={"Accept": "text/html"})
        _say(
            f"核验 {first.number}：{first_check['outcome']}（签名已验证：{first_check['signature_checked']}，"
            f"持证人 {first_check['holder_name_masked']}，身份证 {first_check['holder_id_masked']}；页面 HTTP {page.status_code}）"
        )
        tampered = target.replace("&s=", "&s=A", 1)
        forged = (await client.get(tampered, headers={"Accept": "application/json"})).json()
        _say(f"篡改二维码签名后核验：{forged['outcome']}")
        await usecases.change_certificate_status(
            rt, "revoke", last.number, reason="考核舞弊，经复核撤销", by="admin"
        )
        parts = urlsplit(last.verify_url)
        revoked = (
            await client.get(parts.path + "?" + parts.query, headers={"Accept": "application/json"})
        ).json()
        _say(
            f"吊销 {last.number} 后核验：{revoked['outcome']}（{revoked['status_changed_on']}，原因仅对持证人和监管部门可见）"
        )
        unknown = (await client.get("/api/verify/S000037000001269000000")).json()
        _say(f"查询不存在的编号：{unknown['outcome']}")
        if (first_check["outcome"], forged["outcome"], revoked["outcome"], unknown["outcome"]) != (
            "valid",
            "forged",
            "revoked",
            "unknown",
        ):
            code = 1
    await open_next_offering(rt)
    await rt.dispatcher.resume_repairs()  # held while the data loaded (see ensure_demo_data)
    after = await usecases.targets_table(rt)
    _say(format_targets(after, f"\n== 规划指标（{after[0].year} 年，截至 {after[0].as_of}）· 培训后 =="))
    b, a = before[0], after[0]
    _say(
        "\n全市变化：持证人数 "
        f"{b.indicator('certification_rate').numerator} → {a.indicator('certification_rate').numerator}，"
        f"培训人次 {b.indicator('person_trainings').numerator} → {a.indicator('person_trainings').numerator}"
    )
    _say(f"证书文件：{len(cohort.files)} 个，位于 {out_dir.resolve()}")
    return code
