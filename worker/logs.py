"""Logging set-up shared by every process: each line carries the correlation id (the request id
of the request that caused the work, also inside background jobs); JSON lines when asked."""

from __future__ import annotations

import logging

from talent_pool.outbox import correlation_id


class CorrelationFilter(logging.Filter):
    """Adds ``request_id`` (the current correlation id, ``-`` outside a request or job)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = correlation_id.get() or "-"
        return True


def configure_logging(*, json_lines: bool, level: int = logging.INFO) -> None:
    """Route the ``tuoyu`` loggers to stderr with the correlation id; JSON lines
    (python-json-logger) when ``json_lines`` (``TUOYU_LOG_JSON=true``)."""
    handler = logging.StreamHandler()
    handler.addFilter(CorrelationFilter())
    if json_lines:
        from pythonjsonlogger.json import JsonFormatter

        handler.setFormatter(
            JsonFormatter("%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s", timestamp=True)
        )
    else:
        handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")
        )
    root = logging.getLogger("tuoyu")
    root.handlers[:] = [handler]
    root.setLevel(level)
    root.propagate = False
