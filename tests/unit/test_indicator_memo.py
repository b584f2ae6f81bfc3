"""The targets build each indicator once per distinct input (talent_pool.targets): a memoised
indicator is the same frozen object, and everything that makes two answers differ — the
figures, the date, the scope's level, the plan's target as the regulator stored it — makes
them distinct entries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pydantic
import pytest

from talent_pool import reference
from talent_pool.targets import _indicator_value, _rule_of

DAY = dt.date(2026, 11, 30)


def _plan_entry(key: str, target: Any) -> dict[str, Any]:
    ind = next(i for i in reference.plan_for_year(2026)["indicators"] if i["key"] == key)
    return {**ind, "target": target, "unit": ind["unit"], "op": ind["op"]}


def test_the_same_inputs_give_the_same_frozen_indicator() -> None:
    rule = _rule_of(_plan_entry("certification_rate", Decimal("90.00")))
    assert _rule_of(_plan_entry("certification_rate", Decimal("90.00"))) is rule  # interned
    first = _indicator_value(rule, 9, 10, False, 0, 0, True, DAY)
    assert _indicator_value(rule, 9, 10, False, 0, 0, True, DAY) is first
    assert (first.value, first.met, first.status) == (Decimal("90.0"), True, "on_track")
    with pytest.raises(pydantic.ValidationError):
        first.note = "changed"  # type: ignore[misc]


def test_other_figures_date_level_or_target_give_other_answers() -> None:
    rule = _rule_of(_plan_entry("certification_rate", Decimal("90.00")))
    city = _indicator_value(rule, 9, 10, False, 0, 0, True, DAY)
    assert _indicator_value(rule, 8, 10, False, 0, 0, True, DAY).met is False
    assert _indicator_value(rule, 9, 10, False, 0, 0, True, dt.date(2026, 12, 31)).status == "met"
    street = _indicator_value(rule, 9, 10, False, 0, 0, False, DAY)
    assert street is not city and street == city  # 持证率 has a target in every scope

    raised = _rule_of(_plan_entry("certification_rate", Decimal("95.00")))
    assert _indicator_value(raised, 9, 10, False, 0, 0, True, DAY).met is False

    # a target of the plan file (90) and the same target stored by a regulator (90.00) are equal
    # numbers but answer differently: each keeps its own rule
    from_file = _rule_of(_plan_entry("certification_rate", Decimal(90)))
    assert from_file is not rule
    assert str(_indicator_value(from_file, 9, 10, False, 0, 0, True, DAY).target) == "90"
    assert str(city.target) == "90.00"


def test_a_city_wide_target_is_only_the_citys() -> None:
    rule = _rule_of(_plan_entry("person_trainings", Decimal(10000)))
    city = _indicator_value(rule, 12000, None, False, 0, 0, True, DAY)
    street = _indicator_value(rule, 12000, None, False, 0, 0, False, DAY)
    assert (city.target, city.met) == (Decimal(10000), True)
    assert (street.target, street.met) == (None, None)
    assert street.note == "规划目标为全市口径；本范围为其在职人员的培训人次"
