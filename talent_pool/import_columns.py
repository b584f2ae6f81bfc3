"""The columns of each import/export kind: one table, one line per column (pure, no I/O).

:data:`COLUMNS` maps a kind (``employers``, ``practitioners``, ``employments``, ``credentials``,
``trainings``) to its columns in export order. A :class:`Column` names the field, the header
written on export (the first alias), every header accepted on import (aliases: 身份证号 /
证件号码 / 公民身份号码 / 身份证 …), whether it is required, and the parser that turns a cell
into the stored value or raises ``ValueError`` with a Chinese reason, and the default of an
optional column. Employers and practitioners are compared, written and exported from this table
alone: once the table has the column, adding an employer's street code, 普惠 flag or places is
one line here. (Employments, credentials and trainings name their stored fields in
``talent_pool/_import_apply.py`` and ``_exports.py`` too.)

Headers are compared after :func:`header_key` (NFKC — full-width letters and brackets become
half-width — no white space, no ``*``/``(必填)`` marks, lower case). Cells are normalised by the
identity rules (:mod:`talent_pool.identity`): ID numbers and credit codes trimmed, full-width →
half-width, upper case; names by :func:`~talent_pool.identity.clean_person_name`. An ID number or
credit code that arrives as a number (an Excel numeric cell, or a CSV cell Excel wrote as
``3.70102E+17``) is rejected — "须为文本格式" — never rounded or converted. Garbled text and a
text cell with a control character (:mod:`talent_pool.garble`) are rejected, never saved.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from talent_pool.errors import ValidationFailed
from talent_pool.garble import control_reason, garbled_reason
from talent_pool.identity import (
    MIN_WORKING_AGE,
    SCIENTIFIC_REASON,
    age_on,
    clean_person_name,
    clean_text,
    is_scientific,
    normalise_phone,
    parse_credit_code,
    parse_id_number,
)

KINDS = ("employers", "practitioners", "employments", "credentials", "trainings")
KIND_NAMES = {
    "employers": "托育机构",
    "practitioners": "从业人员",
    "employments": "任职记录",
    "credentials": "资质证书",
    "trainings": "培训记录",
}


@dataclass(frozen=True, slots=True)
class Context:
    """What parsers need besides the cell: the local business date ``today`` and the current
    districts by code and by name (``{"370102": "370102", "历下区": "370102"}``)."""

    today: dt.date
    districts: Mapping[str, str] = field(default_factory=dict)


Parser = Callable[[Any, Context], Any]


@dataclass(frozen=True, slots=True)
class Column:
    """One column of a kind: ``field`` (key in the parsed row), ``headers`` (the first is
    written on export; all are accepted on import), ``required`` (a missing column rejects
    the file, an empty cell the row), ``parse`` (cell → value, ``ValueError`` with a Chinese
    reason), ``export`` (stored value → cell text; default ``str``), ``default`` (the value of an
    optional column left out or empty), ``numeric`` (cells are numbers: a CSV export leaves a
    leading ``-`` or ``+`` of a number alone, :func:`talent_pool.csv_text.neutralise`)."""

    field: str
    headers: tuple[str, ...]
    parse: Parser
    required: bool = True
    export: Callable[[Any], str] | None = None
    default: Any = ""
    numeric: bool = False

    @property
    def header(self) -> str:
        return self.headers[0]


def header_key(text: object) -> str:
    """A header cell compared loosely: NFKC, no white space, no required marks, lower case."""
    value = unicodedata.normalize("NFKC", str(text or ""))
    value = re.sub(r"[\s*＊]|\(必填\)|\(选填\)", "", value)
    return value.lower()


# --------------------------------------------------------------------------- cell parsers

TEXT_FORMAT = (
    "须为文本格式（该单元格是数字，Excel 会把18位号码的末位改成0或丢掉X），请把整列设为文本后重新填写"
)
SCIENTIFIC_TEXT = "号码" + SCIENTIFIC_REASON
"""A number in scientific notation typed as text (a CSV, or a text cell copied from Excel's
display): the digits are gone whatever the cell's type, so the message does not speak of a cell."""


def _is_number(raw: Any) -> bool:
    return isinstance(raw, bool | int | float | Decimal)


def _text_cell(raw: Any) -> str:
    """A text cell as ``str``; numbers are refused (``须为文本格式``), and so is a control
    character (:func:`talent_pool.garble.control_reason`: never saved, and an .xlsx could not
    hold it)."""
    if _is_number(raw):
        raise ValueError(TEXT_FORMAT)
    if isinstance(raw, dt.datetime | dt.date):
        raise ValueError("须为文本，不能是日期")
    text = "" if raw is None else str(raw)
    reason = control_reason(text)
    if reason:
        raise ValueError(reason)
    return text


