"""The employer's pages (托育机构人事) in Chromium: 证书核验 on a phone (typed number, a QR photo, the
camera with Chromium's fake device playing a QR code), 人证核验 (一致 / 不一致, never the stored ID),
本单位人员 with who is not 持证上岗 or untrained this year, and 批量核验 downloaded as .xlsx."""

from __future__ import annotations

import io
import re
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx
import qrcode
from openpyxl import load_workbook
from qrcode.constants import ERROR_CORRECT_M

from talent_pool.identity import id_check_character
from tests.e2e.conftest import CHROMIUM, DEMO_PASSWORD, EARLIER_PUBLIC_URL, SHOTS, LiveServer, Visit

FULL_ID = re.compile(r"(?<![0-9A-Z])\d{17}[0-9X](?![0-9A-Z])")


async def _holder(live_server: LiveServer, number: str) -> dict[str, Any]:
    """The certificate as the city admin reads it (full holder ID number, verify URL)."""
    async with httpx.AsyncClient(base_url=live_server.url) as c:
        r = await c.post("/api/auth/login", json={"username": "admin", "password": DEMO_PASSWORD})
        token = r.json()["token"]
        cert = await c.get(f"/api/certificates/{number}", headers={"Authorization": f"Bearer {token}"})
        assert cert.status_code == 200, cert.text
        return dict(cert.json())


async def _login(visit: Visit, username: str) -> None:
    """Log in through the login page and wait for the role's home. (``Visit.login`` waits with
    ``wait_for_function``, a string the page's CSP refuses to evaluate; this waits in Python.)"""
    await visit.goto("/login")
    await visit.page.fill("#username", username)
    await visit.page.fill("#password", DEMO_PASSWORD)
    await visit.page.click("button[type=submit]")
    await visit.page.wait_for_url(lambda url: "/login" not in url)
    await visit.page.wait_for_load_state("networkidle")


def _other_id(stored: str) -> str:
    """A valid ID number of somebody else (same region and birth date, another sequence)."""
    seq = (int(stored[14:17]) + 7) % 1000
    first17 = f"{stored[:14]}{seq:03d}"
    return first17 + id_check_character(first17)


async def _font_px(visit: Visit, selector: str) -> float:
    size = await visit.page.eval_on_selector(selector, "el => getComputedStyle(el).fontSize")
    return float(str(size).removesuffix("px"))


