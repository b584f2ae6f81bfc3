"""Pydantic shapes of imports (导入) and their background jobs."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel

ImportKind = Literal["employers", "practitioners", "employments", "credentials", "trainings"]


class ImportProblem(BaseModel):
    """Why a row was not imported: its row number in the file (the header is row 1 when it is
    the first row), the column header and a Chinese reason."""

    row: int
    column: str
    reason: str


class ImportReport(BaseModel):
    """What an import did (or, with ``dry_run``, would do).

    ``rows``: data rows read; ``created``: rows written (would be written, in a dry run);
    ``unchanged``: rows already recorded exactly so (a re-import); ``rejected``: rows not
    imported, each with at least one entry in ``problems`` (every problem of every rejected row);
    ``encoding``: ``xlsx`` or the text encoding detected; ``ignored_columns``: headers that are
    not columns of this kind.
    """

    kind: ImportKind
    dry_run: bool
    encoding: str = ""
    rows: int = 0
    created: int = 0
    unchanged: int = 0
    rejected: int = 0
    problems: list[ImportProblem] = []
    ignored_columns: list[str] = []


class ImportJobOut(BaseModel):
    """An import job: ``status`` queued | running | done | failed; ``done`` rows read of about
    ``total``; ``report`` when done (``problems`` holds at most the first 200 rejected rows'
    problems — the full list is the ``result.xlsx``); ``error`` a Chinese reason when the file
    could not be read at all; ``ahead`` while ``queued``: the import jobs before it still queued
    or running (imports run one at a time in the embedded mode; 0: it starts next), ``None``
    otherwise."""

    id: int
    kind: ImportKind
    dry_run: bool
    filename: str
    status: Literal["queued", "running", "done", "failed"]
    total: int
    done: int
    report: ImportReport | None = None
    error: str = ""
    created_at: dt.datetime
    finished_at: dt.datetime | None = None
    result_ready: bool = False
    ahead: int | None = None
