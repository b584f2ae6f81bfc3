"""The exam flows over HTTP as their users live them: the regulator loads the bank and the
blueprint, a candidate takes timed attempts (never seeing an answer), examiners double-mark the
practical, and the sitting issues a certificate."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from certification import create_sitting, register_candidate
from certification.schemas import SittingIn
from tests.factories import STANDARD_BLUEPRINT, register_people, role_headers, standard_bank
from tests.servers import serve_in_process, settings_for
from worker.clock import FixedClock

START = dt.datetime(2026, 11, 30, 1, 0, tzinfo=dt.UTC)  # 09:00 in Jinan
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PAPER_ITEM_KEYS = {"position", "kind", "kind_name", "stem", "options", "points", "chosen"}


async def test_candidate_examiners_and_issuance_over_http(db: None, pg_engine: Any, tmp_path: Path) -> None:
    from service.app import create_app

    clock = FixedClock(START)
    app = create_app(settings_for(tmp_path), engine=pg_engine, clock=clock)
    async with serve_in_process(app) as c:
        admin = await role_headers(c, "regulator", "city_admin")
        imported = await c.post(
            "/api/programmes/1X-YEZH-1/questions/import",
            headers={**admin, "Content-Type": XLSX},
            content=standard_bank(),
        )
        assert imported.status_code == 201, imported.text
        assert imported.json() == {
            "created": 16,
            "updated": 0,
            "active_by_cell": {"安全防护·易": 5, "生活照料·中": 3, "生活照料·易": 8},
        }
        too_many = [dict(r) for r in STANDARD_BLUEPRINT]
        too_many[2]["question_count"] = 6
        refused = await c.put("/api/programmes/1X-YEZH-1/blueprint", headers=admin, json={"rows": too_many})
        assert refused.status_code == 422
        assert (
            refused.json()["detail"] == "组卷蓝图无效：题库中「安全防护·易」只有 5 道可用试题，蓝图要求 6 道"
        )
        ok = await c.put(
            "/api/programmes/1X-YEZH-1/blueprint", headers=admin, json={"rows": STANDARD_BLUEPRINT}
        )
        assert ok.status_code == 200 and ok.json()["problems"] == []
        configured = await c.patch(
            "/api/programmes/1X-YEZH-1",
            headers=admin,
            json={"max_attempts": 2, "theory_minutes": 60, "grace_seconds": 30, "practical_tolerance": "5"},
        )
        assert configured.status_code == 200 and configured.json()["theory_minutes"] == 60
        bad_items = await c.patch(
            "/api/programmes/1X-YEZH-1",
            headers=admin,
            json={"practical_items": [{"code": "a", "title": "甲", "max": "60"}]},
        )
        assert bad_items.status_code == 422
        assert bad_items.json()["detail"] == "各考核项目满分合计为 60 分，须恰好为 100 分"
        exported = await c.get("/api/programmes/1X-YEZH-1/questions.xlsx", headers=admin)
        assert exported.status_code == 200 and exported.content.startswith(b"PK")

        (pid, other) = await register_people(2)
        sitting = await create_sitting(
            SittingIn(programme_code="1X-YEZH-1", exam_date=dt.date(2026, 11, 30)),
            today=dt.date(2026, 11, 30),
        )
        await register_candidate(sitting.id, pid)
        await register_candidate(sitting.id, other)
        me = await role_headers(c, "candidate", "trainee", practitioner_id=pid)
        them = await role_headers(c, "neighbour", "trainee", practitioner_id=other)

        # ---------------------------------------------------------------- the candidate
        assert (await c.get("/api/programmes/1X-YEZH-1/questions", headers=me)).status_code == 403
        started = await c.post(f"/api/sittings/{sitting.id}/attempts", headers=me)
        assert started.status_code == 201, started.text
        attempt = started.json()
        for secret in ('"correct"', '"answer"', '"explanation"', "解析", '"question_id"', '"is_correct"'):
            assert secret not in started.text
        assert {k for q in attempt["questions"] for k in q} == PAPER_ITEM_KEYS
        assert (attempt["question_count"], attempt["seconds_left"], attempt["attempts_allowed"]) == (
            11,
            3600,
            2,
        )
        resumed = await c.post(f"/api/sittings/{sitting.id}/attempts", headers=me)
        assert (resumed.status_code, resumed.json()["id"]) == (200, attempt["id"])
        url = f"/api/attempts/{attempt['id']}"
        assert (await c.get(url, headers=them)).status_code == 403
        assert (await c.get(url, headers=admin)).status_code == 403

        single = next(q for q in attempt["questions"] if q["kind"] == "single")
        saved = await c.put(
            f"{url}/answers", headers=me, json={"answers": [{"position": single["position"], "choice": "ｂ"}]}
        )
        assert saved.status_code == 200 and saved.json()["answered"] == 1
        assert (
            next(q for q in saved.json()["questions"] if q["position"] == single["position"])["chosen"] == "B"
        )
        bad = await c.put(
            f"{url}/answers", headers=me, json={"answers": [{"position": single["position"], "choice": "AB"}]}
        )
        assert bad.status_code == 422 and bad.json()["detail"] == "有 1 个答案无效，本次未保存任何答案"

        clock.set(START + dt.timedelta(minutes=60, seconds=31))  # past the deadline and the 30 s grace
        late = await c.put(
            f"{url}/answers", headers=me, json={"answers": [{"position": single["position"], "choice": "A"}]}
        )
        assert late.status_code == 409
        assert late.json()["detail"].startswith("考试时间已到，本次提交未被接受；试卷已按截止时间收卷")
        closed = (await c.get(url, headers=me)).json()
        assert (closed["status"], closed["closed_at"], closed["answered"]) == (
            "expired",
            "2026-11-30T02:00:00Z",
            1,
        )

        retake = await c.post(f"/api/sittings/{sitting.id}/attempts", headers=me)
        assert retake.status_code == 201 and (retake.json()["number"], retake.json()["answered"]) == (2, 0)
        submitted = await c.post(f"/api/attempts/{retake.json()['id']}/submit", headers=me)
        assert submitted.status_code == 201 and submitted.json()["score"] == "0.0"
        third = await c.post(f"/api/sittings/{sitting.id}/attempts", headers=me)
        assert third.status_code == 409 and third.json()["detail"] == "考试次数已用完（共 2 次）"
        mine = (await c.get("/api/me/exams", headers=me)).json()
        assert [(e["sitting_id"], e["attempts_used"], e["attempts_allowed"]) for e in mine] == [
            (sitting.id, 2, 2)
        ]

        # ---------------------------------------------------------------- the examiners
        examiners = []
        for name in ("kaoping1", "kaoping2", "kaoping3"):
            headers = await role_headers(c, name, "examiner")
            me_id = (await c.get("/api/auth/me", headers=headers)).json()["id"]
            examiners.append((headers, me_id))
        for _, examiner_id in examiners[:2]:
            assigned = await c.post(
                f"/api/sittings/{sitting.id}/examiners", headers=admin, json={"examiner_id": examiner_id}
            )
            assert assigned.status_code == 201
        mark_url = f"/api/sittings/{sitting.id}/practical/{other}"
        first = await c.put(mark_url, headers=examiners[0][0], json={"items": {"skill": "82"}})
        assert first.status_code == 200 and first.json()["status"] == "awaiting_second"
        unassigned = await c.put(mark_url, headers=examiners[2][0], json={"items": {"skill": "80"}})
        assert unassigned.status_code == 403
        assert (await c.put(mark_url, headers=admin, json={"items": {"skill": "80"}})).status_code == 403
        not_a_number = await c.put(mark_url, headers=examiners[1][0], json={"items": {"skill": "八十"}})
        assert not_a_number.status_code == 422
        assert (
            not_a_number.json()["detail"]
            == "评分有 1 处错误，未保存：考核项目「skill」：分数 '八十' 不是数字"
        )
        out_of_range = await c.put(mark_url, headers=examiners[1][0], json={"items": {"skill": "100.5"}})
        assert out_of_range.status_code == 422
        second = await c.put(mark_url, headers=examiners[1][0], json={"items": {"skill": "79"}})
        assert (second.json()["status"], second.json()["score"]) == ("final", "80.5")
        overview = (await c.get(f"/api/sittings/{sitting.id}/practical", headers=admin)).json()
        assert [(p["practitioner_id"], p["status"]) for p in overview] == [
            (pid, "awaiting_first"),
            (other, "final"),
        ]

        # ---------------------------------------------------------------- the other candidate; issuance
        attempt2 = (await c.post(f"/api/sittings/{sitting.id}/attempts", headers=them)).json()
        from tests.integration.test_exams import _correct

        right = await _correct(attempt2["id"])
        answers = [{"position": p, "choice": letters} for p, letters in right.items()]
        await c.put(f"/api/attempts/{attempt2['id']}/answers", headers=them, json={"answers": answers})
        done = await c.post(f"/api/attempts/{attempt2['id']}/submit", headers=them)
        assert (done.json()["score"], done.json()["passed"]) == ("100.0", True)
        history = (await c.get(f"/api/sittings/{sitting.id}/attempts", headers=admin)).json()
        assert [(h["practitioner_id"], h["number"], h["status"]) for h in history] == [
            (pid, 1, "expired"),
            (pid, 2, "submitted"),
            (other, 1, "submitted"),
        ]
        issued = await c.post(f"/api/sittings/{sitting.id}/issue", headers=admin)
        assert issued.status_code == 201
        assert [x["practitioner_id"] for x in issued.json()] == [other]