def is_empty(raw: Any) -> bool:
    """An empty cell (``None`` or only white space)."""
    return raw is None or (isinstance(raw, str) and not raw.strip())


def _check_garbled(text: str) -> str:
    reason = garbled_reason(text)
    if reason:
        raise ValueError(reason)
    return text


def id_number(raw: Any, ctx: Context) -> str:
    """A resident ID number (GB 11643-1999) of a person at least 16 on ``ctx.today``. One leading
    apostrophe — the mark that makes Excel keep a typed number as text (``'370102…``), which some
    tools write into the file — is dropped (a trial's file was refused as 19 characters long)."""
    text = _text_cell(raw)
    stripped = text.strip()
    if stripped[:1] in ("'", "＇", "‘", "’") and len(stripped) > 1:
        text = stripped[1:]
    if is_scientific(text):
        raise ValueError(SCIENTIFIC_TEXT)
    try:
        rid = parse_id_number(text, today=ctx.today)
    except ValidationFailed as exc:
        raise ValueError(str(exc.detail.get("reason", exc.message))) from None
    if age_on(rid.birth_date, ctx.today) < MIN_WORKING_AGE:
        raise ValueError(f"持有人未满 {MIN_WORKING_AGE} 周岁，不能登记为从业人员（《劳动法》第十五条）")
    return rid.number


def credit_code(raw: Any, ctx: Context) -> str:
    """A unified social credit code (GB 32100-2015)."""
    text = _text_cell(raw)
    if is_scientific(text):
        raise ValueError(SCIENTIFIC_TEXT.replace("完整的18位号码", "完整的18位代码"))
    try:
        return parse_credit_code(text)
    except ValidationFailed as exc:
        raise ValueError(str(exc.detail.get("reason", exc.message))) from None


def person_name(raw: Any, ctx: Context) -> str:
    """A person's name: never garbled, never truncated (too long is rejected)."""
    text = _check_garbled(_text_cell(raw))
    return clean_person_name(text)


def _text(max_length: int, *, required: bool = True) -> Parser:
    def parse(raw: Any, ctx: Context) -> str:
        value = clean_text(_check_garbled(_text_cell(raw)))
        if required and not value:
            raise ValueError("不能为空")
        if len(value) > max_length:
            raise ValueError(f"过长（最多 {max_length} 个字符，实际 {len(value)} 个），不会截断保存")
        return value

    return parse


def _code_text(max_length: int) -> Parser:
    """A code (certificate number, programme code): no white space, half-width, upper case."""

    def parse(raw: Any, ctx: Context) -> str:
        if _is_number(raw):
            raise ValueError("须为文本格式（该单元格是数字）")
        value = "".join(unicodedata.normalize("NFKC", _check_garbled(_text_cell(raw))).split()).upper()
        if len(value) > max_length:
            raise ValueError(f"过长（最多 {max_length} 个字符）")
        return value

    return parse


def _choice(labels: Mapping[str, str], what: str) -> Parser:
    """One of ``labels`` (Chinese label → stored code); the codes themselves are accepted too."""
    accepted = {header_key(k): v for k, v in labels.items()} | {v: v for v in labels.values()}

    def parse(raw: Any, ctx: Context) -> str:
        key = header_key(_text_cell(raw))
        if key not in accepted:
            raise ValueError(f"{what}应为：{'、'.join(dict.fromkeys(labels))}")
        return accepted[key]

    return parse


def _label(labels: Mapping[str, str]) -> Callable[[Any], str]:
    by_code: dict[str, str] = {}
    for label, code in labels.items():
        by_code.setdefault(code, label)
    return lambda code: by_code.get(str(code), str(code))


_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")


def local_date(raw: Any, ctx: Context) -> dt.date:
    """A local calendar date: an Excel date cell, ``2025-03-01``, ``2025/3/1``, ``2025.3.1``,
    ``2025年3月1日`` or ``20250301``."""
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    if _is_number(raw):
        raise ValueError("日期须为日期或文本（如 2025-03-01），不能是数字")
    text = unicodedata.normalize("NFKC", str(raw)).strip()
    match = _DATE.match(text)
    if match is None and re.fullmatch(r"\d{8}", text):
        match = re.match(r"(\d{4})(\d{2})(\d{2})", text)
    if match is None:
        raise ValueError(f"日期格式应为 2025-03-01，实际为 {text!r}")
    try:
        return dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise ValueError(f"{text} 不是有效日期") from None


def optional_date(raw: Any, ctx: Context) -> dt.date | None:
    return None if is_empty(raw) else local_date(raw, ctx)


