"""The runtime of one service process, built once from the settings ``create_app`` (or the CLI)
was given: clock, database engine and pool, signing keyring, background-work dispatcher.

Handlers receive it as the ``rt`` dependency; use cases take it as their first argument. It is
the only place that turns settings into live objects (docs/architecture.md, "Composition").
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

from piccolo.engine.base import Engine

import certification
import training
from certification.signing import Keyring, retired_key_pems
from service.audit import AuditLog
from service.settings import Settings
from service.sms import ConsoleSms, SmsNotifier, SmsSender, sms_sender
from service.verification_log import VerificationLogBuffer
from talent_pool.db import close_pool, engine_for_url, start_pool, use_engine
from worker import notify
from worker.clock import Clock
from worker.dispatch import CeleryDispatcher, Dispatcher, InProcessDispatcher
from worker.jobs import jobs_with_lease

log = logging.getLogger("tuoyu.runtime")


def make_dispatcher(settings: Settings, clock: Clock) -> Dispatcher:
    """Celery on ``TUOYU_REDIS_URL`` when set, else in-process background work."""
    if settings.redis_url:
        from worker.celery_app import make_celery

        return CeleryDispatcher(
            clock,
            make_celery(settings),
            settings.task_queue,
            sweep_seconds=settings.outbox_sweep_seconds,
            jobs=jobs_with_lease(settings.job_lease_seconds),
        )
    return InProcessDispatcher(
        clock, sweep_seconds=settings.outbox_sweep_seconds, jobs=jobs_with_lease(settings.job_lease_seconds)
    )


def load_keyring(settings: Settings) -> Keyring:
    """The Ed25519 keyring: the signing key (generated 0600 on first use) plus retired
    verify-only keys (``TUOYU_VERIFY_KEY_FILES`` and every ``*.pem`` in
    ``TUOYU_RETIRED_KEYS_DIR``, where ``tuoyu keys rotate`` puts them), with the holder-hash key
    of verify URLs (``Settings.holder_key``). Raises ``ValueError``
    naming a listed key file that is missing or not an Ed25519 key."""
    extra = []
    for path in settings.retired_key_paths():
        if not path.is_file():
            raise ValueError(f"TUOYU_VERIFY_KEY_FILES 中的密钥文件不存在：{path}")
        extra.append(path.read_bytes())
    extra += retired_key_pems(settings.retired_keys_folder())
    ring = Keyring.from_path(settings.key_path(), extra_public_pem=extra)
    ring.holder_key = settings.holder_key()
    return ring


@dataclass
class Runtime:
    """Live objects of one process. ``owns_engine``: the engine was built here (its pool is
    opened by :meth:`start` and closed by :meth:`stop`); a caller-provided engine is left alone."""

    settings: Settings
    clock: Clock
    engine: Engine
    dispatcher: Dispatcher
    owns_engine: bool = True
    sms: SmsSender = field(default_factory=ConsoleSms)
    notifier: training.Notifier = field(default_factory=notify.LogNotifier)
    verification_log: VerificationLogBuffer = field(default_factory=VerificationLogBuffer)
    audit_log: AuditLog = field(default_factory=AuditLog)
    started: bool = field(default=False, init=False)
    _unbind: Callable[[], None] | None = field(default=None, init=False, repr=False)

    @cached_property
    def keyring(self) -> Keyring:
        """The Ed25519 keyring of these settings (:func:`load_keyring`), loaded once."""
        return load_keyring(self.settings)

    @cached_property
    def session_times(self) -> training.SessionTimes:
        """The business zone and the check-in, late, check-out and reminder times (settings)."""
        conf = self.settings
        return training.SessionTimes(
            zone=conf.zone,
            checkin_opens=conf.checkin_opens_minutes,
            checkin_closes=conf.checkin_closes_minutes,
            late_after=conf.checkin_late_minutes,
            checkout_opens=conf.checkout_opens_minutes,
            checkout_closes=conf.checkout_closes_minutes,
            reminder_at=conf.reminder_time,
        )

    @cached_property
    def identity_limits(self) -> certification.IdentityLimits:
        """Identity comparisons per login and local day, bulk and single matches together
        (``TUOYU_BULK_IDENTITY_PER_CERTIFICATE`` / ``_PER_DAY``)."""
        return certification.IdentityLimits(
            per_certificate=self.settings.bulk_identity_per_certificate,
            per_day=self.settings.bulk_identity_per_day,
        )

    @cached_property
    def checkin_key(self) -> bytes:
        """The key of the rotating check-in QR codes (derived from the token secret)."""
        return self.settings.checkin_key()

    def today(self) -> dt.date:
        """Today's business date (local, ``TUOYU_TIMEZONE``)."""
        return self.clock.today()

    def now(self) -> dt.datetime:
        """The current instant (aware UTC)."""
        return self.clock.now()

    async def start(self, *, dispatch: bool = True) -> None:
        """Open the pool (own engine), bind the notifier for background notices, and start the
        dispatcher (``dispatch``)."""
        self._unbind = notify.bind(self.notifier)
        if self.owns_engine:
            await start_pool(self.engine)
        if dispatch:
            await self.dispatcher.start()
        await self.verification_log.start()
        await self.audit_log.start()
        self.started = True

    async def stop(self, *, grace: float = 10.0) -> None:
        """Stop the dispatcher and close the pool (own engine); the job being delivered and the
        connections in use get up to ``grace`` seconds each (shorter when interrupted)."""
        await self.dispatcher.stop(grace=grace)
        for buffer in (self.verification_log, self.audit_log):
            # the final flush waits at most ``grace``: after an interrupted write the embedded
            # SQLite file can stay locked until its 30-second busy timeout
            try:
                async with asyncio.timeout(grace):
                    await buffer.stop()
            except TimeoutError:
                log.warning("%s: final flush abandoned after %.0f s", type(buffer).__name__, grace)
        if self._unbind is not None:
            self._unbind()
            self._unbind = None
        if self.owns_engine:
            await close_pool(self.engine, grace_seconds=grace)
        self.started = False


def build_runtime(
    settings: Settings,
    *,
    clock: Clock | None = None,
    engine: Engine | None = None,
    sms: SmsSender | None = None,
    web: bool = False,
) -> Runtime:
    """The runtime for ``settings``; binds the engine to every table (``use_engine``). ``sms``
    replaces the sender chosen by ``TUOYU_SMS_BACKEND`` (tests record the messages) — trainees'
    notices then go through it too; otherwise notices use ``worker.notify.notifier_for``.
    ``web``: the web service's pool, whose statements time out (``TUOYU_DB_COMMAND_TIMEOUT``,
    :attr:`Settings.web_pool`); the CLI's runtime (imports, the demo, repairs) has no timeout."""
    clock = clock or Clock(settings.zone)
    owns = engine is None
    engine = engine or engine_for_url(settings.db_url, settings.web_pool if web else settings.pool)
    use_engine(engine)
    return Runtime(
        settings=settings,
        clock=clock,
        engine=engine,
        dispatcher=make_dispatcher(settings, clock),
        owns_engine=owns,
        sms=sms or sms_sender(settings.sms_backend, settings.sms_webhook_url),
        notifier=SmsNotifier(sms) if sms is not None else notify.notifier_for(settings),
    )
