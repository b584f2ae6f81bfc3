"""The regulator pages' pure parts (service/regulator.py, service/xlsx_export.py): the texts a
regulator reads, the SVG geometry of the gauges and the ranking, a credential's state in words,
and the download's file name header."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace
from urllib.parse import unquote

from service import regulator, regulator_display
from service.xlsx_export import content_disposition
from talent_pool.schemas import IndicatorValue, TargetsReport

AS_OF = dt.date(2026, 11, 29)


def _indicator(
    key: str, value: str | None, num: int | None, den: int | None, target: str | None, met: bool | None
):  # type: ignore[no-untyped-def]
    return IndicatorValue(
        key=key,
        name=key,
        unit="",
        value=None if value is None else Decimal(value),
        numerator=num,
        denominator=den,
        target=None if target is None else Decimal(target),
        op=">=",
        kind="预期性",
        met=met,
    )


def _report(scope: str, rate: str | None, num: int, den: int) -> TargetsReport:
    met = None if rate is None else Decimal(num) * 100 >= Decimal(90) * den
    return TargetsReport(
        year=2026,
        as_of=AS_OF,
        scope=scope,
        scope_name=f"区{scope}",
        employed_practitioners=den,
        indicators=[
            _indicator("certification_rate", rate, num, den, "90.00", met),
            _indicator("trainings_per_practitioner", "0.50", 1, 2, "1.00", False),
            _indicator("person_trainings", "12000", 12000, None, "10000.00", True),
            _indicator("training_bases", None, None, None, None, None),
        ],
    )


def test_texts_say_value_counts_target_and_verdict() -> None:
    r = _report("city", "92.5", 37, 40)
    assert regulator_display.indicator_text(r.indicator("certification_rate")) == "92.5%（37/40）"
    assert regulator_display.target_text(r.indicator("certification_rate")) == "≥90%"  # as written, not 90.00
    assert regulator_display.target_text(r.indicator("trainings_per_practitioner")) == "≥1"
    assert regulator_display.indicator_text(r.indicator("person_trainings")) == "12,000"
    assert regulator_display.target_text(r.indicator("training_bases")) == "全市口径"
    cells = [c.cell(r) for c in regulator.TARGET_COLUMNS]
    assert [(c.text, c.value, c.verdict) for c in cells[1:3]] == [
        ("40", 40, ""),
        ("92.5%（37/40）", 92.5, "达标"),
    ]
    bases = cells[[c.key for c in regulator.TARGET_COLUMNS].index("training_bases")]
    assert bases.status == "nodata" and bases.text == "无数据"


def test_gauges_put_value_and_target_on_one_scale() -> None:
    g = {x.key: x for x in regulator_display.gauges(_report("city", "45.0", 18, 40))}
    assert (g["certification_rate"].fill, g["certification_rate"].mark) == (45.0, 90.0)  # 0–100 %
    assert g["certification_rate"].verdict == "未达标" and g["certification_rate"].status == "notmet"
    # per person: the scale runs to 1.25 × the target, so the target sits at 80 %
    assert (g["trainings_per_practitioner"].fill, g["trainings_per_practitioner"].mark) == (40.0, 80.0)
    # 12,000 against ≥10,000: the scale runs to 12,500 (1.25 × target), the value past the target line
    assert (g["person_trainings"].fill, g["person_trainings"].mark) == (96.0, 80.0)
    assert g["person_trainings"].verdict == "达标"
    assert g["training_bases"].mark is None and g["training_bases"].verdict == "无数据"


def test_ranking_orders_districts_by_rate_with_no_data_last() -> None:
    chart = regulator_display.rate_chart(
        [
            _report("city", "70.0", 70, 100),
            _report("370102", "50.0", 1, 2),
            _report("370103", None, 0, 0),
            _report("370104", "95.0", 19, 20),
        ]
    )
    assert [b.scope for b in chart.bars] == ["370104", "370102", "370103"]  # the city is not a bar
    assert [b.short for b in chart.bars] == ["95.0% 达标", "50.0% 未达标", "无数据"]
    assert chart.bars[0].width == 0.95 * chart.plot and chart.bars[2].width == 0.0
    assert chart.target_x == chart.left + 0.9 * chart.plot
    assert chart.height == 34 + 3 * chart.row


def test_credential_state_on_a_date() -> None:
    def c(**kw: object) -> SimpleNamespace:
        base = {
            "status": "valid",
            "status_changed_on": None,
            "issued_on": dt.date(2025, 1, 1),
            "expires_on": None,
        }
        return SimpleNamespace(**{**base, **kw})

    assert regulator_display.credential_state(c(), AS_OF) == "有效"
    assert regulator_display.credential_state(c(expires_on=dt.date(2026, 11, 28)), AS_OF) == "已过期"
    assert (
        regulator_display.credential_state(c(expires_on=AS_OF), AS_OF) == "有效"
    )  # valid through its last day
    assert regulator_display.credential_state(c(status="revoked", status_changed_on=AS_OF), AS_OF) == "已吊销"
    assert (
        regulator_display.credential_state(c(status="superseded", status_changed_on=AS_OF), AS_OF) == "已换发"
    )
    assert regulator_display.credential_state(c(issued_on=dt.date(2026, 12, 1)), AS_OF) == "未生效"


def test_download_name_is_utf8_with_an_ascii_fallback() -> None:
    header = content_disposition("规划指标_2026年_济南市.xlsx", "targets-2026-city.xlsx")
    assert header.startswith('attachment; filename="targets-2026-city.xlsx"; ')
    assert header.isascii()
    assert unquote(header.split("filename*=UTF-8''")[1]) == "规划指标_2026年_济南市.xlsx"