async def test_employer_verifies_a_certificate_and_matches_the_applicant_on_a_phone(
    phone: Visit, live_server: LiveServer
) -> None:
    number = live_server.demo_certificate_numbers()[0]
    cert = await _holder(live_server, number)
    stored = cert["holder_id_number"]
    page = phone.page
    await _login(phone, "employer1")
    assert page.url.endswith("/employer")

    await page.fill("#cert-number", number.lower())
    await page.click("#verify-form button[type=submit]")
    verdict = page.locator("#verdict")
    await verdict.filter(has_text="有效").wait_for()
    assert await verdict.inner_text() == "有效"
    assert await verdict.get_attribute("data-outcome") == "valid"
    assert await _font_px(phone, "#verdict") >= 32  # large words
    assert number in await page.locator("#result-details").inner_text()

    # identity match: the right ID number (typed lower-case x is the same), then somebody else's
    await page.fill("#match-id", stored.lower())
    await page.fill("#match-name", cert["holder_name"])
    await page.click("#match-form button[type=submit]")
    match = page.locator("#match-verdict")
    await match.filter(has_text="一致").wait_for()
    assert await match.inner_text() == "一致"
    assert await _font_px(phone, "#match-verdict") >= 32
    await phone.shot("employer-verify-match-phone")
    assert not FULL_ID.search(await page.content())  # the stored ID number is never shown

    await page.fill("#match-id", _other_id(stored))
    await page.fill("#match-name", "")
    await page.click("#match-form button[type=submit]")
    await match.filter(has_text="不一致").wait_for()
    assert await match.inner_text() == "不一致"
    assert "身份证号：不一致" in await page.locator("#match-details").inner_text()
    content = await page.content()
    assert stored not in content and not FULL_ID.search(content)
    await phone.shot("employer-verify-mismatch-phone")
    assert await phone.serious_a11y_violations() == []

    # a third comparison of this certificate today; the fourth by this login is refused with the
    # reason, never answered 一致/不一致 (candidates one at a time find nothing)
    await page.fill("#match-id", _other_id(_other_id(stored)))
    await page.click("#match-form button[type=submit]")
    await match.filter(has_text="不一致").wait_for()
    await page.fill("#match-id", stored)
    await page.click("#match-form button[type=submit]")
    refusal = page.locator("#match-msg")
    await refusal.filter(has_text="人证核验次数已用完").wait_for()
    assert await refusal.inner_text() == "今日对该证书的人证核验次数已用完，请明日再试或联系区级监管部门"
    assert await match.inner_text() == ""
    await phone.shot("employer-verify-match-exhausted-phone")
    assert len(phone.errors) == 1 and "status of 429" in phone.errors[0], phone.errors  # the refusal
    phone.errors.clear()

    # an unknown number, then a photo of the certificate's QR code (signature checked)
    await page.fill("#cert-number", "S000000000000000000009")
    await page.click("#verify-form button[type=submit]")
    await verdict.filter(has_text="查无此证").wait_for()
    assert await page.locator("#match-card").is_hidden()
    qr_png = live_server.data_dir / "demo-out" / f"{number}.png"
    await page.set_input_files("#qr-file", str(qr_png))
    await verdict.filter(has_text="有效").wait_for()
    assert "二维码数字签名已验证" in await page.locator("#result-details").inner_text()
    assert await page.input_value("#cert-number") == number
    await phone.shot("employer-verify-qr-photo-phone")
    assert phone.foreign_hosts() == set() and phone.errors == []


