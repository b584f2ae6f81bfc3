"""Certification tables (prefix ``ce_``): programmes, exam sittings and results, certificates,
their rendered documents, serial-number sequences, the audit of score entries and the
verification log.

Timestamps are ``Timestamptz`` (UTC); business dates (exam day, issue date, expiry, status
change) are ``Date`` (local calendar dates in the configured zone). Uniqueness that matters
under concurrency is a database constraint: ``Certificate.number``, one certificate per sitting
and candidate, one direct certificate per programme, person and reference, one registration per
sitting and candidate, ``NumberSequence.key``, ``CertificateDocument.certificate``.

Records are never deleted: every foreign key is ``ON DELETE RESTRICT`` so deleting a person,
programme or certificate that has certificates/results fails instead of cascading.

Training bases belong to ``training``: ``ExamSitting.training_base_id`` is a plain integer,
not a foreign key across packages.
"""

from __future__ import annotations

from decimal import Decimal

from piccolo.columns import (
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

from talent_pool.tables import Practitioner


class Programme(Table, tablename="ce_programme"):
    """A certificate programme: one 1+X 幼儿照护 level or one 人社 occupation at one skill level.

    ``code`` e.g. ``1X-YEZH-1`` (1+X 初级) or ``4-10-01-03-L5`` (保育师 五级);
    ``kind`` is ``onex`` | ``skill_level``; ``level_digit`` (1–5, 5 = 五级/初级工) is the 16th
    character of the certificate number. Pass marks are out of 100 for each component
    (occupations.json ``appraisal``: both components ≥ 60). ``validity_years`` ``None`` means
    the certificate does not expire. ``min_training_hours`` in ``training_category`` (``None``
    = any category) is the exam eligibility rule read from the talent-pool ledger.
    """

    id = Serial(primary_key=True)

    code = Varchar(length=32, unique=True)
    kind = Varchar(length=16)  # onex | skill_level
    title = Varchar(length=128)
    level = Varchar(length=16)
    level_digit = Integer()
    occupation_code = Varchar(length=16, default="")
    pass_mark_theory = Numeric(digits=(5, 1), default=Decimal(60))
    pass_mark_practical = Numeric(digits=(5, 1), default=Decimal(60))
    validity_years = Integer(null=True, default=None)
    min_training_hours = Numeric(digits=(6, 1), default=Decimal(0))
    training_category = Varchar(length=16, null=True, default=None)
    issuer = Varchar(length=128, default="")
    active = Boolean(default=True)


class ExamSitting(Table, tablename="ce_exam_sitting"):
    """One exam sitting (考试场次) of a programme at a training base on a local date.

    ``status``: ``scheduled`` (registration and results open) | ``issued`` (a certificate has
    been issued from the sitting: registration and results are closed for good) |
    ``cancelled``.
    """

    id = Serial(primary_key=True)

    programme = ForeignKey(Programme, on_delete=OnDelete.restrict, index=True)
    training_base_id = Integer(null=True, default=None)
    exam_date = Date()
    title = Varchar(length=128, default="")
    status = Varchar(length=16, default="scheduled")
    created_at = Timestamptz(default=TimestamptzNow())


class SittingExaminer(Table, tablename="ce_sitting_examiner"):
    """An examiner assigned to a sitting (考评员): ``examiner_id`` is the examiner's login id (a
    plain integer — logins belong to the service). One row per sitting and examiner."""

    id = Serial(primary_key=True)

    sitting = ForeignKey(ExamSitting, on_delete=OnDelete.restrict, index=True)
    examiner_id = Integer(index=True)
    assigned_by = Varchar(length=64, default="")
    assigned_at = Timestamptz(default=TimestamptzNow())

    ce_sitting_examiner_once = Unique(["sitting", "examiner_id"])


class ExamResult(Table, tablename="ce_exam_result"):
    """A candidate registered for a sitting and, once entered, their scores.

    ``Unique(sitting, practitioner)``: a person is registered once per sitting.
    ``theory``/``practical`` are exact scores out of 100 with at most one decimal; ``passed`` is
    ``None`` until both are entered.
    """

    id = Serial(primary_key=True)

    sitting = ForeignKey(ExamSitting, on_delete=OnDelete.restrict, index=True)
    practitioner = ForeignKey(Practitioner, on_delete=OnDelete.restrict, index=True)
    theory = Numeric(digits=(5, 1), null=True, default=None)
    practical = Numeric(digits=(5, 1), null=True, default=None)
    passed = Boolean(null=True, default=None)
    entered_by = Varchar(length=64, default="")
    entered_at = Timestamptz(null=True, default=None)
    registered_at = Timestamptz(default=TimestamptzNow())

    ce_exam_result_one_per_sitting = Unique(["sitting", "practitioner"])


class ResultEvent(Table, tablename="ce_result_event"):
    """Audit of score entries and corrections (append-only): who entered which scores when,
    and the scores they replaced. ``action``: ``entry`` (no scores before) | ``correction``.
    ``entered_at`` is the caller's time of entry, ``recorded_at`` the database time."""

    id = Serial(primary_key=True)

    result = ForeignKey(ExamResult, on_delete=OnDelete.restrict, index=True)
    sitting = ForeignKey(ExamSitting, on_delete=OnDelete.restrict, index=True)
    practitioner = ForeignKey(Practitioner, on_delete=OnDelete.restrict, index=True)
    action = Varchar(length=12)  # entry | correction
    old_theory = Numeric(digits=(5, 1), null=True, default=None)
    old_practical = Numeric(digits=(5, 1), null=True, default=None)
    old_passed = Boolean(null=True, default=None)
    new_theory = Numeric(digits=(5, 1))
    new_practical = Numeric(digits=(5, 1))
    new_passed = Boolean()
    entered_by = Varchar(length=64)
    entered_at = Timestamptz()
    recorded_at = Timestamptz(default=TimestamptzNow())


class Certificate(Table, tablename="ce_certificate"):
    """A certificate issued here (证书). Never deleted: status changes instead.

    ``number`` is the 22-character skill-certificate number (unique by constraint).
    Issuance is idempotent by constraint: one certificate per sitting and candidate
    (``Unique(sitting, practitioner)``), and for direct issuance (no sitting) one per programme,
    person and ``issue_reference`` (``Unique(programme, practitioner, issue_reference)``;
    ``issue_reference`` is ``NULL`` for sitting issuance). ``holder_*`` are snapshots at
    issuance, as is ``issuer``. ``status``: valid | suspended | revoked | superseded.
    ``verify_url`` carries the Ed25519 signature made with key ``kid``.
    """

    id = Serial(primary_key=True)

    number = Varchar(length=22, unique=True)
    issue_reference = Varchar(length=64, null=True, default=None)
    programme = ForeignKey(Programme, on_delete=OnDelete.restrict, index=True)
    practitioner = ForeignKey(Practitioner, on_delete=OnDelete.restrict, index=True)
    sitting = ForeignKey(ExamSitting, on_delete=OnDelete.restrict, null=True, default=None)
    holder_name = Varchar(length=64)
    holder_id_number = Varchar(length=18)
    issuer = Varchar(length=128, default="")
    issued_on = Date()
    expires_on = Date(null=True, default=None)
    status = Varchar(length=12, default="valid")
    status_changed_on = Date(null=True, default=None)
    status_reason = Text(default="")
    status_changed_by = Varchar(length=64, default="")
    signature = Varchar(length=128)
    verify_url = Text()
    kid = Varchar(length=64)
    created_at = Timestamptz(default=TimestamptzNow())

    ce_certificate_one_per_sitting = Unique(["sitting", "practitioner"])
    ce_certificate_one_direct = Unique(["programme", "practitioner", "issue_reference"])


class CertificateEvent(Table, tablename="ce_certificate_event"):
    """History of a certificate's status changes (who, when, why); append-only."""

    id = Serial(primary_key=True)

    certificate = ForeignKey(Certificate, on_delete=OnDelete.restrict, index=True)
    from_status = Varchar(length=12)
    to_status = Varchar(length=12)
    effective_on = Date()
    reason = Text(default="")
    changed_by = Varchar(length=64, default="")
    recorded_at = Timestamptz(default=TimestamptzNow())


class CertificateDocument(Table, tablename="ce_certificate_document"):
    """The rendered QR code (PNG) and certificate (PDF), stored in the database so the HTTP
    app stays stateless. One row per certificate (unique), replaced on re-render."""

    id = Serial(primary_key=True)

    certificate = ForeignKey(Certificate, on_delete=OnDelete.restrict, unique=True)
    qr_png = Bytea()
    pdf = Bytea()
    rendered_at = Timestamptz(default=TimestamptzNow())


class NumberSequence(Table, tablename="ce_number_sequence"):
    """Serial counters: ``key`` is the first 16 characters of a certificate number (everything
    but the 6-digit serial); ``last`` the last serial handed out. Incremented atomically with
    ``UPDATE … SET last = last + 1 … RETURNING last``."""

    id = Serial(primary_key=True)

    key = Varchar(length=32, unique=True)
    last = Integer(default=0)


class VerificationLog(Table, tablename="ce_verification_log"):
    """One row per verification request (public page, API, bulk check)."""

    id = Serial(primary_key=True)

    number = Varchar(length=64, index=True)
    outcome = Varchar(length=12)
    signature_checked = Boolean(default=False)
    at = Timestamptz(default=TimestamptzNow())
    client = Varchar(length=128, default="")