def past_date(raw: Any, ctx: Context) -> dt.date:
    """:func:`local_date` of something that has happened — a certificate issued, a training
    completed: not after ``ctx.today`` (a trial imported a training completed on 2099-03-01)."""
    day = local_date(raw, ctx)
    if day > ctx.today:
        raise ValueError(f"{day.isoformat()} 晚于今天（{ctx.today.isoformat()}），不能是未来的日期")
    return day


def hours(raw: Any, ctx: Context) -> Decimal:
    """Decimal hours, more than 0 and at most 10,000, one decimal place at most, written as a
    plain number (``1e3`` is refused, as for exam scores: ``certification.rules``)."""
    text = unicodedata.normalize("NFKC", str(raw)).strip() if not isinstance(raw, float) else repr(raw)
    if not isinstance(raw, float) and "E" in text.upper():
        raise ValueError(f"学时不能使用科学计数法（实际为 {text[:20]!r}），请填写普通数字（如 8 或 1.5）")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"学时应为数字，实际为 {text!r}") from None
    if not value.is_finite() or not (0 < value <= 10000) or (value * 10) != (value * 10).to_integral_value():
        raise ValueError("学时应大于0、不超过10000，最多一位小数")
    return value.quantize(Decimal("0.1"))


def district(raw: Any, ctx: Context) -> str:
    """A current district by code (``370102``) or name (``历下区``)."""
    text = unicodedata.normalize("NFKC", _text_cell(raw)).strip()
    code = ctx.districts.get(text)
    if code is None:
        raise ValueError(f"{text!r} 不是本市现行区县（填写区县名称或6位代码）")
    return code


def phone(raw: Any, ctx: Context) -> str:
    """A phone number as :func:`talent_pool.identity.normalise_phone` stores it (an 11-digit mobile
    or a landline with its area code); a number-typed cell is accepted only when it is a whole
    number (phones have no check digit to lose, but a float would)."""
    if isinstance(raw, int) and not isinstance(raw, bool):
        raw = str(raw)
    return normalise_phone(unicodedata.normalize("NFKC", _text_cell(raw)).strip())


def _yes_no(raw: Any, ctx: Context) -> bool:
    if isinstance(raw, str):
        _text_cell(raw)  # a control character is named as such
    key = header_key(raw if not isinstance(raw, bool) else ("是" if raw else "否"))
    if key in {"是", "y", "yes", "true", "1"}:
        return True
    if key in {"否", "n", "no", "false", "0"}:
        return False
    raise ValueError("应为 是 或 否")


EMPLOYER_KINDS = {
    "托育机构": "institution",
    "幼儿园托班": "kindergarten_class",
    "社区托育点": "community_point",
    "家庭托育点": "home_point",
}
POSITIONS = {"保育人员": "carer", "保育员": "carer", "育婴员": "carer", "教师": "teacher",
             "保健人员": "health", "保健员": "health", "管理人员": "manager", "其他": "other"}  # fmt: skip
CATEGORIES = {"岗前培训": "pre_job", "在岗培训": "refresher", "回炉培训": "refresher", "其他": "other"}
CREDENTIAL_KINDS = {"1+X证书": "onex", "职业技能等级证书": "skill_level", "其他": "other"}

_ID = ("身份证号", "身份证号码", "证件号码", "公民身份号码", "身份证", "证件号")
_NAME = ("姓名", "名字", "人员姓名")
_CREDIT = ("统一社会信用代码", "信用代码", "社会信用代码", "机构信用代码")


def _iso(value: Any) -> str:
    return value.isoformat() if value else ""


