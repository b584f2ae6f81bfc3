"""Which scans are answered in JSON (service.api.verify.wants_json): the ``Accept`` header, its
case and its quality values (RFC 9110 §12.4.2)."""

from __future__ import annotations

import pytest

from service.api.verify import wants_json


def _scope(*accept: bytes) -> dict[str, object]:
    return {"headers": [(b"host", b"example.org"), *((b"accept", a) for a in accept)]}


@pytest.mark.parametrize(
    ("accept", "json"),
    [
        ((b"application/json",), True),
        ((b"Application/JSON",), True),
        ((b"text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",), False),  # a browser
        ((), False),
        ((b"*/*",), False),
        ((b"application/json;q=0",), False),
        ((b"application/json;q=0.0, text/html",), False),
        ((b"application/json, text/html;q=0.5",), True),
        ((b"application/json;q=0.5, text/html",), False),
        ((b"application/json, text/html",), False),  # a tie is HTML, as without weights
        ((b"text/html;q=0, application/json",), True),
        ((b"application/json;q=bogus",), True),  # a malformed weight counts as 1
        ((b"text/html;q=0.2", b"application/json;q=0.9"), True),  # two Accept fields
        ((b"application/json;charset=utf-8",), True),
        ((b"application/json;q=0.001",), True),  # a small weight is still a weight (second trial)
        ((b"text/*, application/json;q=0.9",), False),  # text/* at 1 covers HTML
        ((b"application/*",), True),
        ((b"*/*;q=0.1, application/json",), True),
        ((b"*/*, text/html;q=0",), True),  # anything but HTML: JSON
        ((b"application/json;q=0.5, */*;q=0.9",), False),  # JSON's own range (0.5) below HTML's (0.9)
    ],
)
def test_json_is_answered_when_it_is_preferred(accept: tuple[bytes, ...], json: bool) -> None:
    assert wants_json(_scope(*accept)) is json
