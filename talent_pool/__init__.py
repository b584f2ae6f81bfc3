"""talent_pool — the core: divisions, employers, practitioners, employments, the credential and
training ledger, and the plan's talent targets. ``training`` and ``certification`` feed it.

The public API is what this module exports (async use cases in private modules, one per
section). Every write runs in :func:`talent_pool.db.atomic`, so a caller that already holds a
transaction (training completion, certificate issuance) feeds the ledger in *its* transaction.
Background work is recorded with :func:`talent_pool.outbox.enqueue`."""

from talent_pool._employments import (
    claim_employment,
    decide_employment,
    employments,
    employs,
    end_employment,
    get_employment,
    practitioner_districts,
    start_employment,
)
from talent_pool._exports import export_bytes, export_rows, export_to
from talent_pool._imports import (
    IMPORT_TASK,
    MAX_UPLOAD_BYTES,
    check_kind,
    create_import_job,
    get_import_job,
    import_job_owner,
    import_job_result,
    import_stream,
    run_import_job,
)
from talent_pool._ledger import (
    count_rows,
    practitioner_record,
    record_credential,
    record_credentials,
    record_training,
    training_hours,
    training_hours_of,
    update_credential_status,
)
from talent_pool._registry import (
    NO_MATCH,
    find_practitioner,
    get_employer,
    get_practitioner,
    is_current_district,
    list_districts,
    match_practitioner,
    register_employer,
    register_practitioner,
    seed_reference_data,
)
from talent_pool._staff import (
    staff_of_employer,
)
from talent_pool.errors import (
    Conflict,
    InvalidCreditCode,
    InvalidIdNumber,
    NotFound,
    TuoyuError,
    ValidationFailed,
)
from talent_pool.identity import mask_id_number, mask_name, parse_credit_code, parse_id_number
from talent_pool.targets import compute_targets, compute_targets_table, shortfall

__all__ = [
    "IMPORT_TASK",
    "MAX_UPLOAD_BYTES",
    "NO_MATCH",
    "Conflict",
    "InvalidCreditCode",
    "InvalidIdNumber",
    "NotFound",
    "TuoyuError",
    "ValidationFailed",
    "check_kind",
    "claim_employment",
    "compute_targets",
    "compute_targets_table",
    "count_rows",
    "create_import_job",
    "decide_employment",
    "employments",
    "employs",
    "end_employment",
    "export_bytes",
    "export_rows",
    "export_to",
    "find_practitioner",
    "get_employer",
    "get_employment",
    "get_import_job",
    "get_practitioner",
    "import_job_owner",
    "import_job_result",
    "import_stream",
    "is_current_district",
    "list_districts",
    "mask_id_number",
    "mask_name",
    "match_practitioner",
    "parse_credit_code",
    "parse_id_number",
    "practitioner_districts",
    "practitioner_record",
    "record_credential",
    "record_credentials",
    "record_training",
    "register_employer",
    "register_practitioner",
    "run_import_job",
    "seed_reference_data",
    "shortfall",
    "staff_of_employer",
    "start_employment",
    "training_hours",
    "training_hours_of",
    "update_credential_status",
]
