"""The role × route matrix, generated from the app's routes and the policy table
(service/policy.py ``ACTIONS``).

Two districts, A (历下 370102) and B (天桥 370105), each with an employer, a training base, an
offering with a session and an enrollment, an exam sitting and a certificate, a person employed
there. Every caller belongs to A: anonymous, a city admin, A's district admin, A's base staff, an
examiner assigned to A's sitting, A's employer staff, a trainee of A, a talent agency. Every route
is called by every caller with the path (and body) naming B's records:

- a caller whose role the route's action does not allow gets 401 (anonymous) or 403;
- a caller whose role is allowed but who has no business with B's record gets 403 or 404
  (city admins excepted: they act everywhere; a trainee may enroll in any class);
- and nothing changes in the database (every table's rows, fingerprinted, before and after).

A route without an action, or with a body and no example body here, fails the test: a new
route must be added to the policy and to this matrix.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest

import certification
import training
from certification.schemas import ResultIn, SittingIn
from certification.signing import Keyring
from service.accounts import AccountIn, create_account
from service.policy import ACTIONS, PUBLIC, ROLES, _framework
from talent_pool import record_training
from talent_pool.schemas import TrainingRecordIn
from tests.factories import PASSWORD, employ, login, make_employer, make_id
from training.schemas import AttendanceEntry, CourseIn, OfferingIn, SessionIn, TrainingBaseIn

TODAY = dt.date(2026, 11, 29)
NOW = dt.datetime(2026, 11, 29, 2, tzinfo=dt.UTC)
A, B = "370102", "370105"
CITY_WIDE = {"city_admin"}


@dataclass
class World:
    """B's records (the foreign ones) and A's callers."""

    employer_b: int
    person_b: int
    person_b_id_number: str
    person_b_name: str
    employment_b: int
    base_b: int
    course: int
    offering_b: int
    session_b: int
    enrollment_b: int
    sitting_b: int
    certificate_b: str
    account_b: int
    pending_b: int
    examiner_a: int
    trainer_b: int
    credit_record_b: int = 0


def credit(first17: str) -> str:
    from talent_pool.identity import uscc_check_character

    return first17 + uscc_check_character(first17)


async def build_world() -> World:
    keyring = Keyring.generate()
    await certification.seed_programmes()
    course = await training.create_course(
        CourseIn.model_validate({"code": "YEZH", "title": "岗前培训", "category": "pre_job", "hours": "8"})
    )
    ids = {}
    for code, seq in ((A, 1), (B, 2)):
        employer = await make_employer(
            credit_code=credit(f"91{code}MA3C0X{seq}PK"), district_code=code, name=f"托育园{seq}"
        )
        from talent_pool import register_practitioner
        from talent_pool.schemas import PractitionerIn

        id_number = make_id(seq, address=code)
        person = (
            await register_practitioner(
                PractitionerIn(id_number=id_number, name=f"学员{'甲乙'[seq - 1]}", phone="13800000000"),
                today=TODAY,
            )
        ).id
        await employ(employer, [person])
        base = (
            await training.create_training_base(
                TrainingBaseIn(name=f"实训基地{seq}", district_code=code, accredited=True)
            )
        ).id
        offering = (
            await training.create_offering(
                OfferingIn(
                    course_id=course.id,
                    training_base_id=base,
                    start_date=TODAY - dt.timedelta(days=3),
                    end_date=TODAY + dt.timedelta(days=10),
                    capacity=5,
                )
            )
        ).id
        session = (
            await training.add_session(
                offering,
                SessionIn(day=TODAY - dt.timedelta(days=2), starts_at=dt.time(9), ends_at=dt.time(13)),
            )
        ).id
        enrollment = (await training.enroll(offering, person, now=NOW, today=TODAY)).id
        await training.record_attendance(
            session, [AttendanceEntry(enrollment_id=enrollment)], recorded_by="t", now=NOW, today=TODAY
        )
        await record_training(
            TrainingRecordIn(
                practitioner_id=person,
                category="pre_job",
                title="岗前培训",
                hours=Decimal(16),
                completed_on=TODAY - dt.timedelta(days=30),
                source_ref=f"matrix:{seq}",
            )
        )
        sitting = (
            await certification.create_sitting(
                SittingIn(
                    programme_code="1X-YEZH-1", training_base_id=base, exam_date=TODAY - dt.timedelta(days=1)
                ),
                today=TODAY,
            )
        ).id
        await certification.register_candidate(sitting, person)
        await certification.record_results(
            sitting,
            [ResultIn(practitioner_id=person, theory=Decimal(80), practical=Decimal(80))],
            entered_by="t",
            now=NOW,
            today=TODAY,
        )
        issued = await certification.issue_certificates(
            sitting, issued_on=TODAY, public_url="https://t.example", keyring=keyring
        )
        from talent_pool import employments

        ids[code] = {
            "employer": employer,
            "person": person,
            "id_number": id_number,
            "name": f"学员{'甲乙'[seq - 1]}",
            "employment": (await employments(practitioner_id=person))[0].id,
            "base": base,
            "offering": offering,
            "session": session,
            "enrollment": enrollment,
            "sitting": sitting,
            "certificate": issued.certificates[0].number,
        }
    a, b = ids[A], ids[B]
    accounts = {
        "city_admin": AccountIn(username="m-city", password=PASSWORD, role="city_admin"),
        "district_admin": AccountIn(
            username="m-district", password=PASSWORD, role="district_admin", district_code=A
        ),
        "base_staff": AccountIn(
            username="m-base", password=PASSWORD, role="base_staff", training_base_id=a["base"]
        ),
        "examiner": AccountIn(username="m-examiner", password=PASSWORD, role="examiner"),
        "employer_staff": AccountIn(
            username="m-employer", password=PASSWORD, role="employer_staff", employer_id=a["employer"]
        ),
        "trainee": AccountIn(
            username="m-trainee", password=PASSWORD, role="trainee", practitioner_id=a["person"]
        ),
        "agency": AccountIn(username="m-agency", password=PASSWORD, role="agency", display_name="人才中介"),
    }
    made = {role: await create_account(data) for role, data in accounts.items()}
    await certification.assign_examiner(a["sitting"], made["examiner"].id, by="t", now=NOW)
    account_b = await create_account(
        AccountIn(
            username="m-employer-b", password=PASSWORD, role="employer_staff", employer_id=b["employer"]
        )
    )
    pending = await create_account(
        AccountIn(username="m-pending-b", password=PASSWORD, role="trainee"), identity_pending=True
    )
    from training.pool_schemas import TrainerIn

    trainer_b = await training.create_trainer(
        TrainerIn(
            id_number=make_id(7, address=B, birth="19800101"),
            name="讲师乙",
            district_code=B,
            training_base_id=b["base"],
        ),
        today=TODAY,
    )
    await training.allow_course(trainer_b.id, course.id, by="t", now=NOW)
    await training.assign_trainer(b["session"], trainer_b.id, by="t", now=NOW)
    from service.accounts.tables import UserAccount

    await UserAccount.update(
        {
            UserAccount.identity_status: "pending",
            UserAccount.claimed_id_number: b["id_number"],
            UserAccount.claimed_name: b["name"],
        }
    ).where(UserAccount.id == pending.id)
    from talent_pool import record_credit
    from talent_pool.credit_schemas import CreditRecordIn

    credit_b = await record_credit(
        b["person"],
        CreditRecordIn(kind="commendation", title="优秀保育员", evidence="表彰文件", occurred_on=TODAY),
        recorded_by_id=None,
        recorded_by="t",
        today=TODAY,
    )
    return World(
        credit_record_b=credit_b.id,
        employer_b=b["employer"],
        person_b=b["person"],
        person_b_id_number=b["id_number"],
        person_b_name=b["name"],
        employment_b=b["employment"],
        base_b=b["base"],
        course=course.id,
        offering_b=b["offering"],
        session_b=b["session"],
        enrollment_b=b["enrollment"],
        sitting_b=b["sitting"],
        certificate_b=b["certificate"],
        account_b=account_b.id,
        pending_b=pending.id,
        examiner_a=made["examiner"].id,
        trainer_b=trainer_b.id,
    )


def path_for(template: str, w: World) -> str:
    """The route's path naming B's records (and B's district in the query where it matters)."""
    values = {
        "account_id": w.account_b if "confirm-identity" not in template else w.pending_b,
        "employment_id": w.employment_b,
        "employer_id": w.employer_b,
        "practitioner_id": w.person_b,
        "offering_id": w.offering_b,
        "session_id": w.session_b,
        "enrollment_id": w.enrollment_b,
        "sitting_id": w.sitting_b,
        "number": w.certificate_b,
        "code": "1X-YEZH-1",
        "indicator": "certification_rate",
        # no such attempt or bulk job: the role check still decides (403), allowed roles get 404
        "attempt_id": 10**6,
        "job_id": 10**6,
        "training_base_id": w.base_b,
        "trainer_id": w.trainer_b,
        "course_id": w.course,
        "lesson_id": 10**6,
        "name": "lesson.mp4",
        "district_code": B,
        "record_id": w.credit_record_b,
        "request_id": 10**6,  # no such contact request: the trainee's own only (404)
        "list_name": "uncertified",
        "kind": "employers",
    }
    path = template
    for name, value in values.items():
        for kind in ("int", "str"):
            path = path.replace("{" + f"{name}:{kind}" + "}", str(value))
    queries = {
        "/api/audit": f"?practitioner_id={w.person_b}",
        "/api/audit/refusals": f"?account_id={w.account_b}",  # B's employer login
        "/dashboard/refusals": f"?account_id={w.account_b}",
        "/api/targets": f"?scope={B}",
        "/api/targets/shortfall/certification_rate": f"?scope={B}",
        "/api/targets/lists/uncertified": f"?scope={B}",
        "/api/targets/trend": f"?scope={B}",
        "/dashboard/shortfall": f"?scope={B}",
        "/base": f"?base_id={w.base_b}",
        "/base/sittings": f"?base_id={w.base_b}",
        "/base/trainers": f"?base_id={w.base_b}",
        "/dashboard/trainers": f"?district_code={B}",
        "/dashboard/subsidies": f"?district_code={B}",
        "/dashboard/bases": f"?district_code={B}",
        f"/my/lessons/{10**6}": f"?enrollment={w.enrollment_b}",
        "/dashboard/shortfall.xlsx": f"?scope={B}",
        "/dashboard/lists/uncertified": f"?scope={B}",
        "/dashboard/lists/uncertified/export.xlsx": f"?scope={B}",
        "/api/checks/background-overdue": f"?district_code={B}",
        "/api/checks/health-expiring": f"?district_code={B}",
    }
    return path + queries.get(path, "")


def body_for(method: str, template: str, w: World) -> dict[str, Any] | None:
    """A valid body naming B's records, so that record checks (not schema checks) decide."""
    start = (TODAY - dt.timedelta(days=1)).isoformat()
    bodies: dict[tuple[str, str], dict[str, Any]] = {
        ("POST", "/api/auth/accounts"): {
            "username": "m-new",
            "password": PASSWORD,
            "role": "employer_staff",
            "employer_id": w.employer_b,
        },
        ("POST", "/api/auth/login"): {"username": "nobody", "password": "wrong-password"},
        ("POST", "/api/auth/password"): {
            "old_password": "wrong-password",
            "new_password": "another-password",
        },
        ("POST", "/api/auth/register"): {
            "username": "m-signup",
            "password": PASSWORD,
            "id_number": w.person_b_id_number,
            "name": "别人",
            "phone": "13900000000",
        },
        ("POST", "/api/auth/verify-identity"): {"code": "000000"},
        ("POST", "/api/employment-claims"): {
            "id_number": w.person_b_id_number,
            "name": "别人",
            "start_date": start,
        },
        ("POST", "/api/employers"): {
            "credit_code": credit("91370105MA3C0X9PK"),
            "name": "新托育园",
            "district_code": B,
        },
        ("POST", "/api/employments"): {
            "practitioner_id": w.person_b,
            "employer_id": w.employer_b,
            "start_date": start,
        },
        ("POST", "/api/practitioners"): {"id_number": make_id(9, address=B), "name": "新人"},
        ("POST", "/api/employments/{employment_id:int}/end"): {"end_date": TODAY.isoformat()},
        ("POST", "/api/offerings/{offering_id:int}/sessions"): {
            "day": TODAY.isoformat(),
            "starts_at": "18:00",
            "ends_at": "19:00",
        },
        ("POST", "/api/sessions/{session_id:int}/attendance"): {
            "entries": [{"practitioner_id": w.person_b, "present": False}]
        },
        ("POST", "/api/training-bases"): {"name": "新基地", "district_code": B, "accredited": True},
        ("PATCH", "/api/training-bases/{training_base_id:int}"): {
            "withdrawn_on": TODAY.isoformat(),
            "withdrawn_reason": "复核不合格",
        },
        ("POST", "/api/courses"): {"code": "NEW", "title": "新课程", "category": "refresher", "hours": "4"},
        ("POST", "/api/offerings"): {
            "course_id": w.course,
            "training_base_id": w.base_b,
            "start_date": TODAY.isoformat(),
            "end_date": TODAY.isoformat(),
            "capacity": 3,
        },
        ("POST", "/api/offerings/{offering_id:int}/enrollments"): {
            "id_number": w.person_b_id_number,
            "name": w.person_b_name,
        },
        ("POST", "/api/sittings/{sitting_id:int}/examiners"): {"examiner_id": w.examiner_a},
        ("POST", "/api/sittings/{sitting_id:int}/candidates"): {"practitioner_id": w.person_b},
        ("PATCH", "/api/programmes/{code:str}"): {"issuer": "改动"},
        ("POST", "/api/sittings"): {
            "programme_code": "1X-YEZH-1",
            "training_base_id": w.base_b,
            "exam_date": TODAY.isoformat(),
        },
        ("POST", "/api/certificates/{number:str}/reinstate"): {"reason": "测试原因"},
        ("POST", "/api/certificates/{number:str}/replace"): {"reason": "遗失补办"},
        ("POST", "/api/bulk-verifications"): {"text": w.certificate_b},
        ("POST", "/api/verify/{number:str}/identity"): {"id_number": w.person_b_id_number, "name": "别人"},
        ("PUT", "/api/programmes/{code:str}/blueprint"): {
            "rows": [{"domain": "生活照料", "difficulty": 1, "question_count": 1, "points": "100"}]
        },
        ("PUT", "/api/attempts/{attempt_id:int}/answers"): {"answers": [{"position": 1, "choice": "A"}]},
        ("PUT", "/api/sittings/{sitting_id:int}/candidates/{practitioner_id:int}/extra-time"): {
            "minutes": 10
        },
        ("PUT", "/api/sittings/{sitting_id:int}/practical/{practitioner_id:int}"): {"items": {"skill": "80"}},
        ("POST", "/api/certificates/{number:str}/revoke"): {"reason": "测试原因"},
        ("POST", "/api/certificates/{number:str}/suspend"): {"reason": "测试原因"},
        ("POST", "/api/sittings/{sitting_id:int}/results"): {
            "results": [{"practitioner_id": w.person_b, "theory": "10", "practical": "10"}]
        },
        # training in depth
        ("POST", "/api/offerings/{offering_id:int}/recurring-sessions"): {
            "weekdays": [1, 2, 3, 4, 5],
            "first_day": TODAY.isoformat(),
            "last_day": (TODAY + dt.timedelta(days=7)).isoformat(),
            "starts_at": "18:00",
            "ends_at": "19:00",
        },
        ("POST", "/api/sessions/{session_id:int}/move"): {
            "day": TODAY.isoformat(),
            "starts_at": "18:00",
            "ends_at": "19:00",
            "reason": "调课",
        },
        ("POST", "/api/sessions/{session_id:int}/cancel"): {"reason": "停课"},
        ("POST", "/api/sessions/{session_id:int}/checkin-token"): {},
        ("POST", "/api/checkin"): {"token": "1.i.1.AAAAAAAAAAAAAAAAAAAAAA"},
        ("POST", "/api/training-bases/{training_base_id:int}/attendance-batches"): {
            "rows": [
                {"row_id": "m-1", "session_id": w.session_b, "practitioner_id": w.person_b, "present": False}
            ]
        },
        ("POST", "/api/sessions/{session_id:int}/attendance/corrections"): {
            "practitioner_id": w.person_b,
            "present": False,
            "reason": "更正",
        },
        ("POST", "/api/offerings/{offering_id:int}/staff-enrollments"): {"practitioner_ids": [w.person_b]},
        ("POST", "/api/trainers"): {
            "id_number": make_id(8, address=B, birth="19800101"),
            "name": "讲师丙",
            "district_code": B,
            "training_base_id": w.base_b,
        },
        ("POST", "/api/trainers/{trainer_id:int}/qualifications"): {"name": "育婴员（一级）"},
        ("POST", "/api/trainers/{trainer_id:int}/courses"): {"course_id": w.course},
        ("POST", "/api/trainers/{trainer_id:int}/rank"): {"rank": "senior", "reason": "晋升"},
        ("POST", "/api/sessions/{session_id:int}/trainers"): {"trainer_id": w.trainer_b},
        ("POST", "/api/offerings/{offering_id:int}/evaluations"): {"trainer_id": w.trainer_b, "score": 5},
        ("POST", "/api/courses/{course_id:int}/lessons"): {
            "title": "课件",
            "media": "lesson.mp4",
            "duration_seconds": 60,
        },
        ("PATCH", "/api/lessons/{lesson_id:int}"): {"title": "改名的课件"},
        ("POST", "/api/enrollments/{enrollment_id:int}/lessons/{lesson_id:int}/heartbeat"): {"position": 0},
        ("PUT", "/api/courses/{course_id:int}/completion-rule"): {"min_hours_percent": "80"},
        ("POST", "/api/offerings/{offering_id:int}/quiz-results"): {
            "results": [{"practitioner_id": w.person_b, "score": "90"}]
        },
        ("POST", "/api/offerings/{offering_id:int}/subsidy"): {"subsidised": True},
        ("POST", "/api/offerings/{offering_id:int}/subsidy-claims"): {"enrollment_ids": [w.enrollment_b]},
        # credit and checks, talent search (issue 12)
        ("POST", "/api/practitioners/{practitioner_id:int}/credit-records"): {
            "kind": "violation",
            "title": "测试违规",
            "evidence": "测试证据",
            "occurred_on": start,
            "lifetime_exclusion": True,
        },
        ("POST", "/api/credit-records/{record_id:int}/withdraw"): {"reason": "录入错误"},
        ("POST", "/api/employments/{employment_id:int}/transfer"): {
            "employer_id": w.employer_b,
            "on": TODAY.isoformat(),
        },
        ("POST", "/api/practitioners/{practitioner_id:int}/background-checks"): {"checked_on": start},
        ("POST", "/api/practitioners/{practitioner_id:int}/health-certificates"): {
            "number": "JK-1",
            "issued_on": start,
            "expires_on": (TODAY + dt.timedelta(days=365)).isoformat(),
        },
        ("PUT", "/api/me/talent-consent"): {"consent": True, "district_code": B},
        ("POST", "/api/talent/contact-requests"): {"handle": "0" * 24, "message": "您好"},
        ("POST", "/api/me/contact-requests/{request_id:int}/answer"): {"accept": True},
        ("POST", "/api/talent/recommendations"): {"handle": "0" * 24, "employer_id": w.employer_b},
    }
    return bodies.get((method, template))


# Roles allowed by the action that may legitimately act on B's record with that request.
MAY_ACT_ON_B: dict[tuple[str, str], set[str]] = {
    ("POST", "/api/offerings/{offering_id:int}/enrollments"): {"trainee"},  # anyone may enroll themselves
    ("POST", "/api/employment-claims"): {"employer_staff"},  # a claim with a wrong name is refused anyway
    ("POST", "/api/practitioners"): {"district_admin"},  # a new person belongs to no district yet
    ("POST", "/api/auth/password"): set(ROLES),  # "me" actions concern the caller only
    ("POST", "/api/auth/verify-identity"): set(ROLES),
    ("POST", "/api/auth/logout"): set(ROLES),
    ("POST", "/api/auth/logout-everywhere"): set(ROLES),
    ("GET", "/api/auth/me"): set(ROLES),
    ("GET", "/account/password"): set(ROLES),  # the caller's own 修改密码 form
    ("GET", "/api/employments"): {"district_admin", "employer_staff", "trainee"},  # lists their own scope
    ("GET", "/api/training-bases"): {"district_admin", "base_staff"},
    ("GET", "/api/me/enrollments"): {"trainee"},
    ("GET", "/api/me/certificates"): {"trainee"},
    ("GET", "/api/me/exams"): {"trainee"},
    # verifying numbers is what these roles do; the answers are what public verification shows
    ("POST", "/api/bulk-verifications"): set(ACTIONS["bulk.verify"]),
    ("POST", "/api/bulk-verifications/upload"): set(ACTIONS["bulk.verify"]),
    ("POST", "/api/verify/{number:str}/identity"): set(ACTIONS["certificate.match"]),  # 一致/不一致 only
    ("GET", "/api/certificates/expiring"): {"district_admin", "employer_staff"},  # their own scope
    ("GET", "/api/me/sittings"): {"examiner"},
    ("GET", "/api/me/audit"): {"trainee"},
    ("GET", "/api/audit/refusals/by-account"): {"district_admin"},  # the logins of their own district
    ("GET", "/api/accounts/pending-identities"): {"district_admin", "base_staff", "employer_staff"},
    ("GET", "/dashboard"): {"district_admin"},
    ("GET", "/dashboard/targets.xlsx"): {"district_admin"},  # their own district's row
    # the trainee's pages are shells naming no record: their script reads the trainee's own data
    **{
        ("GET", page): {"trainee"}
        for page in (
            "/my",
            "/my/catalog",
            "/my/checkin",
            "/my/record",
            "/my/certificates",
            "/my/lessons",
            "/my/talent",
        )
    },
    ("GET", "/my/exams"): {"trainee"},  # the page of the caller's own exams
    ("GET", "/examiner"): {"examiner"},  # the page of the caller's own sittings
    # the employer's own pages (their data comes from the API, checked there)
    ("GET", "/employer"): {"employer_staff"},
    ("GET", "/employer/staff"): {"employer_staff"},
    ("GET", "/employer/bulk"): {"employer_staff"},
    ("GET", "/employer/talent"): {"employer_staff"},
    ("GET", "/agency"): {"agency"},  # the agency's own page: public employer facts, its own recommendations
    # training in depth
    ("GET", "/api/me/notifications"): {"trainee"},
    ("GET", "/api/trainers"): {"district_admin", "base_staff"},  # their district / the pool, ID masked
    ("GET", "/api/trainers/{trainer_id:int}"): {"base_staff"},  # bases pick trainers from the whole pool
    ("GET", "/api/trainers/{trainer_id:int}/rank-history"): {"base_staff"},
    ("GET", "/api/trainers/{trainer_id:int}/evaluations"): {"base_staff"},
    ("GET", "/api/courses/{course_id:int}/lessons"): {"district_admin", "base_staff", "trainee"},  # catalog
    # a scan is judged by its token (refused 422: not enrolled); an employer may book its own staff
    # into any class (B's person is refused 422 as not its staff)
    ("POST", "/api/checkin"): {"trainee"},
    ("POST", "/api/offerings/{offering_id:int}/staff-enrollments"): {"employer_staff"},
    # an employer's lists are its own staff whatever district is named; the talent search shows
    # consenting people of any district; "me" routes concern the caller only
    ("GET", "/api/checks/background-overdue"): {"employer_staff"},
    ("GET", "/api/checks/health-expiring"): {"employer_staff"},
    ("GET", "/api/me/talent-consent"): {"trainee"},
    ("PUT", "/api/me/talent-consent"): {"trainee"},
    ("GET", "/api/me/contact-requests"): {"trainee"},
    ("GET", "/api/talent/search"): {"employer_staff", "agency"},
    ("GET", "/api/talent/contact-requests"): {"employer_staff"},
    ("GET", "/api/talent/recommendations"): {"employer_staff", "agency"},
    ("POST", "/api/talent/contact-requests"): {"employer_staff"},
    ("POST", "/api/talent/recommendations"): {"agency"},
    # imports and exports (issue 12): a district admin's rows outside their district are rejected
    # by the job, row by row; an export holds their district only
    ("POST", "/api/imports/{kind:str}"): {"district_admin"},
    ("GET", "/api/exports/{kind:str}"): {"district_admin"},
    ("GET", "/dashboard/imports"): {"district_admin"},
}


async def fingerprint() -> str:
    """One hash over every application table's rows (what "nothing changed" means)."""
    from talent_pool.tables import Division

    tables = await Division.raw(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
        "AND tablename NOT IN ('migration', 'acc_audit', 'ce_verification_log')"
    )
    parts = " UNION ALL ".join(
        f"SELECT '{t['tablename']}' AS t, md5(COALESCE(string_agg(x::text, '|' ORDER BY x::text), '')) AS h "
        f'FROM "{t["tablename"]}" x'
        for t in tables
    )
    result = await Division.raw(f"SELECT md5(string_agg(t || h, ',' ORDER BY t)) AS all FROM ({parts}) s")
    return str(result[0]["all"])


def routes(app: Any) -> list[tuple[str, str, str]]:
    """``(method, path template, action)`` of every route of ours (framework routes skipped)."""
    found = []
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            if _framework(handler):
                continue
            action = handler.opt.get("policy")
            assert action in ACTIONS, f"{route.path} has no policy action"
            for method in sorted(handler.http_methods):
                found.append((method, route.path, action))
    return found


async def call(
    client: Any, method: str, path: str, headers: dict[str, str], body: dict[str, Any] | None
) -> Any:
    return await client.request(
        method,
        path,
        headers={**headers, "Accept": "application/json"},
        json=body if body is not None else None,
    )


@pytest.mark.filterwarnings("ignore")
async def test_every_route_refuses_every_caller_outside_its_scope(client: Any) -> None:
    w = await build_world()
    callers: dict[str, dict[str, str]] = {"anonymous": {}}
    for role, username in (
        ("city_admin", "m-city"),
        ("district_admin", "m-district"),
        ("base_staff", "m-base"),
        ("examiner", "m-examiner"),
        ("employer_staff", "m-employer"),
        ("trainee", "m-trainee"),
        ("agency", "m-agency"),
    ):
        callers[role] = await login(client, username)
    spec = (await client.get("/schema/openapi.json")).json()["paths"]

    def documented(method: str, template: str) -> set[str]:
        """The statuses the OpenAPI document promises (pages are not in it: any status passes)."""
        item = spec.get(re.sub(r"{(\w+):\w+}", r"{\1}", template))
        return set(item[method.lower()]["responses"]) if item else {str(s) for s in range(100, 600)}

    checked = 0
    # what every table holds; each refused call must leave it exactly so (so the state after one
    # call is the state before the next: one fingerprint per call, and a change made between
    # calls fails too)
    unchanged = await fingerprint()
    for method, template, action in routes(client.app):
        roles = ACTIONS[action]
        if PUBLIC in roles:
            continue
        path = path_for(template, w)
        body = body_for(method, template, w)
        if method in ("POST", "PUT", "PATCH") and body is None and _has_body(client.app, template, method):
            pytest.fail(f"no example body for {method} {template}: add one to this matrix")
        for caller, headers in callers.items():
            allowed = caller != "anonymous" and ("login" in roles or caller in roles)
            if allowed and (caller in CITY_WIDE or caller in MAY_ACT_ON_B.get((method, template), set())):
                continue  # may legitimately act on B's record
            r = await call(client, method, path, headers, body)
            expected = {401} if caller == "anonymous" else ({403, 404} if allowed else {403})
            assert r.status_code in expected, f"{caller} {method} {path}: {r.status_code} {r.text[:300]}"
            assert str(r.status_code) in documented(method, template), f"undocumented {r.status_code}"
            assert await fingerprint() == unchanged, f"{caller} {method} {path} changed the database"
            checked += 1
    assert checked > 250, checked  # the matrix really covers the app


def _has_body(app: Any, template: str, method: str) -> bool:
    for route in app.routes:
        if route.path != template:
            continue
        for handler in getattr(route, "route_handlers", []):
            if method in handler.http_methods:
                return "data" in handler.parsed_fn_signature.parameters
    return False
