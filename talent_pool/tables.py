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
from piccolo.constraints import Unique
from piccolo.table import Table


class Division(Table, tablename="tp_division"):
    """An administrative division: the city, its districts/counties, functional zones,
    and retired address codes (kept so that old ID numbers resolve to a place name)."""

    id: Serial

    code = Varchar(length=12, unique=True)
    name = Varchar(length=64)
    level = Varchar(length=16)  # city | district | functional_zone | street | retired
    parent_code = Varchar(length=12, null=True, default=None)  # a street's district
    kind = Varchar(length=8, default="")  # 区 / 县 for districts; 街道 / 镇 / 其他 for streets
    township_count = Integer(null=True, default=None)
    # A street inside a functional zone (功能区, an overlay on streets): the zone's code.
    zone_code = Varchar(length=12, null=True, default=None, index=True)


class Employer(Table, tablename="tp_employer"):
    """A childcare employer (托育机构), keyed by its unified social credit code."""

    id: Serial

    credit_code = Varchar(length=18, unique=True)
    name = Varchar(length=128)
    kind = Varchar(length=24)  # institution | kindergarten_class | community_point | home_point
    district_code = Varchar(length=12, index=True)
    street = Varchar(length=64, default="")
    # The street (街道/镇, a ``Division`` of level ``street`` of ``district_code``); None: unknown.
    street_code = Varchar(length=12, null=True, default=None, index=True)
    address = Varchar(length=255, default="")
    created_at = Timestamptz(default=TimestamptzNow())
    # 普惠托育 (inclusive, price-capped places) and the number of places (托位数, ≥ 0)
    inclusive = Boolean(default=False)
    places = Integer(default=0)
    # a code failing the GB 32100 check character registered by a regulator's explicit override
    credit_code_override = Boolean(default=False)
    credit_code_note = Text(default="")
    credit_code_override_by = Varchar(length=64, default="")


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


class CreditRecord(Table, tablename="tp_credit_record"):
    """A credit record (红黑名单) of a practitioner: a ``commendation`` (red list) or a
    ``violation`` (black list) with its evidence, the local date it happened and who recorded it
    (a regulator's login id and name). ``lifetime_exclusion`` (终身禁入, only on a violation)
    blocks every new employment. Personal data: regulators and the person only. Never deleted: a
    record entered in error is withdrawn (``withdrawn_on``, ``withdrawn_reason``, ``withdrawn_by``).
    """

    id: Serial

    practitioner = ForeignKey(Practitioner, index=True, on_delete=OnDelete.restrict)
    kind = Varchar(length=12)  # commendation | violation
    title = Varchar(length=128)
    evidence = Text()
    occurred_on = Date()
    recorded_on = Date()
    recorded_by_id = Integer(null=True, default=None)
    recorded_by = Varchar(length=64, default="")
    lifetime_exclusion = Boolean(default=False)
    created_at = Timestamptz(default=TimestamptzNow())
    # a record entered in error is withdrawn (撤销), never deleted; a withdrawn one counts nowhere
    withdrawn_on = Date(null=True, default=None)
    withdrawn_reason = Text(default="")
    withdrawn_by = Varchar(length=64, default="")


class BackgroundCheck(Table, tablename="tp_background_check"):
    """A background check (背景审查: criminal record, child-abuse and sexual-offence registers)
    done on ``checked_on`` (local date): before hiring (``pre_hire``) and every year after
    (``annual``). ``result`` is ``clear`` or ``concern`` (with ``note``)."""

    id: Serial

    practitioner = ForeignKey(Practitioner, index=True, on_delete=OnDelete.restrict)
    kind = Varchar(length=12)  # pre_hire | annual
    checked_on = Date()
    result = Varchar(length=12)  # clear | concern
    note = Text(default="")
    recorded_by_id = Integer(null=True, default=None)
    recorded_by = Varchar(length=64, default="")
    created_at = Timestamptz(default=TimestamptzNow())


class HealthCertificate(Table, tablename="tp_health_certificate"):
    """A health certificate (健康证) valid from ``issued_on`` to ``expires_on`` (local dates,
    inclusive)."""

    id: Serial

    practitioner = ForeignKey(Practitioner, index=True, on_delete=OnDelete.restrict)
    number = Varchar(length=40)
    issuer = Varchar(length=128, default="")
    issued_on = Date()
    expires_on = Date()
    recorded_by_id = Integer(null=True, default=None)
    recorded_by = Varchar(length=64, default="")
    created_at = Timestamptz(default=TimestamptzNow())


class TalentConsent(Table, tablename="tp_talent_consent"):
    """A practitioner's consent to appear in the talent search (人才检索授权), one row a person.

    ``handle`` is the random id recruiters see for the person while ``consented``; withdrawing
    consent replaces it, so nothing a recruiter kept still points at the person. ``district_code``
    is where the person wants to work.
    """

    id: Serial

    practitioner = ForeignKey(Practitioner, unique=True, on_delete=OnDelete.restrict)
    consented = Boolean(default=False)
    district_code = Varchar(length=12, default="")
    handle = Varchar(length=32, unique=True)
    changed_at = Timestamptz(default=TimestamptzNow())


class ContactRequest(Table, tablename="tp_contact_request"):
    """An employer's request to contact a candidate, passed on by the platform: the person
    accepts (the employer then sees the phone) or declines. ``status`` pending | accepted |
    declined."""

    id: Serial

    practitioner = ForeignKey(Practitioner, index=True, on_delete=OnDelete.restrict)
    employer = ForeignKey(Employer, index=True, on_delete=OnDelete.restrict)
    message = Text(default="")
    requested_by = Varchar(length=64, default="")
    status = Varchar(length=12, default="pending")
    created_at = Timestamptz(default=TimestamptzNow())
    answered_at = Timestamptz(null=True, default=None)


class Recommendation(Table, tablename="tp_recommendation"):
    """A talent agency (人才服务机构) recommends a consenting candidate to an employer."""

    id: Serial

    practitioner = ForeignKey(Practitioner, index=True, on_delete=OnDelete.restrict)
    employer = ForeignKey(Employer, index=True, on_delete=OnDelete.restrict)
    agency_account_id = Integer()
    agency_name = Varchar(length=64, default="")
    note = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow())


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
    number = Varchar(length=40, index=True)  # verification looks imported credentials up by number
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


class TargetSnapshot(Table, tablename="tp_target_snapshot"):
    """The targets of one scope as computed on a night (``taken_on``, a local date): the
    monthly trend reads them. ``Unique(taken_on, scope)``: two schedulers write it once."""

    id: Serial

    taken_on = Date()
    scope = Varchar(length=32)  # "city" | district code | "zone:<code>" | "street:<code>"
    year = Integer()
    as_of = Date()
    data = JSON(default={})
    created_at = Timestamptz(default=TimestamptzNow())

    tp_target_snapshot_once = Unique(["taken_on", "scope"])


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
