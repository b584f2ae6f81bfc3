"""Training subsidies (职业培训补贴): pure rules, the roster shapes and the xlsx a 人社 office
expects (no I/O; the spreadsheet is CPU work — callers run :func:`roster_xlsx` in a thread).

Eligibility — source and status
-------------------------------
Vocational training subsidies are paid per person and training to people in employment who
completed a subsidised class (人社部门职业培训补贴: 同一职业（工种）同一等级不重复享受). **Design
decision** implementing that here: a completed enrollment of a subsidised offering is eligible
when the person held a confirmed employment (any employer of the city's registry) on the
completion date, and has not been granted a subsidy for the same course in the same calendar year
of completion (the subsidy period; enforced by ``Unique(practitioner, course, period_year)``).

The certificate number printed is the training completion certificate's (培训合格证书编号),
``PX`` + year of completion + the enrollment id in eight digits (``PX202400000123``): stable,
unique, and derivable from the record.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from pydantic import BaseModel, Field, StrictInt

TITLE = "职业培训补贴申请人员花名册"
HEADERS = (
    "序号",
    "姓名",
    "公民身份号码",
    "培训课程（职业/工种）",
    "培训学时",
    "培训开始日期",
    "培训结束日期",
    "结业日期",
    "证书编号",
    "就业单位",
)
CATEGORY_NAMES = {"pre_job": "岗前培训", "refresher": "在岗培训", "other": "其他培训"}


def certificate_number(completed_on: dt.date, enrollment_id: int) -> str:
    """The training completion certificate number of an enrollment (see the module docstring)."""
    return f"PX{completed_on.year}{enrollment_id:08d}"


def subsidy_period(completed_on: dt.date) -> int:
    """The subsidy period a completion falls in: its calendar year."""
    return completed_on.year


class SubsidyRow(BaseModel):
    """One person on the roster (full ID number: the roster goes to the 人社 office)."""

    enrollment_id: int
    practitioner_id: int
    name: str
    id_number: str
    course: str
    hours: Decimal
    start_date: dt.date
    end_date: dt.date
    completed_on: dt.date
    certificate_number: str
    employer: str


class SubsidyExcluded(BaseModel):
    """A completed trainee who is not on the list, and why (``claimed``: subsidy already recorded
    for this training)."""

    enrollment_id: int
    practitioner_id: int
    name: str
    reason: str
    claimed: bool = False


class SubsidyRoster(BaseModel):
    """The eligible trainees of a subsidised, completed offering and the others with reasons."""

    offering_id: int
    offering_title: str
    training_base_name: str
    course_title: str
    course_category: str
    start_date: dt.date
    end_date: dt.date
    completed_on: dt.date | None
    period_year: int | None
    eligible: list[SubsidyRow]
    excluded: list[SubsidyExcluded]


class SubsidyFlagIn(BaseModel):
    """Flag an offering as subsidised (or not)."""

    subsidised: bool


class SubsidyClaimIn(BaseModel):
    """Record that the 人社 office granted the subsidy to these enrollments (from the roster)."""

    enrollment_ids: list[StrictInt] = Field(min_length=1, max_length=2000)
    claimed_on: dt.date | None = None


def roster_xlsx(roster: SubsidyRoster, *, prepared_on: dt.date) -> bytes:
    """The roster as an .xlsx workbook in the layout of a 人社 subsidy application: a title,
    the provider, class, course and dates, one row per person (序号, 姓名, 公民身份号码 as *text*
    so Excel never turns it into 3.70102E+17, course, hours, dates, certificate number,
    employer), totals, and lines for the seal, the preparer and the date (``prepared_on``)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    from talent_pool.xlsx_text import no_formulas, xlsx_safe

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "补贴花名册"
    last = get_column_letter(len(HEADERS))
    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    center = Alignment(horizontal="center", vertical="center", wrap_text=True)
    ws.merge_cells(f"A1:{last}1")
    ws["A1"] = TITLE
    ws["A1"].font = Font(size=16, bold=True)
    ws["A1"].alignment = center
    ws.row_dimensions[1].height = 30
    category = CATEGORY_NAMES.get(roster.course_category, roster.course_category)
    info = [
        (f"培训机构：{roster.training_base_name}", f"培训班级：{roster.offering_title}"),
        (
            f"培训课程：{roster.course_title}（{category}）",
            f"培训起止日期：{roster.start_date.isoformat()} 至 {roster.end_date.isoformat()}",
        ),
    ]
    for offset, (left, right) in enumerate(info, start=2):
        ws.merge_cells(f"A{offset}:E{offset}")
        ws.merge_cells(f"F{offset}:{last}{offset}")
        ws[f"A{offset}"] = xlsx_safe(left)
        ws[f"F{offset}"] = xlsx_safe(right)
    header_row = 4
    for col, text in enumerate(HEADERS, start=1):
        cell = ws.cell(row=header_row, column=col, value=text)
        cell.font = Font(bold=True)
        cell.alignment = center
        cell.border = box
    total_hours = Decimal(0)
    for i, row in enumerate(roster.eligible, start=1):
        r = header_row + i
        values: list[object] = [
            i,
            row.name,
            row.id_number,
            row.course,
            row.hours,
            row.start_date,
            row.end_date,
            row.completed_on,
            row.certificate_number,
            row.employer,
        ]
        total_hours += row.hours
        for col, value in enumerate(values, start=1):
            cell = ws.cell(row=r, column=col, value=xlsx_safe(value))
            cell.border = box
            if col in (3, 9):
                cell.number_format = "@"  # text: never a number in Excel
            elif col in (6, 7, 8):
                cell.number_format = "yyyy-mm-dd"
            elif col == 5:
                cell.number_format = "0.0"
    end = header_row + len(roster.eligible)
    ws.cell(row=end + 1, column=1, value=f"合计：{len(roster.eligible)} 人，培训学时合计 {total_hours}")
    ws.merge_cells(f"A{end + 1}:{last}{end + 1}")
    ws.cell(row=end + 3, column=1, value="培训机构（盖章）：")
    ws.cell(row=end + 3, column=6, value=f"填报日期：{prepared_on.isoformat()}")
    ws.cell(row=end + 4, column=1, value="制表人：")
    ws.cell(row=end + 4, column=6, value="联系电话：")
    for col, width in enumerate((6, 10, 22, 24, 10, 13, 13, 13, 18, 28), start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = f"A{header_row + 1}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.print_title_rows = f"{header_row}:{header_row}"
    buffer = io.BytesIO()
    no_formulas(wb).save(buffer)
    return buffer.getvalue()