def _y4m(text: str, path: Path, width: int = 640, height: int = 480, frames: int = 3) -> Path:
    """A YUV4MPEG2 clip (Chromium's fake camera input) showing the QR code of ``text`` on white."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=4)
    code.add_data(text)
    code.make(fit=True)
    matrix = code.get_matrix()
    box = min(width, height) * 9 // 10 // len(matrix)
    left, top = (width - box * len(matrix)) // 2, (height - box * len(matrix)) // 2
    luma = bytearray(b"\xff" * (width * height))
    for r, row in enumerate(matrix):
        for col, dark in enumerate(row):
            if not dark:
                continue
            for y in range(top + r * box, top + (r + 1) * box):
                start = y * width + left + col * box
                luma[start : start + box] = b"\x00" * box
    chroma = b"\x80" * ((width // 2) * (height // 2))
    with path.open("wb") as f:
        f.write(f"YUV4MPEG2 W{width} H{height} F5:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            f.write(b"FRAME\n" + bytes(luma) + chroma + chroma)
    return path


async def test_employer_scans_a_certificate_with_the_camera(live_server: LiveServer, tmp_path: Path) -> None:
    from playwright.async_api import async_playwright

    number = live_server.demo_certificate_numbers()[-1]
    cert = await _holder(live_server, number)
    clip = _y4m(cert["verify_url"], tmp_path / "qr.y4m")
    async with async_playwright() as p:
        browser = await p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--use-fake-ui-for-media-stream",
                "--use-fake-device-for-media-stream",
                f"--use-file-for-fake-video-capture={clip}",
            ],
        )
        try:
            context = await browser.new_context(
                locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
            )
            await context.grant_permissions(["camera"], origin=live_server.url)
            visit = Visit(await context.new_page(), live_server.url)
            await _login(visit, "employer1")
            await visit.page.click("#scan-start")
            verdict = visit.page.locator("#verdict")
            await verdict.filter(has_text="有效").wait_for(timeout=30_000)
            assert "二维码数字签名已验证" in await visit.page.locator("#result-details").inner_text()
            assert await visit.page.input_value("#cert-number") == number
            assert await visit.page.locator("#scanner").is_hidden()  # the camera is released
            await visit.shot("employer-verify-camera-phone")
            assert visit.foreign_hosts() == set() and visit.errors == []
        finally:
            await browser.close()


async def test_staff_list_highlights_who_is_not_licensed_or_untrained(visit: Visit, phone: Visit) -> None:
    page = visit.page
    await _login(visit, "employer1")
    await visit.goto("/employer/staff")
    await page.locator("#staff-summary .badge").first.wait_for()
    employer = await page.get_attribute("#staff-page", "data-employer")
    staff = await page.evaluate(f"tuoyu.call('/api/employers/{employer}/staff').then(r => r.data)")
    assert staff, "the demo employer has staff"
    uncertified = [m for m in staff if not m["certified"]]
    untrained = [m for m in staff if m["trainings_this_year"] == 0]
    flagged = {m["practitioner_id"] for m in uncertified + untrained}
    assert flagged, "the demo employer has someone to highlight"
    rows = page.locator("#staff-table tbody tr")
    assert await rows.count() == len(staff)
    assert await page.locator("#staff-table tbody tr.flag").count() == len(flagged)
    assert await page.locator("#count-uncertified").inner_text() == f"未持证上岗 {len(uncertified)} 人"
    assert await page.locator("#count-untrained").inner_text() == f"今年未培训 {len(untrained)} 人"
    assert await page.locator("#staff-table td[data-label=持证情况] .badge.bad").count() == len(uncertified)
    # the demo's background checks: most current, one or two truly overdue (not nearly everyone)
    overdue = [m for m in staff if m["background_check_overdue"]]
    assert 1 <= len(overdue) <= 2 < len(staff)
    assert await page.locator("#count-overdue").inner_text() == f"背景审查逾期 {len(overdue)} 人"
    assert not FULL_ID.search(await page.content())  # ID numbers masked for employers
    await page.locator("#expiring-table tbody tr").first.wait_for()
    await visit.shot("employer-staff")
    assert await visit.serious_a11y_violations() == []

    await page.select_option("#staff-filter", "attention")
    assert await rows.count() == len(flagged)
    assert await page.locator("#staff-table tbody tr:not(.flag)").count() == 0
    await page.select_option("#expiring-days", "180")
    await page.locator("#expiring-table tbody tr").first.wait_for()

    # a credential imported from outside, listed as held, is verified as on record (not 查无此证)
    imported = next(
        re.search(r"（(S1001\d{17})）", c).group(1)  # type: ignore[union-attr]
        for m in staff
        for c in m["valid_credentials"]
        if "（S1001" in c
    )
    await visit.goto("/employer")
    await page.fill("#cert-number", imported)
    await page.click("#verify-form button[type=submit]")
    await page.locator("#verdict[data-outcome=recorded]").wait_for()
    assert await page.locator("#verdict").inner_text() == "有记录（外部导入，无电子签名）"
    assert "外部导入记录，无电子签名" in await page.locator("#result-details").inner_text()
    assert "（导入）" not in await page.locator("#result-details").inner_text()  # a named issuer
    await visit.shot("employer-verify-imported")

    # on a phone the list scrolls sideways inside its card; the page itself does not
    await _login(phone, "employer1")
    await phone.goto("/employer/staff")
    await phone.page.locator("#staff-table tbody tr.flag").first.wait_for()
    assert await phone.page.evaluate("document.documentElement.scrollWidth") <= 390
    await phone.shot("employer-staff-phone")
    await phone.page.screenshot(path=str(SHOTS / "employer-staff-phone-top.png"))  # what a phone shows first
    assert await phone.serious_a11y_violations() == []
    assert phone.foreign_hosts() == set() and phone.errors == []
    assert await visit.serious_a11y_violations() == []
    assert visit.foreign_hosts() == set() and visit.errors == []


async def test_employer_claims_a_new_staff_member_and_ends_the_employment(
    visit: Visit, live_server: LiveServer
) -> None:
    """Writes only its own rows: a person the city admin registers for this test, their claim."""
    first17 = f"37010219950607{secrets.randbelow(1000):03d}"
    id_number = first17 + id_check_character(first17)
    name = "新员" + chr(0x4E00 + secrets.randbelow(2000))
    async with httpx.AsyncClient(base_url=live_server.url) as c:
        token = (
            await c.post("/api/auth/login", json={"username": "admin", "password": DEMO_PASSWORD})
        ).json()["token"]
        admin = {"Authorization": f"Bearer {token}"}
        person = await c.post(
            "/api/practitioners", headers=admin, json={"id_number": id_number, "name": name}
        )
        assert person.status_code == 201, person.text
        person_id = person.json()["id"]

        page = visit.page
        await _login(visit, "employer1")
        await visit.goto("/employer/staff")
        await page.locator("#staff-summary .badge").first.wait_for()
        await page.fill("#claim-id", id_number)
        await page.fill("#claim-name", "别的名字")
        await page.click("#claim-form button[type=submit]")
        await page.locator("#claim-msg.error").wait_for()
        assert "未找到身份证号与姓名均匹配的从业人员" in await page.locator("#claim-msg").inner_text()
        await page.fill("#claim-name", name)
        await page.select_option("#claim-position", "teacher")
        await page.click("#claim-form button[type=submit]")
        await page.locator("#claim-msg.ok").wait_for()
        assert (
            await page.locator("#claim-msg").inner_text() == f"已提交认领：待 {name} 本人确认后计入本单位人员"
        )
        await visit.shot("employer-staff-claim")

        pending = (await c.get("/api/employments?status=pending", headers=admin)).json()
        claim = next(e for e in pending if e["practitioner_id"] == person_id)
        confirmed = await c.post(f"/api/employments/{claim['id']}/confirm", headers=admin)
        assert confirmed.status_code == 201, confirmed.text

    await visit.goto("/employer/staff")
    row = page.locator(f"#staff-table tbody tr[data-practitioner='{person_id}']")
    await row.wait_for()
    assert await row.get_attribute("class") == "flag"  # a new person: no certificate, no training yet
    text = await row.inner_text()
    assert "未持证上岗" in text and "今年未培训" in text and "教师" in text
    await row.get_by_role("button", name=f"为{name}办理离职").click()
    await row.get_by_role("button", name=f"确认{name}今天离职").click()
    await page.locator("#staff-msg.ok").wait_for()
    await row.locator(".badge", has_text="离职日期").wait_for()
    await visit.shot("employer-staff-ended")
    assert await visit.serious_a11y_violations() == []
    assert visit.foreign_hosts() == set()
    # the one console error is Chromium's note on the refused claim (the API's 404 for a wrong name)
    assert visit.errors == ["Failed to load resource: the server responded with a status of 404 (Not Found)"]


async def test_bulk_verification_of_a_pasted_list_downloads_as_xlsx(
    visit: Visit, live_server: LiveServer, tmp_path: Path
) -> None:
    numbers = live_server.demo_certificate_numbers()[:3]
    page = visit.page
    await _login(visit, "employer1")
    await visit.goto("/employer/bulk")
    await page.fill("#bulk-text", "\n".join([*numbers, "NO-SUCH-CERT"]))
    await page.click("#bulk-form button[type=submit]")
    await page.locator("#bulk-progress-label[data-status=done]").wait_for(timeout=60_000)
    assert await page.locator("#bulk-progress-label").inner_text() == "核验完成：共 4 行"
    summary = await page.locator("#bulk-summary").inner_text()
    assert "有效 3" in summary and "查无此证 1" in summary
    await visit.shot("employer-bulk")
    assert await visit.serious_a11y_violations() == []
    async with page.expect_download() as info:
        await page.click("#bulk-download")
    download = await info.value
    sheet = load_workbook(io.BytesIO(Path(await download.path()).read_bytes())).worksheets[0]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0][:3] == ["行号", "证书编号", "核验结果"]
    assert [(r[1], r[2]) for r in rows[1:]] == [
        *((n, "有效") for n in numbers),
        ("NO-SUCH-CERT", "查无此证"),
    ]

    # an uploaded CSV as Chinese Excel saves it (GBK, a header row)
    csv = tmp_path / "核验清单.csv"
    csv.write_bytes(f"证书编号,持证人身份证号\r\n{numbers[0]},\r\n".encode("gbk"))
    await page.set_input_files("#bulk-file", str(csv))
    assert await page.locator("#bulk-file-name").inner_text() == "核验清单.csv"
    await page.click("#bulk-upload-form button[type=submit]")
    await page.locator("#bulk-progress-label", has_text="核验完成：共 1 行").wait_for(timeout=60_000)
    assert await page.locator("#bulk-summary").inner_text() == "有效 1"
    await visit.shot("employer-bulk-upload")
    assert visit.foreign_hosts() == set() and visit.errors == []


async def test_a_refused_upload_clears_the_previous_job(
    visit: Visit, live_server: LiveServer, tmp_path: Path
) -> None:
    """After a finished job, a refused upload shows its error alone: the previous job's
    "核验完成…" progress, summary and download link are gone."""
    number = live_server.demo_certificate_numbers()[0]
    page = visit.page
    await _login(visit, "employer1")
    await visit.goto("/employer/bulk")
    await page.fill("#bulk-text", number)
    await page.click("#bulk-form button[type=submit]")
    await page.locator("#bulk-progress-label[data-status=done]").wait_for(timeout=60_000)
    assert await page.locator("#bulk-download").is_visible()

    bad = tmp_path / "三列.csv"
    bad.write_bytes(f"{number},370102199001011234,多余一列\r\n".encode())
    await page.set_input_files("#bulk-file", str(bad))
    await page.click("#bulk-upload-form button[type=submit]")
    await page.locator("#bulk-errors li", has_text="每行最多两项").wait_for()
    await page.locator("#bulk-msg.error").wait_for()
    assert not await page.locator("#bulk-job").is_visible()
    assert not await page.locator("#bulk-download").is_visible()
    assert await page.locator("text=核验完成").count() == 0
    await visit.shot("employer-bulk-refused-after-done")

    # an empty paste is refused before any request: nothing of an older job shows either
    await page.fill("#bulk-text", number)
    await page.click("#bulk-form button[type=submit]")
    await page.locator("#bulk-progress-label[data-status=done]").wait_for(timeout=60_000)
    await page.fill("#bulk-text", "")
    await page.click("#bulk-form button[type=submit]")
    await page.locator("#bulk-msg.error", has_text="请粘贴要核验的证书编号").wait_for()
    assert not await page.locator("#bulk-job").is_visible()
    assert await visit.serious_a11y_violations() == []
    assert visit.foreign_hosts() == set()
    # the one console error is Chromium's note on the refused upload (the API's 4xx)
    assert len(visit.errors) == 1 and "the server responded with a status of 4" in visit.errors[0]


async def test_odd_typed_numbers_get_a_chinese_answer_not_a_missing_page(
    phone: Visit, live_server: LiveServer
) -> None:
    """Whatever is typed as a certificate number — markup, a "/" or dots (which would become URL
    path segments), percent signs, full-width characters, spaces or a zero-width space copied from
    a chat — the page answers 证书编号格式不正确 or 查无此证, never 请求的资源不存在, and the
    browser logs no failed request."""
    page = phone.page
    await _login(phone, "employer1")
    statuses: list[int] = []
    page.on("response", lambda r: statuses.append(r.status) if "/api/verify/" in r.url else None)
    malformed = ["<script>", "<script>alert(1)</script>", "a/b", ".", "..", "%2F", "%41", "？", "证书", "ABC"]
    for typed in malformed:
        await page.evaluate("document.getElementById('verify-msg').textContent = ''")
        await page.fill("#cert-number", typed)
        await page.click("#verify-form button[type=submit]")
        await page.locator("#verify-msg", has_text="证书编号格式不正确").wait_for()
        assert await page.locator("#result-card").is_hidden(), typed
        assert await page.get_attribute("#cert-number", "aria-invalid") == "true"
    await phone.shot("employer-verify-malformed-phone")
    # well-formed but not on record (full-width, spaced, with an invisible character): 查无此证
    for typed in [
        "ｓ０００ ０３７０ ００００ １２６５ ９９９９９",
        "\u200bS000037000001265999999",
        "NO-SUCH-1",
    ]:
        await page.fill("#cert-number", typed)
        await page.click("#verify-form button[type=submit]")
        await page.locator("#verdict[data-outcome=unknown]").wait_for()
        assert await page.locator("#verdict").inner_text() == "查无此证"
        assert "请求的资源不存在" not in await page.locator("#verify-msg").inner_text()
        await page.evaluate("document.getElementById('result-card').hidden = true")
    # and a real number typed in full-width with spaces is found
    number = live_server.demo_certificate_numbers()[0]
    wide = " ".join(number[i : i + 4] for i in range(0, len(number), 4)).translate(
        {ord(c): ord(c) + 0xFEE0 for c in "0123456789S"}
    )
    await page.fill("#cert-number", wide)
    await page.click("#verify-form button[type=submit]")
    await page.locator("#verdict[data-outcome=valid]").wait_for()
    assert await page.input_value("#cert-number") == number
    assert all(s == 200 for s in statuses), statuses
    assert phone.errors == [] and phone.foreign_hosts() == set()
    assert await phone.serious_a11y_violations() == []


def _qr_png(text: str, path: Path) -> Path:
    """A photo-like PNG of the QR code of ``text`` (what an employer picks with 选择二维码照片识别)."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=4, box_size=8)
    code.add_data(text)
    code.make(fit=True)
    code.make_image().save(str(path))
    return path


