"""certification — certificate programmes (1+X 幼儿照护, the 人社 occupations), exam sittings and
results, issuance with 22-character numbers, Ed25519-signed verify URLs and QR codes, PDF
rendering, verification and revocation. Feeds credentials into ``talent_pool``."""

from certification._attempts import (
    CLOSE_TASK,
    attempt_owner,
    close_attempt,
    exams_of,
    get_attempt,
    save_answers,
    set_extra_time,
    sitting_attempts,
    start_attempt,
    submit_attempt,
)
from certification._bank import (
    bank_summaries,
    blueprints,
    export_questions,
    get_blueprint,
    import_questions,
    list_questions,
    question_page,
    set_blueprint,
)
from certification._bulk import (
    BULK_TASK,
    OVER_LIMIT,
    BulkSubmitted,
    bulk_owner,
    bulk_result,
    create_bulk_verification,
    fail_bulk_verification,
    get_bulk_verification,
    identity_match,
    run_bulk_verification,
)
from certification._common import (
    RENDER_TASK,
    credential_ref,
)
from certification._documents import (
    certificates_without_documents,
    enqueue_missing_renders,
    get_document,
    render_certificate,
    render_certificates,
)
from certification._examiners import assign_examiner, examiners_of, is_examiner, sittings_of_examiner
from certification._identity_budget import IdentityLimits
from certification._images import (
    delete_holder_photo,
    holder_photo,
    issuer_seal,
    set_holder_photo,
    set_issuer_seal,
)
from certification._issuance import (
    issue_certificate_for,
    issue_certificates,
)
from certification._lifecycle import (
    expiring_certificates,
    export_credential,
    renew_certificate,
    replace_certificate,
)
from certification._match import IdentityMatch, match_identity, name_match
from certification._practical import practical_overview, record_marking
from certification._programmes import (
    get_programme,
    list_programmes,
    update_programme,
)
from certification._sittings import (
    create_sitting,
    get_sitting,
    list_candidates,
    record_results,
    register_candidate,
    result_history,
)
from certification._status import (
    reinstate_certificate,
    revoke_certificate,
    supersede_certificate,
    suspend_certificate,
)
from certification._verification import (
    VerificationRecord,
    certificates_of_practitioner,
    check_certificate,
    get_certificate,
    get_certificate_by_id,
    record_verifications,
    verify,
)
from certification.errors import (
    Conflict,
    DocumentNotRendered,
    IdentityChecksExhausted,
    InvalidCertificateNumber,
    NotEligible,
    NotFound,
    Unprintable,
    ValidationFailed,
)
from certification.programmes import seed_programmes
from certification.schemas import IssuanceResult
from certification.signing import Keyring
from certification.verify_url import SignedClaims, parse_and_check, query_params

__all__ = [
    "BULK_TASK",
    "CLOSE_TASK",
    "OVER_LIMIT",
    "RENDER_TASK",
    "BulkSubmitted",
    "Conflict",
    "DocumentNotRendered",
    "IdentityChecksExhausted",
    "IdentityLimits",
    "IdentityMatch",
    "InvalidCertificateNumber",
    "IssuanceResult",
    "Keyring",
    "NotEligible",
    "NotFound",
    "SignedClaims",
    "Unprintable",
    "ValidationFailed",
    "VerificationRecord",
    "assign_examiner",
    "attempt_owner",
    "bank_summaries",
    "blueprints",
    "bulk_owner",
    "bulk_result",
    "certificates_of_practitioner",
    "certificates_without_documents",
    "check_certificate",
    "close_attempt",
    "create_bulk_verification",
    "create_sitting",
    "credential_ref",
    "delete_holder_photo",
    "enqueue_missing_renders",
    "examiners_of",
    "exams_of",
    "expiring_certificates",
    "export_credential",
    "export_questions",
    "fail_bulk_verification",
    "get_attempt",
    "get_blueprint",
    "get_bulk_verification",
    "get_certificate",
    "get_certificate_by_id",
    "get_document",
    "get_programme",
    "get_sitting",
    "holder_photo",
    "identity_match",
    "import_questions",
    "is_examiner",
    "issue_certificate_for",
    "issue_certificates",
    "issuer_seal",
    "list_candidates",
    "list_programmes",
    "list_questions",
    "match_identity",
    "name_match",
    "parse_and_check",
    "practical_overview",
    "query_params",
    "question_page",
    "record_marking",
    "record_results",
    "record_verifications",
    "register_candidate",
    "reinstate_certificate",
    "render_certificate",
    "render_certificates",
    "renew_certificate",
    "replace_certificate",
    "result_history",
    "revoke_certificate",
    "run_bulk_verification",
    "save_answers",
    "seed_programmes",
    "set_blueprint",
    "set_extra_time",
    "set_holder_photo",
    "set_issuer_seal",
    "sitting_attempts",
    "sittings_of_examiner",
    "start_attempt",
    "submit_attempt",
    "supersede_certificate",
    "suspend_certificate",
    "update_programme",
    "verify",
]
