"""Examples shown in the pages' input fields are real-looking: a certificate number in a
placeholder has the 22 characters of the real layout (certification.numbers)."""

from __future__ import annotations

import re
from pathlib import Path

from certification.numbers import NUMBER_LENGTH, parse_number

TEMPLATES = Path(__file__).resolve().parents[2] / "service" / "templates"


def test_certificate_numbers_in_placeholders_are_well_formed() -> None:
    found = []
    for template in TEMPLATES.rglob("*.html"):
        for placeholder in re.findall(r'placeholder="([^"]*)"', template.read_text(encoding="utf-8")):
            for number in re.findall(r"[YS]\d{10,}", placeholder):
                found.append((template.name, number))
                assert len(number) == NUMBER_LENGTH, (template.name, number)
                parse_number(number)  # raises InvalidCertificateNumber when malformed
    assert {name for name, _ in found} >= {"verify.html", "bulk.html"}
