"""talent_pool — the core: divisions, employers, practitioners, employments, the credential and
training ledger, and the plan's talent targets. ``training`` and ``certification`` feed it."""

from talent_pool.errors import (
    Conflict,
    InvalidCreditCode,
    InvalidIdNumber,
    NotFound,
    TuoyuError,
    ValidationFailed,
)
from talent_pool.identity import mask_id_number, mask_name, parse_credit_code, parse_id_number
from talent_pool.services import (
    end_employment,
    enqueue,
    find_practitioner,
    get_employer,
    get_practitioner,
    is_current_district,
    list_districts,
    practitioner_record,
    record_credential,
    record_training,
    register_employer,
    register_practitioner,
    seed_reference_data,
    staff_of_employer,
    start_employment,
    training_hours,
    update_credential_status,
)
from talent_pool.targets import compute_targets, shortfall

__all__ = [
    "Conflict",
    "InvalidCreditCode",
    "InvalidIdNumber",
    "NotFound",
    "TuoyuError",
    "ValidationFailed",
    "compute_targets",
    "end_employment",
    "enqueue",
    "find_practitioner",
    "get_employer",
    "get_practitioner",
    "is_current_district",
    "list_districts",
    "mask_id_number",
    "mask_name",
    "parse_credit_code",
    "parse_id_number",
    "practitioner_record",
    "record_credential",
    "record_training",
    "register_employer",
    "register_practitioner",
    "seed_reference_data",
    "shortfall",
    "staff_of_employer",
    "start_employment",
    "training_hours",
    "update_credential_status",
]
