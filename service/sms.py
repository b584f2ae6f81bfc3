"""Outgoing text messages (verification codes) behind one small interface.

- :class:`ConsoleSms` — the embedded default: the message is written to the service log (an
  operator reads the code off the console during a demo);
- :class:`WebhookSms` — production: ``POST`` ``{"phone", "text"}`` as JSON to
  ``TUOYU_SMS_WEBHOOK_URL`` (the adapter of the city's SMS gateway), with a short timeout;
- :class:`RecordingSms` — tests: keeps what was sent;
- :class:`SmsNotifier` — trainees' notices (``training.Notifier``) sent as texts through a sender.

Sending never fails the request that triggers it: an error is logged, and the person can ask for
a new code.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Protocol

import httpx

from training import Notice

log = logging.getLogger("tuoyu.sms")


class SmsSender(Protocol):
    """Sends one text message to a mainland mobile number."""

    async def send(self, phone: str, text: str) -> None: ...


class ConsoleSms:
    """Writes the message to the log instead of sending it."""

    async def send(self, phone: str, text: str) -> None:
        log.warning("SMS to %s: %s", phone, text)


@dataclass
class WebhookSms:
    """Posts ``{"phone", "text"}`` to the gateway at ``url``."""

    url: str
    timeout: float = 5.0

    async def send(self, phone: str, text: str) -> None:
        try:
            async with httpx.AsyncClient(timeout=self.timeout) as client:
                response = await client.post(self.url, json={"phone": phone, "text": text})
                response.raise_for_status()
        except httpx.HTTPError as exc:
            log.error("SMS gateway refused a message to %s: %r", phone[-4:], exc)


@dataclass
class RecordingSms:
    """Keeps every message (tests read the codes from it)."""

    sent: list[tuple[str, str]] = field(default_factory=list)

    async def send(self, phone: str, text: str) -> None:
        self.sent.append((phone, text))


@dataclass
class SmsNotifier:
    """The ``training.Notifier`` port on an :class:`SmsSender`: a notice with a phone number is
    texted as ``【托育培训】<text>``; one without stays in the in-app inbox only."""

    sender: SmsSender

    async def send(self, notice: Notice) -> None:
        if notice.phone:
            await self.sender.send(notice.phone, f"【托育培训】{notice.text}")


def sms_sender(backend: str, webhook_url: str) -> SmsSender:
    """The sender for ``TUOYU_SMS_BACKEND`` (``console`` or ``webhook``)."""
    if backend == "webhook":
        if not webhook_url:
            raise ValueError("TUOYU_SMS_BACKEND=webhook needs TUOYU_SMS_WEBHOOK_URL")
        return WebhookSms(webhook_url)
    return ConsoleSms()
