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

from talent_pool.tables import Practitioner


class Programme(Table, tablename="ce_programme"):
    """A certificate programme: one 1+X 幼儿照护 level or one 人社 occupation at one skill level.

    Online theory exams: ``theory_minutes`` per attempt, ``max_attempts`` per candidate and
    sitting, ``grace_seconds`` after the deadline in which a save still counts. Practical double
    marking: ``practical_tolerance`` (points between the first two markings beyond which a
    third marking is required) and ``practical_items`` (``[{"code","title","max"}]``, maxima
    adding up to 100; empty = one item 技能操作 out of 100).

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
    theory_minutes = Integer(default=90)
    max_attempts = Integer(default=2)
    grace_seconds = Integer(default=60)
    practical_tolerance = Numeric(digits=(5, 1), default=Decimal(10))
    practical_items = JSON(default=[])


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
    ``None`` until both are entered. ``extra_minutes``: extra time granted to this candidate
    for each online theory attempt (an accommodation).
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
    extra_minutes = Integer(default=0)

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
    ``verify_url`` carries the Ed25519 signature made with key ``kid``. A renewal (延续) or
    replacement (补发/换发) is a new certificate whose ``supersedes`` names the old number; the
    old one gets ``status = superseded`` and ``superseded_by`` = the new number (same
    transaction).
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
    supersedes = Varchar(length=22, default="")
    superseded_by = Varchar(length=22, default="")

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


class Question(Table, tablename="ce_question"):
    """A question of a programme's bank (题库).

    ``code`` (unique) names it in spreadsheets; ``kind``: ``single`` (单选) | ``multiple`` (多选)
    | ``true_false`` (判断); ``domain`` the knowledge area (知识领域) and ``difficulty`` 1 易 ·
    2 中 · 3 难 that blueprints draw by; ``options`` the option texts in authoring order
    (``["正确", "错误"]`` for true/false); ``answer`` the indexes of the correct options in that
    order (one for single and true/false, two or more for multiple). ``active = False`` retires
    a question: never drawn again, kept for the papers that used it. Never sent to candidates:
    papers carry their own copy without the answer.
    """

    id = Serial(primary_key=True)

    code = Varchar(length=32, unique=True)
    programme = ForeignKey(Programme, on_delete=OnDelete.restrict, index=True)
    kind = Varchar(length=12)
    domain = Varchar(length=64)
    difficulty = Integer(default=2)
    stem = Text()
    options = JSON(default=[])
    answer = JSON(default=[])
    explanation = Text(default="")
    active = Boolean(default=True)
    updated_at = Timestamptz(default=TimestamptzNow())


class BlueprintRow(Table, tablename="ce_blueprint_row"):
    """One row of a programme's theory-paper blueprint (组卷蓝图): draw ``question_count`` active
    questions of ``domain`` at ``difficulty``, each worth ``points`` (exact, one decimal). A
    blueprint's rows add up to 100 points; it is replaced as a whole."""

    id = Serial(primary_key=True)

    programme = ForeignKey(Programme, on_delete=OnDelete.restrict, index=True)
    domain = Varchar(length=64)
    difficulty = Integer()
    question_count = Integer()
    points = Numeric(digits=(5, 1))


class ExamAttempt(Table, tablename="ce_exam_attempt"):
    """One timed online theory attempt of a registered candidate (理论在线考试).

    ``Unique(result, number)``: the n-th attempt of a registration exists once, so simultaneous
    starts cannot exceed the programme's ``max_attempts``.
    ``deadline`` (aware UTC) = ``started_at`` + the programme's minutes + the candidate's extra
    minutes, fixed at start. ``status``: ``open`` | ``submitted`` (closed by the candidate) |
    ``expired`` (closed at the deadline with what was saved). ``score`` (exact, out of
    ``max_score``) is set when the attempt closes; ``closed_at`` is the submission time, or the
    deadline for an expired attempt.
    """

    id = Serial(primary_key=True)

    result = ForeignKey(ExamResult, on_delete=OnDelete.restrict, index=True)
    sitting = ForeignKey(ExamSitting, on_delete=OnDelete.restrict, index=True)
    practitioner = ForeignKey(Practitioner, on_delete=OnDelete.restrict, index=True)
    number = Integer()
    status = Varchar(length=12, default="open")
    started_at = Timestamptz()
    deadline = Timestamptz()
    closed_at = Timestamptz(null=True, default=None)
    score = Numeric(digits=(5, 1), null=True, default=None)
    max_score = Numeric(digits=(5, 1), default=Decimal(100))

    ce_exam_attempt_once = Unique(["result", "number"])


