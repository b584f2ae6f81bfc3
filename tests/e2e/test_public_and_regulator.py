"""Public pages clicked through in Chromium: the certificate check on a phone and the OpenAPI
pages offline (the regulator's pages: tests/e2e/test_regulator_pages.py)."""

from __future__ import annotations

import re

from tests.e2e.conftest import LiveServer, Visit


async def test_anyone_checks_a_certificate_on_a_phone(phone: Visit, live_server: LiveServer) -> None:
    number = live_server.demo_certificate_numbers()[0]
    page = phone.page
    await phone.goto("/")
    await page.fill("#n", number)
    await page.press("#n", "Enter")
    await page.wait_for_url(f"**/v/{number}")
    outcome = page.locator("#outcome")
    assert await outcome.get_attribute("data-outcome") == "valid" and (await outcome.inner_text()) == "有效"
    full_id = r"(?<![0-9A-Z])\d{17}[0-9X](?![0-9A-Z])"
    assert not re.search(full_id, await page.content())  # never a full ID number
    await phone.shot("public-verify-phone")
    assert await phone.serious_a11y_violations() == []
    await phone.goto("/v/NO-SUCH-CERT")
    assert await page.locator("#outcome").inner_text() == "查无此证"
    assert phone.foreign_hosts() == set() and phone.errors == []


async def test_api_docs_work_offline(visit: Visit) -> None:
    page = visit.page
    await visit.goto("/schema/swagger")
    await page.wait_for_selector(".opblock", timeout=30_000)
    assert (await page.locator(".opblock").count()) > 20
    await visit.shot("openapi-swagger")
    assert visit.foreign_hosts() == set()


async def test_logging_in_goes_back_to_the_page_asked_for(visit: Visit) -> None:
    """A page that needs a login sends the browser to /login?next=<the page>; after logging in the
    browser lands there when the role may see it, on the role's home otherwise — and never on
    another site, whatever ?next= says."""
    from urllib.parse import urlparse

    page = visit.page
    await visit.goto("/dashboard/bank?tab=1")
    assert urlparse(page.url).path == "/login" and "next=%2Fdashboard%2Fbank%3Ftab%3D1" in page.url
    await visit.shot("login-with-next")
    await page.fill("#username", "admin")
    await page.fill("#password", "tuoyu-demo-2025")
    await page.click("button[type=submit]")
    await page.wait_for_url(lambda url: urlparse(url).path != "/login")
    assert urlparse(page.url).path == "/dashboard/bank" and urlparse(page.url).query == "tab=1"
    await page.wait_for_load_state("networkidle")
    await visit.shot("login-next-landed")
    await page.context.clear_cookies()
    hostiles = (
        "//evil.example/x",
        "/\\evil.example/x",
        "https://evil.example/",
        # dot segments: "/.//host/x" and "/..//host/x" resolve to the path "//host/x"
        "/.//127.0.0.1:8998/pwned",
        "/..//evil.example/x",
        "/dashboard",
    )
    for hostile in hostiles:
        # the last: a trainee may not see the regulator's dashboard → the trainee's home instead
        await visit.goto(
            "/login?next=" + hostile.replace("/", "%2F").replace("\\", "%5C").replace(":", "%3A")
        )
        await page.fill("#username", "trainee1")
        await page.fill("#password", "tuoyu-demo-2025")
        await page.click("button[type=submit]")
        await page.wait_for_url(lambda url: urlparse(url).path != "/login")
        assert (
            urlparse(page.url).netloc == urlparse(visit.base).netloc and urlparse(page.url).path == "/my"
        ), hostile
        # leave the page before logging out: its scripts, answered 401 once the cookie is gone,
        # would send the browser to /login?next=/my in the middle of the next navigation
        await page.goto("about:blank")
        await page.context.clear_cookies()
    assert visit.foreign_hosts() == set()