def _tampered(verify_url: str) -> str:
    """The verify URL with its expiry moved to 2099 (a forger's edit); the signature unchanged."""
    parts = urlsplit(verify_url)
    query = [(k, "20991231" if k == "e" else v) for k, v in parse_qsl(parts.query)]
    return urlunsplit(parts._replace(query=urlencode(query)))


def _elsewhere(verify_url: str, origin: str = "https://evil.example") -> str:
    """The genuine number and signed query under another site's origin."""
    parts = urlsplit(verify_url)
    return f"{origin}{parts.path}?{parts.query}"


async def test_a_scanned_qr_code_gets_no_claim_its_verdict_denies(
    visit: Visit, phone: Visit, live_server: LiveServer, tmp_path: Path
) -> None:
    """A tampered QR code: the line above the result says neutrally that a QR code was read —
    never 含数字签名 in green above 签名无效. The genuine one: 数字签名已验证 in green."""
    number = live_server.demo_certificate_numbers()[0]
    cert = await _holder(live_server, number)
    forged = _qr_png(_tampered(cert["verify_url"]), tmp_path / "forged.png")
    genuine = _qr_png(cert["verify_url"], tmp_path / "genuine.png")
    for who, width in ((visit, "desktop"), (phone, "phone")):
        page = who.page
        await _login(who, "employer1")
        await page.set_input_files("#qr-file", str(forged))
        verdict = page.locator("#verdict")
        await verdict.filter(has_text="签名无效").wait_for()
        msg = page.locator("#verify-msg")
        assert await msg.inner_text() == "已读取二维码，核验结果见下方"
        assert await msg.get_attribute("class") == "flash info"
        assert "签名" not in await msg.inner_text()
        assert await page.locator("#origin-alert").is_hidden()
        await who.shot(f"employer-verify-tampered-qr-{width}")

        await page.set_input_files("#qr-file", str(genuine))
        await verdict.filter(has_text="有效").wait_for()
        assert await msg.inner_text() == "已读取二维码：数字签名已验证"
        assert await msg.get_attribute("class") == "flash ok"
        assert who.errors == [] and who.foreign_hosts() == set()


