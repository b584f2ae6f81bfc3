"""certification pure rules: pass marks, score validation, expiry, status, numbers, signing."""

from __future__ import annotations

import datetime as dt
import json
import os
import stat
from decimal import Decimal

import pytest

from certification import rules
from certification.errors import InvalidCertificateNumber
from certification.numbers import format_number, is_well_formed, normalise_number, number_prefix, parse_number
from certification.programmes import programme_definitions
from certification.signing import Keyring, jwk_thumbprint
from certification.verify_url import (
    SignedClaims,
    build_verify_url,
    has_signed_params,
    parse_and_check,
    sign_params,
)

D = Decimal


@pytest.mark.parametrize(
    ("theory", "practical", "passed"),
    [
        ("60", "60", True),
        ("60.0", "60.0", True),
        ("59.9", "60.0", False),
        ("60.0", "59.9", False),
        ("100", "0", False),
        ("95.5", "72", True),
    ],
)
def test_pass_requires_both_components_at_pass_mark(theory: str, practical: str, passed: bool) -> None:
    assert rules.exam_passed(D(theory), D(practical)) is passed


def test_pass_marks_are_configurable_and_exact() -> None:
    assert rules.exam_passed(D("70"), D("80"), pass_mark_theory=D("70"), pass_mark_practical=D("80"))
    assert not rules.exam_passed(D("69.9"), D("80"), pass_mark_theory=D("70"), pass_mark_practical=D("80"))


@pytest.mark.parametrize("value", [D("-0.1"), D("100.1"), D("60.05"), 59.9, "abc", D("NaN"), True])
def test_bad_scores_are_rejected(value: object) -> None:
    assert rules.score_problem(value) is not None
    with pytest.raises(ValueError):
        rules.to_score(value)


@pytest.mark.parametrize("value", [D("0"), D("100"), D("59.9"), 60, "88.5", D("60.00")])
def test_good_scores(value: object) -> None:
    assert rules.score_problem(value) is None


def test_expiry_handles_29_february() -> None:
    assert rules.expiry_date(dt.date(2024, 2, 29), 3) == dt.date(2027, 2, 28)
    assert rules.expiry_date(dt.date(2024, 2, 29), 4) == dt.date(2028, 2, 29)
    assert rules.expiry_date(dt.date(2026, 11, 29), 3) == dt.date(2029, 11, 29)
    assert rules.expiry_date(dt.date(2026, 11, 29), None) is None
    with pytest.raises(ValueError):
        rules.expiry_date(dt.date(2026, 1, 1), -1)


def test_status_on_a_date() -> None:
    exp = dt.date(2029, 11, 29)
    s = rules.status_on
    assert s(status="valid", status_changed_on=None, expires_on=exp, today=exp) == "valid"
    assert s(status="valid", status_changed_on=None, expires_on=exp, today=exp + dt.timedelta(1)) == "expired"
    assert s(status="valid", status_changed_on=None, expires_on=None, today=dt.date(2090, 1, 1)) == ("valid")
    day = dt.date(2027, 5, 1)
    for status in ("revoked", "suspended", "superseded"):
        assert s(status=status, status_changed_on=day, expires_on=exp, today=day) == status
        # the change does not apply before its date
        assert s(status=status, status_changed_on=day, expires_on=exp, today=day - dt.timedelta(1)) == "valid"
    assert s(status="weird", status_changed_on=None, expires_on=None, today=day) == "revoked"
    assert rules.can_change_status("valid", "revoked")
    assert rules.can_change_status("suspended", "valid")
    assert not rules.can_change_status("revoked", "valid")


def test_number_format_and_parse() -> None:
    prefix = number_prefix(year=2026, level_digit=5)
    assert prefix == "S000037000001265"
    number = format_number(prefix, 42)
    assert number == "S000037000001265000042" and len(number) == 22
    parts = parse_number(number)
    assert (parts.appraisal_body_code, parts.province, parts.site_serial) == (
        "0000",
        "37",
        "000001",
    )
    assert (parts.year2, parts.level_digit, parts.serial) == ("26", 5, 42)
    assert str(parts) == number and parts.prefix == prefix
    custom = number_prefix(year=2031, level_digit=3, appraisal_body_code="0123", site_serial="456789")
    assert format_number(custom, 999999) == "S012337456789313999999"
    # normalised: full-width, lower case, spaces
    assert parse_number(" ｓ000037000001265000042 ").serial == 42


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "S00003700000126500004",
        "X000037000001265000042",
        "S00003700000126600004A",
        "S000037000001266000042",
        "S000037000001265000000",
    ],
)
def test_bad_numbers(bad: str) -> None:
    assert not is_well_formed(bad)
    with pytest.raises(InvalidCertificateNumber):
        parse_number(bad)


