"""Finding an employer by its unified social credit code (the agency's 人才推荐 page chooses the
employer to recommend to this way): the code as typed (spaces, lower case, full-width), a code
registered under a regulator's override, an unknown code, a malformed one."""

from __future__ import annotations

import pytest

import talent_pool
from talent_pool.errors import InvalidCreditCode, NotFound
from talent_pool.identity import uscc_check_character
from talent_pool.schemas import EmployerIn
from tests.factories import make_employer

CODE = "91350100M000100Y43"


async def test_the_code_as_typed_finds_the_employer(db: None) -> None:
    employer_id = await make_employer(credit_code=CODE, name="泉城托育园")
    full_width = "".join(chr(ord(ch) + 0xFEE0) for ch in CODE.lower())
    for typed in (CODE, f"  {CODE.lower()} ", full_width):
        found = await talent_pool.find_employer_by_credit_code(typed)
        assert (found.id, found.name, found.credit_code) == (employer_id, "泉城托育园", CODE)


async def test_an_overridden_code_is_found_unknown_and_malformed_codes_are_explained(db: None) -> None:
    first17 = "91370102MA3C0X1PK"
    wrong = "1" if uscc_check_character(first17) != "1" else "2"
    odd = await talent_pool.register_employer(
        EmployerIn(
            credit_code=first17 + wrong,
            name="老字号托育园",
            district_code="370102",
            credit_code_override=True,
            credit_code_note="已核实营业执照原件",
        ),
        override_by="city",
    )
    assert (await talent_pool.find_employer_by_credit_code(first17 + wrong)).id == odd.id
    unknown = "91370102MA3C0X1PL" + uscc_check_character("91370102MA3C0X1PL")
    with pytest.raises(NotFound, match="未在本平台登记"):
        await talent_pool.find_employer_by_credit_code(unknown)
    with pytest.raises(InvalidCreditCode):
        await talent_pool.find_employer_by_credit_code("9137")
    with pytest.raises(InvalidCreditCode):
        await talent_pool.find_employer_by_credit_code("91370102MA3C0X1PKO")  # O is not in the set
