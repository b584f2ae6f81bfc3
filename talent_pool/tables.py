"""Talent-pool tables: divisions, employers, practitioners, employments, the ledger, plan targets.

Timestamps are ``Timestamptz`` (UTC); business dates are ``Date`` (local calendar dates in the
configured zone). Uniqueness that matters under concurrency is a database constraint.
"""

from __future__ import annotations

from piccolo.columns import (
    JSON,
    Boolean,
    Bytea,
    Date,
    ForeignKey,
    Integer,
    Numeric,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class Division(Table, tablename="tp_division"):
    """An administrative division: the city, its districts/counties, functional zones,
    and retired address codes (kept so that old ID numbers resolve to a place name)."""

    id: Serial

    code = Varchar(length=12, unique=True)
    name = Varchar(length=64)
    level = Varchar(length=16)  # city | district | functional_zone | retired
    parent_code = Varchar(length=12, null=True, default=None)
    kind = Varchar(length=8, default="")  # 区 / 县 for districts
    township_count = Integer(null=True, default=None)


class Employer(Table, tablename="tp_employer"):
    """A childcare employer (托育机构), keyed by its unified social credit code."""

    id: Serial

    credit_code = Varchar(length=18, unique=True)
    name = Varchar(length=128)
    kind = Varchar(length=24)  # institution | kindergarten_class | community_point | home_point
    district_code = Varchar(length=12, index=True)
    street = Varchar(length=64, default="")
    address = Varchar(length=255, default="")
    created_at = Timestamptz(default=TimestamptzNow())


class Practitioner(Table, tablename="tp_practitioner"):
    """A person working or training to work in infant care (从业人员), keyed by resident ID."""

    id: Serial

    id_number = Varchar(length=18, unique=True)
    name = Varchar(length=64)
    gender = Varchar(length=1)
    birth_date = Date()
    phone = Varchar(length=20, default="")
    created_at = Timestamptz(default=TimestamptzNow())


class Employment(Table, tablename="tp_employment"):
    """A practitioner's post at an employer from ``start_date`` to ``end_date`` (inclusive, local).

    ``status``: ``active`` (counts for the targets and the staff list) | ``pending`` (claimed by
    the employer, waiting for the person or a regulator to confirm) | ``declined``.
    ``confirmed_by`` names who confirmed it (``self``, a regulator's login, ``import``…).
    """

    id: Serial

    practitioner = ForeignKey(Practitioner, index=True, on_delete=OnDelete.restrict)
    employer = ForeignKey(Employer, index=True, on_delete=OnDelete.restrict)
    position = Varchar(length=24, default="carer")  # carer | teacher | health | manager | other
    start_date = Date()
    end_date = Date(null=True, default=None)
    status = Varchar(length=12, default="active")
    requested_by = Varchar(length=64, default="")
    confirmed_by = Varchar(length=64, default="")


class TrainingRecord(Table, tablename="tp_training_record"):
    """A completed training (培训记录) in the ledger: one row is one person-training.

    ``source_ref`` is unique so that a feeder recording the same completion twice
    (retry, double click) cannot count it twice.
    """

    id: Serial

    practitioner = ForeignKey(Practitioner, index=True, on_delete=OnDelete.restrict)
    category = Varchar(length=16)  # pre_job | refresher | other
    title = Varchar(length=255)
    hours = Numeric(digits=(6, 1))
    completed_on = Date(index=True)
    provider = Varchar(length=128, default="")
    source = Varchar(length=16, default="system")  # system | import | national
    source_ref = Varchar(length=64, unique=True)
    created_at = Timestamptz(default=TimestamptzNow())


class Credential(Table, tablename="tp_credential"):
    """A credential a practitioner holds (资质): issued here or elsewhere.

    ``status`` is valid | suspended | revoked | superseded; ``status_changed_on`` is the
    local date of the last change and ``status_reason`` its reason. Never deleted.
    """

    id: Serial

    practitioner = ForeignKey(Practitioner, index=True, on_delete=OnDelete.restrict)
    kind = Varchar(length=16)  # onex | skill_level | other
    programme_code = Varchar(length=32)
    level = Varchar(length=16)
    title = Varchar(length=128)
    number = Varchar(length=40)
    issuer = Varchar(length=128, default="")
    issued_on = Date()
    expires_on = Date(null=True, default=None)
    qualifying = Boolean(default=True)
    status = Varchar(length=12, default="valid")
    status_changed_on = Date(null=True, default=None)
    status_reason = Text(default="")
    source = Varchar(length=16, default="system")
    source_ref = Varchar(length=64, unique=True)
    created_at = Timestamptz(default=TimestamptzNow())


class PlanIndicator(Table, tablename="tp_plan_indicator"):
    """One row of the plan's indicator table (指标), e.g. certification_rate ≥ 90 %."""

    id: Serial

    key = Varchar(length=48, unique=True)
    category = Varchar(length=32)
    name = Varchar(length=64)
    unit = Varchar(length=16)
    op = Varchar(length=2)
    target = Numeric(digits=(12, 2))
    kind = Varchar(length=8)  # 预期性 | 约束性
    in_scope = Boolean(default=False)
    plan = Varchar(length=255, default="")


class OutboxMessage(Table, tablename="tp_outbox"):
    """Background work recorded in the same transaction as the change that causes it
    (transactional outbox; docs/architecture.md, "Background work").

    A dispatcher claims a due row by setting ``leased_until`` (``attempts`` + 1) and delivers it;
    the row is marked ``done_at`` only after the job's effect committed. A row whose lease ran
    out without ``done_at`` is due again (a worker died), so nothing is lost; jobs are
    idempotent, so nothing is done twice. ``due_at`` ``None`` means "now"; a later ``due_at``
    schedules the work (reminders days ahead). ``failed_at`` is set when the job kept failing
    (``last_error`` says why); ``tuoyu doctor`` reports such rows. ``correlation_id`` is the id of
    the request that recorded the work (its logs carry it).
    """

    id: Serial

    task = Varchar(length=96)
    args = JSON(default=[])
    created_at = Timestamptz(default=TimestamptzNow())
    due_at = Timestamptz(null=True, default=None)
    leased_until = Timestamptz(null=True, default=None)
    attempts = Integer(default=0)
    done_at = Timestamptz(null=True, default=None, index=True)
    failed_at = Timestamptz(null=True, default=None)
    last_error = Text(default="")
    correlation_id = Varchar(length=64, default="")


class ImportJob(Table, tablename="tp_import_job"):
    """A spreadsheet import (导入) run in the background (``talent_pool.run_import_job``).

    ``kind``: employers | practitioners | employments | credentials | trainings; ``source`` the
    uploaded file's bytes (dropped once the job is done); ``district_code`` the scope of a
    district regulator (``None``: the whole city); ``dry_run`` checks without writing.
    ``status``: ``queued`` | ``running`` | ``done`` | ``failed``; ``done_count`` rows read so far
    of about ``total``; ``summary`` the report without its rejected rows (counts, encoding,
    ignored columns, the first rejected rows); ``result_xlsx`` every rejected row with its
    reason. ``requested_by`` is the login id.
    """

    id: Serial

    kind = Varchar(length=16)
    requested_by = Integer(index=True)
    district_code = Varchar(length=12, null=True, default=None)
    dry_run = Boolean(default=True)
    filename = Varchar(length=255, default="")
    source = Bytea(null=True, default=None)
    status = Varchar(length=12, default="queued")
    total = Integer(default=0)
    done_count = Integer(default=0)
    summary = JSON(default={})
    result_xlsx = Bytea(null=True, default=None)
    error = Text(default="")
    as_of = Date()
    created_at = Timestamptz(default=TimestamptzNow())
    finished_at = Timestamptz(null=True, default=None)
