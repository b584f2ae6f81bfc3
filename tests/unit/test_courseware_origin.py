"""``TUOYU_COURSEWARE_URL``: its origin is what the pages' media-src allows (service/settings.py,
service/security.py); a value that could smuggle another directive into the policy is refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from service.security import CSP, page_csp
from service.settings import Settings


def _settings(tmp_path: Path, url: str) -> Settings:
    return Settings(data_dir=tmp_path, courseware_url=url)


def test_the_store_origin_is_scheme_host_and_port(tmp_path: Path) -> None:
    assert _settings(tmp_path, "").media_origins() == ()
    assert _settings(tmp_path, "https://OSS.example.cn/tuoyu/").media_origins() == ("https://oss.example.cn",)
    assert _settings(tmp_path, "http://127.0.0.1:9000/cw").media_origins() == ("http://127.0.0.1:9000",)


@pytest.mark.parametrize(
    "url",
    [
        "oss.example.cn/tuoyu",
        "https://oss.example.cn; script-src *",
        "https://oss.example.cn/a b",
        "https://*.example.cn",
        "https://user@oss.example.cn",
        "ftp://oss.example.cn",
        "https://oss.example.cn/x?sig='1'",
    ],
)
def test_a_url_that_is_no_plain_base_url_is_refused(tmp_path: Path, url: str) -> None:
    with pytest.raises(ValidationError, match="TUOYU_COURSEWARE_URL"):
        _settings(tmp_path, url)


def test_page_csp_adds_the_origins_to_media_src_only() -> None:
    assert page_csp() == CSP
    csp = page_csp(("https://oss.example.cn",))
    assert "media-src 'self' blob: https://oss.example.cn;" in csp
    assert csp.count("https://oss.example.cn") == 1