def test_number_settings_are_validated() -> None:
    with pytest.raises(InvalidCertificateNumber):
        number_prefix(year=2026, level_digit=6)
    with pytest.raises(InvalidCertificateNumber):
        number_prefix(year=2026, level_digit=5, appraisal_body_code="12")
    with pytest.raises(InvalidCertificateNumber):
        format_number(number_prefix(year=2026, level_digit=5), 1_000_000)


def test_programme_definitions_from_occupations_json() -> None:
    rows = {r["code"]: r for r in programme_definitions()}
    assert {"1X-YEZH-1", "1X-YEZH-2", "1X-YEZH-3"} <= set(rows)
    assert [rows[f"1X-YEZH-{n}"]["level_digit"] for n in (1, 2, 3)] == [5, 4, 3]
    assert rows["1X-YEZH-1"]["validity_years"] == 3 and rows["1X-YEZH-1"]["kind"] == "onex"
    assert rows["4-10-01-03-L1"]["level"] == "一级/高级技师"
    assert rows["4-10-01-02-L5"]["title"] == "育婴员"
    assert "4-10-01-01-L5" not in rows  # 婴幼儿发展引导员 starts at level 4
    assert len(rows) == 3 + 4 + 3 + 5
    assert all(r["pass_mark_theory"] == D(60) == r["pass_mark_practical"] for r in rows.values())


# ------------------------------------------------------------------ signing / verify URL

ISSUED = dt.date(2026, 11, 29)


def _signed(keyring: Keyring) -> dict[str, str]:
    return sign_params(
        number="S000037000001265000001",
        programme_code="1X-YEZH-1",
        issued_on=ISSUED,
        expires_on=dt.date(2029, 11, 29),
        holder_id_number="37010219900101001X",
        holder_name="王芳",
        keyring=keyring,
    )


def test_sign_and_verify_round_trip_from_jwks_only() -> None:
    keyring = Keyring.generate()
    params = _signed(keyring)
    url = build_verify_url("https://tuoyu.example.cn/", "S000037000001265000001", params)
    assert url.startswith("https://tuoyu.example.cn/v/S000037000001265000001?i=20261129&e=20291129")
    assert url.isascii() and len(url) < 260
    offline = Keyring.from_jwks(json.dumps(keyring.jwks()))
    assert not offline.can_sign
    claims = parse_and_check("S000037000001265000001", params, offline)
    assert isinstance(claims, SignedClaims)
    assert claims.programme_code == "1X-YEZH-1" and claims.expires_on == dt.date(2029, 11, 29)
    assert keyring.kid.startswith(claims.kid)
    assert has_signed_params(params) and not has_signed_params({}) and not has_signed_params(None)


def test_jwks_shape_and_rfc7638_kid() -> None:
    keyring = Keyring.generate()
    (jwk,) = keyring.jwks()["keys"]
    assert set(jwk) == {"kty", "crv", "x", "kid", "use", "alg"}
    assert (jwk["kty"], jwk["crv"], jwk["use"], jwk["alg"]) == ("OKP", "Ed25519", "sig", "EdDSA")
    assert jwk["kid"] == keyring.kid and len(jwk["kid"]) == 43
    # RFC 8037 appendix A.3 test vector for the thumbprint
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    from certification.signing import b64url_decode

    pub = Ed25519PublicKey.from_public_bytes(b64url_decode("11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"))
    assert jwk_thumbprint(pub) == "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"


@pytest.mark.parametrize(
    ("field", "value"),
    [("i", "20261130"), ("e", "20391129"), ("e", "0"), ("p", "1X-YEZH-3"), ("h", "AAAAAAAAAAA")],
)
def test_tampered_field_fails(field: str, value: str) -> None:
    keyring = Keyring.generate()
    params = _signed(keyring)
    params[field] = value
    assert parse_and_check("S000037000001265000001", params, keyring) == "bad_signature"


