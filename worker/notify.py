"""Where trainees' notices go: the adapters of the ``training.Notifier`` port and the one the
process has bound (docs/architecture.md, "Background work").

- :class:`LogNotifier` — the embedded default (``TUOYU_SMS_BACKEND=console``): the notice is
  written to the log; the trainee reads it in the in-app inbox (``tr_notification``);
- :class:`WebhookNotifier` — ``TUOYU_SMS_BACKEND=webhook``: ``POST`` ``{"phone", "title",
  "text", "template", "params"}`` as JSON to ``TUOYU_SMS_WEBHOOK_URL`` — the SMS gateway's adapter
  may send ``text`` as it is or use ``template`` (the notice kind, e.g. ``session_tomorrow``) and
  ``params`` with its own registered SMS or WeChat template. A refused request raises, so the
  notice is retried.

The web process binds its own adapter (:func:`bind`; tests bind the recording SMS sender); a
Celery worker uses the one its settings name (:func:`current`).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

import httpx

import training
from worker.settings import WorkerSettings

log = logging.getLogger("tuoyu.notify")


class LogNotifier:
    """Writes each notice to the log at INFO level (the inbox row is the delivery)."""

    async def send(self, notice: training.Notice) -> None:
        log.info(
            "通知 %s → %s（%s）：%s", notice.kind, notice.name, notice.phone[-4:] or "站内信", notice.text
        )


@dataclass
class WebhookNotifier:
    """Posts each notice that has a phone number to the gateway at ``url``; raises on failure."""

    url: str
    timeout: float = 5.0

    async def send(self, notice: training.Notice) -> None:
        if not notice.phone:
            return  # the in-app inbox only
        async with httpx.AsyncClient(timeout=self.timeout) as client:
            response = await client.post(
                self.url,
                json={
                    "phone": notice.phone,
                    "title": notice.title,
                    "text": f"【托育培训】{notice.text}",
                    "template": notice.kind,
                    "params": dict(notice.params),
                },
            )
            response.raise_for_status()


def notifier_for(settings: WorkerSettings) -> training.Notifier:
    """The adapter ``TUOYU_SMS_BACKEND`` names."""
    if settings.sms_backend == "webhook":
        if not settings.sms_webhook_url:
            raise ValueError("TUOYU_SMS_BACKEND=webhook needs TUOYU_SMS_WEBHOOK_URL")
        return WebhookNotifier(settings.sms_webhook_url)
    return LogNotifier()


_bound: list[training.Notifier] = []


def bind(notifier: training.Notifier) -> Callable[[], None]:
    """Make ``notifier`` this process's adapter until the returned function is called."""
    _bound.append(notifier)

    def unbind() -> None:
        if notifier in _bound:
            _bound.remove(notifier)

    return unbind


def current() -> training.Notifier:
    """The adapter bound last, else the one this worker's settings name."""
    if _bound:
        return _bound[-1]
    from worker import process

    return notifier_for(process.settings())


def with_notifier(
    fn: Callable[..., Coroutine[Any, Any, Any]],
) -> Callable[..., Coroutine[Any, Any, Any]]:
    """A job function that passes ``notifier=current()`` to the domain function ``fn``."""

    async def job(*args: Any, now: dt.datetime) -> Any:
        return await fn(*args, now=now, notifier=current())

    job.__name__ = getattr(fn, "__name__", "job")
    return job