async def test_a_qr_code_pointing_at_another_site_is_answered_with_a_warning(
    visit: Visit, phone: Visit, live_server: LiveServer, tmp_path: Path
) -> None:
    """A QR code carrying a genuine certificate's number and signed query under another host:
    our own answer (有效) is shown, under a prominent warning naming that host; a URL of the
    platform's public origin (TUOYU_PUBLIC_URL, here the page's own) or of an earlier one
    (TUOYU_EARLIER_PUBLIC_URLS) gets none. Nothing is requested from the other host."""
    number = live_server.demo_certificate_numbers()[0]
    cert = await _holder(live_server, number)
    evil = _qr_png(_elsewhere(cert["verify_url"]), tmp_path / "evil.png")
    earlier = _qr_png(_elsewhere(cert["verify_url"], EARLIER_PUBLIC_URL.upper()), tmp_path / "earlier.png")
    other_port = _qr_png(_elsewhere(cert["verify_url"], "http://127.0.0.1:1"), tmp_path / "port.png")
    warning = "此二维码指向其他网站（evil.example），并非本平台的核验地址，请谨慎核对"
    for who, width in ((visit, "desktop"), (phone, "phone")):
        page = who.page
        await _login(who, "employer1")
        assert await page.get_attribute("#verify-page", "data-public-origin") == live_server.url
        await page.set_input_files("#qr-file", str(evil))
        verdict = page.locator("#verdict")
        await verdict.filter(has_text="有效").wait_for()
        alert = page.locator("#origin-alert")
        assert await alert.is_visible()
        assert (await alert.inner_text()).startswith(warning)
        assert await alert.evaluate(
            "el => el.compareDocumentPosition(document.getElementById('verdict')) & 4"
        )
        assert await alert.get_attribute("role") == "alert"
        assert await page.locator("#verify-msg").inner_text() == warning
        assert "二维码数字签名已验证" in await page.locator("#result-details").inner_text()
        # on a phone the result is scrolled into view: the warning is on screen with the verdict
        box = await alert.bounding_box()
        assert box is not None and 0 <= box["y"] < page.viewport_size["height"]
        await who.shot(f"employer-verify-foreign-qr-{width}")

        await page.set_input_files("#qr-file", str(other_port))  # same host, another port: another site
        await page.locator("#origin-alert").filter(has_text="127.0.0.1:1）").wait_for()

        await page.set_input_files("#qr-file", str(earlier))  # printed under the earlier public URL
        await alert.wait_for(state="hidden")
        await page.locator("#verify-msg").filter(has_text="数字签名已验证").wait_for()

        await page.fill("#cert-number", number)  # typed: no warning left over
        await page.click("#verify-form button[type=submit]")
        await alert.wait_for(state="hidden")
        assert who.errors == [] and who.foreign_hosts() == set()