class AttemptItem(Table, tablename="ce_attempt_item"):
    """One question of an attempt's paper, as the candidate sees it, and their saved answer.

    ``Unique(attempt, position)``: a position is on a paper once. The stem and the options are copied
    at the draw in the shuffled order the candidate sees (``options``); ``correct`` holds the
    indexes of the correct options in *that* order (server-only: never in a candidate's
    response); ``chosen`` the indexes the candidate saved (``None`` = not answered);
    ``is_correct`` is set when the attempt closes.
    """

    id = Serial(primary_key=True)

    attempt = ForeignKey(ExamAttempt, on_delete=OnDelete.restrict, index=True)
    position = Integer()
    question = ForeignKey(Question, on_delete=OnDelete.restrict)
    kind = Varchar(length=12)
    stem = Text()
    options = JSON(default=[])
    correct = JSON(default=[])
    points = Numeric(digits=(5, 1))
    chosen = JSON(null=True, default=None)
    saved_at = Timestamptz(null=True, default=None)
    is_correct = Boolean(null=True, default=None)

    ce_attempt_item_once = Unique(["attempt", "position"])


class PracticalMarking(Table, tablename="ce_practical_marking"):
    """One examiner's marking of a candidate's practical assessment (实操评分).

    ``Unique(result, examiner_id)`` (an examiner marks a candidate once, correcting their own
    marking in place) and ``Unique(result, round)`` (one first, one second and at most one third
    marking). ``items`` maps each
    practical item code to its score; ``total`` is their exact sum.
    """

    id = Serial(primary_key=True)

    result = ForeignKey(ExamResult, on_delete=OnDelete.restrict, index=True)
    sitting = ForeignKey(ExamSitting, on_delete=OnDelete.restrict, index=True)
    practitioner = ForeignKey(Practitioner, on_delete=OnDelete.restrict, index=True)
    examiner_id = Integer(index=True)
    round = Integer()
    items = JSON(default={})
    total = Numeric(digits=(5, 1))
    entered_at = Timestamptz()

    ce_practical_marking_once_per_examiner = Unique(["result", "examiner_id"])
    ce_practical_marking_once_per_round = Unique(["result", "round"])


class BulkVerification(Table, tablename="ce_bulk_verification"):
    """A bulk verification request (批量核验) run in the background.

    ``items``: the rows asked about, ``[{"row", "number", "id_number"}]`` (``id_number`` empty
    when no identity match was asked for); ``as_of`` the local date the answers are for;
    ``status``: ``queued`` | ``running`` | ``done`` | ``failed``; ``done_count`` rows answered
    so far of ``total``; ``summary`` counts per outcome; ``result_xlsx`` the spreadsheet of
    answers (never containing a stored ID number). ``requested_by`` is the login id.
    """

    id = Serial(primary_key=True)

    requested_by = Integer(index=True)
    employer_id = Integer(null=True, default=None)
    as_of = Date()
    status = Varchar(length=12, default="queued")
    total = Integer(default=0)
    done_count = Integer(default=0)
    items = JSON(default=[])
    summary = JSON(default={})
    result_xlsx = Bytea(null=True, default=None)
    error = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow())
    finished_at = Timestamptz(null=True, default=None)


class IdentityCheckTally(Table, tablename="ce_identity_check_tally"):
    """How many identity comparisons (ID number against a certificate's holder) bulk
    verifications of one login were answered on one local ``day`` (``compared``): one row per certificate
    ``number``, and the row ``number = ""`` for the login's total of the day (the daily budget,
    locked while a submission is counted). ``account_id`` is the login id. Rows of past days are
    deleted when the login next submits (``certification._identity_budget``).
    ``Unique(account_id, day, number)``."""

    id = Serial(primary_key=True)
    account_id = Integer()
    day = Date()
    number = Varchar(length=64, default="")
    compared = Integer(default=0)
    ce_identity_check_tally_once = Unique(["account_id", "day", "number"])


class HolderPhoto(Table, tablename="ce_holder_photo"):
    """A practitioner's photo for the certificates rendered after it was uploaded (证件照): one
    per practitioner (replaced on upload), stored re-encoded as a JPEG without metadata
    (``certification.set_holder_photo``). ``uploaded_by`` is the account's username."""

    id = Serial(primary_key=True)
    practitioner = ForeignKey(Practitioner, on_delete=OnDelete.cascade, unique=True)
    jpeg = Bytea()
    uploaded_at = Timestamptz(default=TimestamptzNow())
    uploaded_by = Varchar(length=64, default="")


class IssuerSeal(Table, tablename="ce_issuer_seal"):
    """An issuing body's seal image (公章) printed on its certificates: one per issuer name (the
    programme's ``issuer``), stored as a PNG with transparency (``certification.set_issuer_seal``)."""

    id = Serial(primary_key=True)
    issuer = Varchar(length=255, unique=True)
    png = Bytea()
    uploaded_at = Timestamptz(default=TimestamptzNow())
    uploaded_by = Varchar(length=64, default="")
