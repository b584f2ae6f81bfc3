"""training schemas: strict types at the edge and plausible business dates (no database)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from pydantic import ValidationError

from training.schemas import AttendanceEntry, OfferingIn, SessionIn

OFFERING = {
    "course_id": 1,
    "training_base_id": 1,
    "start_date": "2026-12-01",
    "end_date": "2026-12-07",
    "capacity": 30,
}
SESSION = {"day": "2026-12-01", "starts_at": "09:00", "ends_at": "12:00"}


@pytest.mark.parametrize("present", ["yes", "true", "1", 1, 0, "是", None])
def test_attendance_present_must_be_a_json_boolean(present: object) -> None:
    with pytest.raises(ValidationError):
        AttendanceEntry.model_validate({"enrollment_id": 1, "present": present})
    with pytest.raises(ValidationError):
        AttendanceEntry.model_validate_json(json.dumps({"enrollment_id": 1, "present": present}))


@pytest.mark.parametrize("key", ["enrollment_id", "practitioner_id"])
@pytest.mark.parametrize("value", ["12", 12.0, True])
def test_attendance_ids_must_be_json_integers(key: str, value: object) -> None:
    with pytest.raises(ValidationError):
        AttendanceEntry.model_validate({key: value})
    with pytest.raises(ValidationError):
        AttendanceEntry.model_validate_json(json.dumps({key: value}))


def test_attendance_accepts_real_booleans_and_integers() -> None:
    entry = AttendanceEntry.model_validate_json('{"enrollment_id": 12, "present": false}')
    assert (entry.enrollment_id, entry.present) == (12, False)
    assert AttendanceEntry.model_validate({"practitioner_id": 3}).present is True


@pytest.mark.parametrize("capacity", ["30", 30.0, "三十", True])
def test_capacity_must_be_a_json_integer(capacity: object) -> None:
    with pytest.raises(ValidationError):
        OfferingIn.model_validate(OFFERING | {"capacity": capacity})
    with pytest.raises(ValidationError):
        OfferingIn.model_validate_json(json.dumps(OFFERING | {"capacity": capacity}))
    assert OfferingIn.model_validate_json(json.dumps(OFFERING)).capacity == 30


@pytest.mark.parametrize("field", ["start_date", "end_date"])
@pytest.mark.parametrize("value", ["0001-01-01", "1999-12-31", "2101-01-01", "9999-12-31"])
def test_offering_dates_are_bounded(field: str, value: str) -> None:
    with pytest.raises(ValidationError) as err:
        OfferingIn.model_validate(OFFERING | {field: value})
    message = str(err.value)
    assert "超出允许范围" in message and "2000-01-01" in message and "2100-12-31" in message


@pytest.mark.parametrize("value", ["0001-01-01", "1999-12-31", "2101-01-01"])
def test_session_day_is_bounded(value: str) -> None:
    with pytest.raises(ValidationError) as err:
        SessionIn.model_validate(SESSION | {"day": value})
    assert "超出允许范围" in str(err.value)


def test_date_bounds_are_inclusive() -> None:
    edge = OfferingIn.model_validate(OFFERING | {"start_date": "2000-01-01", "end_date": "2100-12-31"})
    assert (edge.start_date, edge.end_date) == (dt.date(2000, 1, 1), dt.date(2100, 12, 31))
    assert SessionIn.model_validate(SESSION | {"day": "2100-12-31"}).day == dt.date(2100, 12, 31)
    assert SessionIn.model_validate(SESSION | {"day": "2000-01-01"}).day == dt.date(2000, 1, 1)


@pytest.mark.parametrize("capacity", ["true", "false", "null", "30.5", "[30]", '{"n": 30}', '"30"'])
def test_capacity_rejects_every_non_integer_json_value(capacity: str) -> None:
    body = json.dumps(OFFERING).replace('"capacity": 30', f'"capacity": {capacity}')
    assert f'"capacity": {capacity}' in body
    with pytest.raises(ValidationError) as err:
        OfferingIn.model_validate_json(body)
    assert err.value.errors()[0]["loc"] == ("capacity",)


@pytest.mark.parametrize("key", ["course_id", "training_base_id"])
@pytest.mark.parametrize("value", ["true", '"1"', "1.0"])
def test_offering_ids_must_be_json_integers(key: str, value: str) -> None:
    body = json.dumps(OFFERING).replace(f'"{key}": 1', f'"{key}": {value}')
    with pytest.raises(ValidationError):
        OfferingIn.model_validate_json(body)
    with pytest.raises(ValidationError):
        OfferingIn.model_validate(json.loads(body))