COLUMNS: dict[str, tuple[Column, ...]] = {
    "employers": (
        Column("credit_code", _CREDIT, credit_code),
        Column("name", ("机构名称", "名称", "单位名称", "托育机构名称"), _text(128)),
        Column(
            "kind", ("机构类型", "类型"), _choice(EMPLOYER_KINDS, "机构类型"), export=_label(EMPLOYER_KINDS)
        ),
        Column("district_code", ("区县代码", "所在区县", "区县", "区县名称"), district),
        Column("street", ("街道", "街道(乡镇)", "乡镇"), _text(64, required=False), required=False),
        Column("address", ("地址", "详细地址", "机构地址"), _text(255, required=False), required=False),
    ),
    "practitioners": (
        Column("id_number", _ID, id_number),
        Column("name", _NAME, person_name),
        Column("phone", ("手机号", "手机号码", "联系电话", "电话"), phone, required=False),
    ),
    "employments": (
        Column("id_number", _ID, id_number),
        Column("name", _NAME, person_name),
        Column("credit_code", _CREDIT, credit_code),
        Column(
            "position",
            ("岗位", "职务"),
            _choice(POSITIONS, "岗位"),
            required=False,
            export=_label(POSITIONS),
            default="carer",
        ),
        Column("start_date", ("入职日期", "到岗日期", "开始日期"), local_date, export=_iso),
        Column(
            "end_date", ("离职日期", "结束日期"), optional_date, required=False, export=_iso, default=None
        ),
    ),
    "credentials": (
        Column("id_number", _ID, id_number),
        Column("name", _NAME, person_name),
        Column("number", ("证书编号", "证书号", "证书号码"), _code_text(40)),
        Column(
            "kind",
            ("证书类型", "证书类别"),
            _choice(CREDENTIAL_KINDS, "证书类型"),
            export=_label(CREDENTIAL_KINDS),
        ),
        Column("title", ("证书名称",), _text(128)),
        Column("programme_code", ("项目代码", "职业代码"), _code_text(32), required=False),
        Column("level", ("等级", "证书等级"), _text(16, required=False), required=False),
        Column("issuer", ("发证机构", "发证单位"), _text(128, required=False), required=False),
        Column("issued_on", ("发证日期",), past_date, export=_iso),
        Column(
            "expires_on",
            ("有效期至", "有效期截止日期", "到期日期"),
            optional_date,
            required=False,
            export=_iso,
            default=None,
        ),
        Column(
            "qualifying",
            ("计入持证率",),
            _yes_no,
            required=False,
            export=lambda v: "是" if v else "否",
            default=True,
        ),
    ),
    "trainings": (
        Column("id_number", _ID, id_number),
        Column("name", _NAME, person_name),
        Column("title", ("培训名称", "课程名称", "培训项目"), _text(255)),
        Column(
            "category", ("培训类别", "培训类型"), _choice(CATEGORIES, "培训类别"), export=_label(CATEGORIES)
        ),
        Column("hours", ("学时", "培训学时"), hours, numeric=True),
        Column("completed_on", ("完成日期", "结业日期", "培训日期"), past_date, export=_iso),
        Column("provider", ("培训机构", "培训单位"), _text(128, required=False), required=False),
    ),
}
"""Kind → its columns in export order (see the module docstring)."""

DEFAULTS: dict[str, dict[str, Any]] = {
    kind: {c.field: c.default for c in cols if not c.required} for kind, cols in COLUMNS.items()
}
"""Values of the optional columns when a file leaves them out or a cell is empty."""


REPORT_HEADERS = ("未导入原因", "原行号")
"""The columns the import report adds after a rejected row's own cells
(``talent_pool/import_rejects.py``): skipped on import without being reported as ignored, so the
corrected report imports as it is."""


def map_headers(kind: str, cells: list[Any]) -> tuple[dict[int, Column], list[str], list[str]]:
    """The header row of a ``kind`` file: ``({cell index: column}, missing required headers,
    ignored headers)``. A column named twice counts once (the first); the report's own columns
    (:data:`REPORT_HEADERS`) are skipped silently."""
    by_key = {header_key(h): col for col in COLUMNS[kind] for h in col.headers}
    report_keys = {header_key(h) for h in REPORT_HEADERS}
    found: dict[int, Column] = {}
    taken: set[str] = set()
    ignored: list[str] = []
    for index, cell in enumerate(cells):
        if is_empty(cell) or header_key(cell) in report_keys:
            continue
        col = by_key.get(header_key(cell))
        if col is None or col.field in taken:
            ignored.append(str(cell).strip())
            continue
        found[index] = col
        taken.add(col.field)
    missing = [c.header for c in COLUMNS[kind] if c.required and c.field not in taken]
    return found, missing, ignored


def parse_row(
    kind: str, mapping: Mapping[int, Column], cells: list[Any], ctx: Context
) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """One data row: ``(values by field, [(column header, Chinese reason)])``. Values of
    optional columns default to :data:`DEFAULTS`."""
    values: dict[str, Any] = dict(DEFAULTS[kind])
    problems: list[tuple[str, str]] = []
    for index, col in mapping.items():
        raw = cells[index] if index < len(cells) else None
        if is_empty(raw):
            if col.required:
                problems.append((col.header, "不能为空"))
            continue
        try:
            values[col.field] = col.parse(raw, ctx)
        except ValueError as exc:
            problems.append((col.header, str(exc)))
    return values, problems


def export_cell(col: Column, value: Any) -> str:
    """A stored value as the text an import reads back to the same value."""
    if value is None:
        return ""
    if col.export is not None:
        return col.export(value)
    return str(value)
