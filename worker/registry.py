"""Task names → async domain services. Tasks are thin: ``run(service(*ids))``.

The same table serves the Celery tasks (``worker.tasks``) and the in-process runner used when
no broker is configured (the embedded default).
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

import certification

TaskFn = Callable[..., Coroutine[Any, Any, Any]]

TASKS: dict[str, TaskFn] = {
    "certification.render_certificate": certification.render_certificate,
}


def handler(name: str) -> TaskFn:
    """The async service behind task ``name``; raises ``KeyError`` for an unknown task."""
    return TASKS[name]