def test_tampered_number_other_key_and_garbage_fail() -> None:
    keyring = Keyring.generate()
    params = _signed(keyring)
    assert parse_and_check("S000037000001265000002", params, keyring) == "bad_signature"
    assert parse_and_check("S000037000001265000001", params, Keyring.generate()) == "unknown_key"
    sig = params["s"]
    params["s"] = sig[:-2] + ("AA" if sig[-2:] != "AA" else "BA")
    assert parse_and_check("S000037000001265000001", params, keyring) == "bad_signature"
    assert parse_and_check("S000037000001265000001", {"i": "x"}, keyring).startswith("missing")
    assert parse_and_check("nonsense", params, keyring) == "bad_number"
    bad = dict(params, i="2026-11-29")
    assert parse_and_check("S000037000001265000001", bad, keyring) == "malformed:i"
    bad = dict(params, s="é" * 86)
    assert parse_and_check("S000037000001265000001", bad, keyring) == "malformed:s"


def test_keyring_from_path_generates_0600_then_reloads(tmp_path: object) -> None:
    path = os.path.join(str(tmp_path), "keys", "signing.pem")
    first = Keyring.from_path(path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    again = Keyring.from_path(path)
    assert again.kid == first.kid
    assert again.verify(b"x", first.sign(b"x"), first.kid)
    assert not again.verify(b"y", first.sign(b"x"), first.kid)
    assert not again.verify(b"x", first.sign(b"x"), "short")


@pytest.mark.parametrize(
    "value", ["1e2", "1E2", "1.5e1", D("1E+2"), D("6E+1"), "NaN", "Infinity", D("Infinity"), True, False]
)
def test_exponent_notation_non_finite_and_booleans_are_rejected(value: object) -> None:
    assert rules.score_problem(value) is not None
    with pytest.raises(ValueError):
        rules.to_score(value)


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("100", "100.0"),
        (D("100"), "100.0"),
        (60, "60.0"),
        ("60.50", "60.5"),
        (D("59.9"), "59.9"),
        ("-0", "0.0"),
    ],
)
def test_scores_are_normalised_to_one_decimal(value: object, shown: str) -> None:
    assert str(rules.to_score(value)) == shown


@pytest.mark.parametrize("value", ["1e2", "1E+2", True, False])
def test_result_in_rejects_exponent_notation_and_booleans(value: object) -> None:
    from pydantic import ValidationError

    from certification.schemas import ResultIn

    with pytest.raises(ValidationError):
        ResultIn(practitioner_id=1, theory=value, practical=D(60))  # type: ignore[arg-type]


def test_higher_1x_levels_cover_lower_ones_only() -> None:
    from certification.programmes import covering_programme_codes

    assert covering_programme_codes("1X-YEZH-1") == ("1X-YEZH-1", "1X-YEZH-2", "1X-YEZH-3")
    assert covering_programme_codes("1X-YEZH-3") == ("1X-YEZH-3",)
    assert covering_programme_codes("4-10-01-03-L5") == ("4-10-01-03-L5",)


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        (" s0000 3700 0001 2651 00001 ", "S000037000001265100001"),
        ("ｓ０００", "S000"),  # full-width
        ("\u200bS0001\ufeff", "S0001"),  # zero-width space and BOM copied from a chat or a PDF
        ("S00\u00ad01", "S0001"),  # soft hyphen
        ("<script>", "<SCRIPT>"),  # kept (refused as malformed by the caller), never raises
    ],
)
def test_typed_numbers_are_normalised(raw: str, normalised: str) -> None:
    assert normalise_number(raw) == normalised


def test_a_signature_with_its_unused_bits_changed_is_not_accepted() -> None:
    """The last base64url character of the 64-byte signature carries 4 unused bits: a URL with
    them changed decodes to the same signature but is not the URL that was issued (trial finding:
    it answered 有效)."""
    keyring = Keyring.generate()
    params = _signed(keyring)
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    last = alphabet.index(params["s"][-1])
    assert last % 16 == 0
    for other in range(last + 1, last + 16):
        changed = dict(params, s=params["s"][:-1] + alphabet[other])
        assert parse_and_check("S000037000001265000001", changed, keyring) == "malformed:s"
    assert isinstance(parse_and_check("S000037000001265000001", params, keyring), SignedClaims)


