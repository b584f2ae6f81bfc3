"""Web pages (Chinese): home, login redirect, regulator dashboard and drill-down, error page."""

from __future__ import annotations

from litestar.testing import AsyncTestClient

from tests.factories import PASSWORD, create_city_admin

HTML = {"Accept": "text/html"}


async def test_pages(client: AsyncTestClient) -> None:  # type: ignore[type-arg]
    home = await client.get("/", headers=HTML)
    assert home.status_code == 200 and "证书核验" in home.text
    assert 'href="/login">登录' in home.text and 'id="logout"' not in home.text
    anonymous = await client.get("/dashboard", headers=HTML, follow_redirects=False)
    assert anonymous.status_code in (302, 303) and anonymous.headers["location"] == "/login?next=%2Fdashboard"

    await create_city_admin("regulator")
    login = await client.post("/api/auth/login", json={"username": "regulator", "password": PASSWORD})
    assert login.status_code == 201  # sets the token cookie the pages use
    board = await client.get("/dashboard", headers=HTML)
    assert board.status_code == 200 and 'id="logout"' in board.text
    assert board.text.count("<tr data-scope=") == 16  # the city, its 12 districts and 3 functional zones
    assert board.text.count('data-level="district"') == 12 and board.text.count('data-level="zone"') == 3
    assert "历下区" in board.text and "商河县" in board.text and "无数据" in board.text
    drill = await client.get("/dashboard/shortfall?indicator=certification_rate&scope=370102", headers=HTML)
    assert drill.status_code == 200 and 'id="total">0<' in drill.text
    bad = await client.get("/dashboard/shortfall?indicator=nonsense", headers=HTML)
    assert (
        bad.status_code == 422
        and "不支持下钻" in bad.text
        and bad.headers["content-type"].startswith("text/html")
    )
    # the error page's 返回 is a real link: the CSP blocks javascript: URLs
    assert 'href="/" data-back>返回</a>' in bad.text and "javascript:" not in bad.text

    unknown = await client.get("/v/NO-SUCH-CERT", headers=HTML)
    assert (
        unknown.status_code == 200 and 'data-outcome="unknown"' in unknown.text and "查无此证" in unknown.text
    )


async def test_openapi_pages_load_everything_from_this_app(client: AsyncTestClient) -> None:  # type: ignore[type-arg]
    """/schema and /schema/swagger name only same-origin assets, and each is served."""
    import re

    for page in ("/schema", "/schema/swagger"):
        html = await client.get(page)
        assert html.status_code == 200, page
        urls = re.findall(r"""(?:src|href)=["']([^"']+)["']""", html.text)
        assert urls, page
        for url in urls:
            assert url.startswith("/static/"), (page, url)  # nothing from another host
            asset = await client.get(url)
            assert asset.status_code == 200 and len(asset.content) > 100, url
    spec = await client.get("/schema/openapi.json")
    assert spec.status_code == 200 and spec.json()["openapi"].startswith("3.1")


async def test_openapi_says_which_routes_need_a_login(client: AsyncTestClient) -> None:  # type: ignore[type-arg]
    """Public routes document ``security: []``; every other operation inherits the bearer login."""
    spec = (await client.get("/schema/openapi.json")).json()
    assert spec["security"], "the app-wide bearer requirement is declared"
    ops = {(path, method): op for path, item in spec["paths"].items() for method, op in item.items()}
    assert ops[("/api/verify/{number}", "get")]["security"] == []
    assert ops[("/api/auth/login", "post")]["security"] == []
    assert ops[("/health", "get")]["security"] == []
    assert ops[("/api/targets", "get")].get("security") != []
    assert ops[("/api/auth/verify-identity", "post")].get("security") != []  # needs the pending login


async def test_openapi_documents_statuses_and_times(client: AsyncTestClient) -> None:  # type: ignore[type-arg]
    spec = (await client.get("/schema/openapi.json")).json()
    sessions = spec["paths"]["/api/offerings/{offering_id}/sessions"]["post"]
    assert set(sessions["responses"]) >= {"201", "400", "401", "403", "404", "409", "422", "503"}
    assert "429" in spec["paths"]["/api/auth/login"]["post"]["responses"]
    schema_text = str(spec["components"]["schemas"])
    assert "'format': 'time'" in schema_text and "'format': 'duration'" not in schema_text  # starts_at


async def test_head_answers_like_get_without_a_body(client: AsyncTestClient) -> None:  # type: ignore[type-arg]
    """HEAD on a page, the health check and a static file: GET's status and headers (the length
    of GET's body included), no body; a page that needs a login sends HEAD to the login page too."""
    for path in ("/", "/health", "/login", "/static/app.css"):
        got = await client.get(path)
        head = await client.head(path)
        assert (head.status_code, got.status_code) == (200, 200), path
        assert head.content == b""
        assert head.headers["content-length"] == got.headers["content-length"] == str(len(got.content))
        assert head.headers["content-type"] == got.headers["content-type"]
        assert head.headers.get("content-security-policy") == got.headers.get("content-security-policy")
    page = await client.head("/dashboard", headers={"Accept": "text/html"}, follow_redirects=False)
    assert page.status_code in (302, 303) and page.headers["location"].startswith("/login")


async def test_openapi_documents_202_for_background_jobs(client: AsyncTestClient) -> None:  # type: ignore[type-arg]
    """The uploads that queue a background job answer 202 Accepted (tests/api/test_imports_api.py,
    test_bulk_verification.py): the OpenAPI document says 202, not Litestar's default 201."""
    paths = (await client.get("/schema/openapi.json")).json()["paths"]
    for path in ("/api/imports/{kind}", "/api/bulk-verifications", "/api/bulk-verifications/upload"):
        assert set(paths[path]["post"]["responses"]) & {"201", "202"} == {"202"}, path
