"""The policy runs in the app's one ``before_request`` hook (service.app.before_request): a
handler with a hook of its own would replace it and skip the policy, so building such an app
fails loudly."""

from __future__ import annotations

import pytest
from litestar import Litestar, get

from service.app import _single_hook, before_request


async def _own_hook(_request: object) -> None:
    return None


@get("/ok", sync_to_thread=False)
def _ok() -> str:
    return "ok"


@get("/own", before_request=_own_hook, sync_to_thread=False)
def _own() -> str:
    return "own"


def test_an_app_whose_handlers_inherit_the_hook_builds() -> None:
    _single_hook(Litestar(route_handlers=[_ok], before_request=before_request))


def test_a_handler_with_its_own_hook_is_refused() -> None:
    with pytest.raises(RuntimeError, match="skip the policy"):
        _single_hook(Litestar(route_handlers=[_ok, _own], before_request=before_request))
