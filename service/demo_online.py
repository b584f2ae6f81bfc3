"""Demo data for online learning and the talent search (``tuoyu serve --demo``), added once the
demo cohort has finished:

- An online course (线上专题) with two short video lessons — real VP9 WebM files shipped in
  ``service/demo_media/`` and copied into the courseware folder the app serves at
  ``/courseware/<file>`` (CSP ``media-src 'self'``) — and a class of it open for a month at the
  first demo base, with trainee1 enrolled: 我的培训 shows 开始学习 and the player plays.
  The course keeps its 1 学时 while the sample lessons last 90 s: the class shows the player and
  the progress, and — as its description says — cannot be completed (the completion rule applies
  to online-only classes too: 80 % of the course's hours; 结业 answers ``course_hours_not_held``
  with the numbers). A completable online demo needs at least 6 minutes of video (0.1 h, the
  ledger's smallest unit).
- A handful of certificate holders (job seekers and employed people) who consented to the
  talent search (求职授权), each with the district they want to work in, so 人才库 (employers)
  and 人才推荐 (agencies) show candidates.
  Only people whose credential counts today and who are under no lifetime exclusion are chosen
  (those the search would show); 长清区 (370113) is left to the browser tests' own people.

Idempotent: the course is added once (with its lessons and class); consents only while nobody
has given one.
"""

from __future__ import annotations

import datetime as dt
import shutil
from decimal import Decimal
from pathlib import Path

import talent_pool
import training
from service.accounts.tables import UserAccount
from service.runtime import Runtime
from talent_pool.search_schemas import ConsentIn
from talent_pool.tables import Employment, TalentConsent
from training.online_schemas import LessonIn
from training.schemas import CourseIn, OfferingIn

MEDIA = Path(__file__).resolve().parent / "demo_media"
ONLINE_COURSE_CODE = "YEZH-ONLINE-1"
ONLINE_LESSONS = (
    # (title, file in service/demo_media, its length in seconds)
    ("第1节 婴幼儿回应性照护", "yezh-demo-01.webm", 40),
    ("第2节 安全防护与意外伤害预防", "yezh-demo-02.webm", 50),
)
CONSENT_DISTRICTS = ("370102", "370103", "370104", "370105", "370112", "370114")
"""Districts the consenting demo people want to work in, in turn (历下, 市中, 槐荫, 天桥, 历城, 章丘)."""
CONSENTING = 8


async def ensure_online_demo(rt: Runtime, base_id: int) -> int | None:
    """Add the online course, its lessons, a class of it at base ``base_id`` (today + 30 days)
    and trainee1's seat in it, unless the course exists; returns the class's id (``None`` when
    nothing was added). The lesson files are copied into ``rt.settings.courseware_path()``."""
    if any(c.code == ONLINE_COURSE_CODE for c in await training.list_courses()):
        return None
    folder = rt.settings.courseware_path()
    folder.mkdir(parents=True, exist_ok=True)
    for _, name, _ in ONLINE_LESSONS:
        if not (folder / name).exists():
            shutil.copyfile(MEDIA / name, folder / name)
    course = await training.create_course(
        CourseIn(
            code=ONLINE_COURSE_CODE,
            title="婴幼儿回应性照护与安全防护（线上专题）",
            category="refresher",
            hours=Decimal("1.0"),
            level="初级",
            description=(
                "线上视频课程：回应性照护、托育场所安全防护。演示班仅含两段示例短视频（共 90 秒），"
                "不足课程学时的 80%，用于体验播放和学习进度，不能结业、不计培训记录"
            ),
        )
    )
    for position, (title, name, seconds) in enumerate(ONLINE_LESSONS, start=1):
        await training.add_lesson(
            course.id,
            LessonIn(title=title, media=name, duration_seconds=seconds, position=position),
            media_base=rt.settings.courseware_base(),
        )
    today = rt.today()
    offering = await training.create_offering(
        OfferingIn(
            course_id=course.id,
            training_base_id=base_id,
            title=f"婴幼儿回应性照护线上专题 {today:%Y年%m月}班",
            start_date=today,
            end_date=today + dt.timedelta(days=30),
            capacity=200,
        )
    )
    trainee = (
        await UserAccount.select(UserAccount.practitioner_id)
        .where(UserAccount.username == "trainee1")
        .first()
    )
    if trainee and trainee["practitioner_id"]:
        await training.enroll(offering.id, trainee["practitioner_id"], now=rt.now(), today=today)
    return offering.id


async def ensure_talent_demo(rt: Runtime) -> list[int]:
    """Give :data:`CONSENTING` certificate holders' consent to the talent search — up to half
    not currently employed (job seekers), the rest employed people open to offers (with years of
    experience to show) — each wanting to work in the next district of
    :data:`CONSENT_DISTRICTS`, unless anyone has consented or withdrawn already; returns the
    practitioner ids in that order."""
    if await TalentConsent.exists():
        return []
    today = rt.today()
    holders = sorted(await talent_pool.searchable_credentials(None, today))
    employed = {
        r["practitioner"]
        for r in await Employment.select(Employment.practitioner).where(
            Employment.end_date.is_null() & (Employment.status == "active")
        )
    }
    looking = [p for p in holders if p not in employed][: CONSENTING // 2]
    open_to_offers = [p for p in holders if p in employed][: CONSENTING - len(looking)]
    seekers = looking + open_to_offers
    for i, pid in enumerate(seekers):
        district = CONSENT_DISTRICTS[i % len(CONSENT_DISTRICTS)]
        await talent_pool.set_consent(pid, ConsentIn(consent=True, district_code=district), now=rt.now())
    return seekers