def test_a_signed_field_given_twice_is_malformed_never_one_copy_chosen() -> None:
    from certification.verify_url import query_params

    keyring = Keyring.generate()
    params = _signed(keyring)
    pairs = [*params.items(), ("i", "20301130")]
    assert parse_and_check("S000037000001265000001", query_params(pairs), keyring) == "malformed:i"
    pairs = [("i", "20301130"), *params.items()]  # the copy first
    assert parse_and_check("S000037000001265000001", query_params(pairs), keyring) == "malformed:i"
    once = query_params([*params.items(), ("utm", "a"), ("utm", "b")])
    assert once["utm"] == "a" and isinstance(
        parse_and_check("S000037000001265000001", once, keyring), SignedClaims
    )


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("i", "20261130\n", "malformed:i"),  # a pattern's "$" would let a line break through
        ("e", "0\n", "malformed:e"),
        ("k", None, "missing:k"),
        ("h", "", "missing:h"),
        ("i", "２０２６１１３０", "malformed:i"),  # full-width digits: \d would take them
        ("i", "٢٠٢٦١١٣٠", "malformed:i"),  # Arabic-Indic digits
        ("i", "20260230", "malformed:i"),  # a day that does not exist
        ("e", "20270231", "malformed:e"),
        ("e", "00000000", "malformed:e"),
        ("p", "1X|YEZH", "malformed:p"),  # the separator of the joined fields
        ("p", "-1X", "malformed:p"),
        ("h", "AAAAAAAAAA", "malformed:h"),
        ("k", "abc", "malformed:k"),
        ("k", "a" * 44, "malformed:k"),
        ("s", "A" * 85, "malformed:s"),
        ("s", "A" * 87, "malformed:s"),
        ("s", "A" * 85 + "=", "malformed:s"),
        ("s", "A" * 85 + "B", "malformed:s"),  # unused bits set
        ("s", 5, "malformed:s"),  # not text at all
    ],
)
def test_each_malformed_field_is_named_whichever_path_checks_it(
    field: str, value: object, reason: str
) -> None:
    """The fields of a QR code are checked with one pattern, the others field by field: both
    must agree on every kind of bad value (a value the pattern refuses is named; one it would
    wrongly accept would be answered bad_signature instead)."""
    keyring = Keyring.generate()
    params: dict[str, object] = dict(_signed(keyring))
    if value is None:
        del params[field]
    else:
        params[field] = value
    assert parse_and_check("S000037000001265000001", params, keyring) == reason  # type: ignore[arg-type]


def test_a_well_formed_url_signed_by_a_key_not_held_is_unknown_key() -> None:
    keyring, other = Keyring.generate(), Keyring.generate()
    params = _signed(other)
    assert parse_and_check("S000037000001265000001", params, keyring) == "unknown_key"
    assert isinstance(parse_and_check("S000037000001265000001", params, other), SignedClaims)


def test_the_holder_hash_in_a_url_is_keyed_so_the_id_number_cannot_be_searched_for() -> None:
    """Trial 2026-11-30: with the unkeyed hash, the masked ID of the public answer (first 3 and last
    2 characters) and the name printed on the certificate, a search of 3.85 million candidate ID
    numbers gave the full number back from the QR code in 7.7 s. The hash is now an HMAC with the
    service's holder-hash key: without the key no candidate can be checked against it."""
    from certification.verify_url import holder_hash, holder_matches

    keyring, other = Keyring.generate(), Keyring.generate()
    assert keyring.holder_key is not None and other.holder_key is not None
    params = _signed(keyring)
    number, id_number, name = "S000037000001265000001", "37010219900101001X", "王芳"
    unkeyed = holder_hash(number, id_number, name, None)
    assert params["h"] == holder_hash(number, id_number, name, keyring.holder_key)
    assert params["h"] != unkeyed  # what a searcher can compute
    assert params["h"] != holder_hash(number, id_number, name, other.holder_key)
    assert holder_matches(params["h"], number, id_number, name, keyring.holder_key)
    assert not holder_matches(params["h"], number, "37010219900101002X", name, keyring.holder_key)
    assert not holder_matches(params["h"], number, id_number, name, None)  # offline: cannot tell
    # QR codes printed before the change carry the unkeyed form: still this holder's
    assert holder_matches(unkeyed, number, id_number, name, keyring.holder_key)
    assert not holder_matches(unkeyed, number, id_number, "王方", keyring.holder_key)


def test_a_keyring_without_a_holder_key_cannot_issue_a_url() -> None:
    keyring = Keyring.generate()
    keyring.holder_key = None
    with pytest.raises(RuntimeError, match="TUOYU_HOLDER_HASH_KEY"):
        _signed(keyring)