async def test_a_refused_verification_says_when_to_try_again(
    visit: Visit, phone: Visit, live_server: LiveServer, tmp_path: Path
) -> None:
    """Over the verify rate limit (429 with Retry-After, answered here by a route standing in
    for the server's limiter) the page says after how many seconds to try again, for a scanned
    QR code and for a typed number."""
    number = live_server.demo_certificate_numbers()[0]
    cert = await _holder(live_server, number)
    genuine = _qr_png(cert["verify_url"], tmp_path / "genuine.png")
    body = '{"status_code":429,"code":"too_many_requests","detail":"请求过于频繁，请稍后再试"}'

    async def refuse(route: Any) -> None:
        await route.fulfill(
            status=429, headers={"Retry-After": "37", "Content-Type": "application/json"}, body=body
        )

    for who, width in ((visit, "desktop"), (phone, "phone")):
        page = who.page
        await _login(who, "employer1")
        await page.route(re.compile(r"/(v|api/verify)/"), refuse)
        msg = page.locator("#verify-msg")
        await page.set_input_files("#qr-file", str(genuine))
        await msg.filter(has_text="37 秒").wait_for()
        assert await msg.inner_text() == "请求过于频繁，请 37 秒后再试"
        assert await msg.get_attribute("class") == "flash error"
        await who.shot(f"employer-verify-429-{width}")
        await page.fill("#cert-number", number)
        await page.click("#verify-form button[type=submit]")
        await msg.filter(has_text="正在查询").wait_for(state="detached")
        await msg.filter(has_text="37 秒").wait_for()
        assert await msg.inner_text() == "请求过于频繁，请 37 秒后再试"
        assert all("status of 429" in e for e in who.errors), who.errors
