"""``tuoyu import`` and ``tuoyu export`` as a subprocess on the embedded SQLite default: a dry run
of a GBK file, the import, the same file again (nothing changes), an export that imports back
with zero changes and zero rejections. The commands of a test run one after another in one
process (``tests/cli_batch.py``: one start-up, not one per command)."""

from __future__ import annotations

from pathlib import Path

from tests.cli_batch import Ran, run_commands
from tests.factories import make_id
from tests.integration.test_imports import CODE_A, EMPLOYERS, csv_bytes
from tests.integration.test_training_cli import REPO, _env


def tuoyu(data_dir: Path, *commands: list[str]) -> list[Ran]:
    """Run ``commands`` (``tuoyu`` argument lists) in order on ``data_dir``; what each gave."""
    return run_commands(list(commands), env=_env(data_dir), cwd=REPO, timeout=180)


def test_import_and_export_commands(tmp_path: Path) -> None:
    data = tmp_path / "data"
    employers = tmp_path / "机构.csv"
    employers.write_bytes(csv_bytes(EMPLOYERS, "gbk"))
    people = tmp_path / "people.csv"
    people.write_bytes(
        csv_bytes([["身份证号", "姓名"], [make_id(1), "王芳"], ["3.70102E+17", "李四"]], "utf-8", bom=True)
    )
    report = tmp_path / "report.xlsx"
    # the other kinds on SQLite: an employment, a training, a credential
    kinds = (
        ("employments", [["身份证号", "姓名", "信用代码", "入职日期"],
                         [make_id(1), "王芳", CODE_A, "2025-03-01"]]),
        ("trainings", [["身份证号", "姓名", "培训名称", "培训类别", "学时", "完成日期"],
                       [make_id(1), "王芳", "岗前培训", "岗前培训", "16", "2025-04-01"]]),
        ("credentials", [["身份证号", "姓名", "证书编号", "证书类型", "证书名称", "发证日期"],
                         [make_id(1), "王芳", "S2025001", "其他", "保育师", "2025-05-01"]]),
    )  # fmt: skip
    each_kind: list[list[str]] = []
    for kind, rows in kinds:
        path, exported = tmp_path / f"{kind}.csv", tmp_path / f"{kind}-out.csv"
        path.write_bytes(csv_bytes(rows, "utf-8"))
        each_kind += [
            ["import", kind, str(path)],
            ["export", kind, str(exported)],
            ["import", kind, str(exported), "--dry-run"],
        ]
    out = tmp_path / "export.xlsx"
    dry, done, again, mixed, *kind_runs, exported, back = tuoyu(
        data,
        ["import", "employers", str(employers), "--dry-run"],
        ["import", "employers", str(employers)],
        ["import", "employers", str(employers)],
        ["import", "practitioners", str(people), "--report", str(report)],
        *each_kind,
        ["export", "employers", str(out)],
        ["import", "employers", str(out), "--dry-run"],
    )

    assert dry.returncode == 0, dry.stdout + dry.stderr
    assert (
        "试运行（未写入任何数据）：2 行，将新增 2，已存在且一致 0，未导入 0（文件格式 gb18030）" in dry.stdout
    )
    assert "导入完成：2 行，新增 2，已存在且一致 0，未导入 0" in done.stdout, done.stdout + done.stderr
    assert "新增 0，已存在且一致 2，未导入 0" in again.stdout

    assert mixed.returncode == 1, mixed.stdout + mixed.stderr  # a rejected row: exit code 1
    assert "第 3 行 [身份证号]：号码是科学计数法" in mixed.stdout and report.exists()

    for first, export, back_in in zip(kind_runs[::3], kind_runs[1::3], kind_runs[2::3], strict=True):
        assert "新增 1，" in first.stdout, first.stdout + first.stderr
        assert export.returncode == 0, export.stdout + export.stderr
        assert "将新增 0，已存在且一致 1，未导入 0" in back_in.stdout, back_in.stdout + back_in.stderr

    assert exported.returncode == 0 and "已导出 2 条" in exported.stdout, exported.stdout + exported.stderr
    assert back.returncode == 0 and "将新增 0，已存在且一致 2，未导入 0（文件格式 xlsx）" in back.stdout


def test_import_failures_are_one_chinese_line(tmp_path: Path) -> None:
    """A garbage or empty file, and a ``--district`` that is not a current district, fail with
    exit code 1 and one Chinese line — no ``Error:`` prefix, no Python class name — and write
    nothing."""
    data = tmp_path / "data"
    garbage, empty, people = tmp_path / "garbage.xlsx", tmp_path / "empty.csv", tmp_path / "people.csv"
    garbage.write_bytes(b"PK\x03\x04 not really a zip file")
    empty.write_bytes(b"")
    people.write_bytes(csv_bytes([["身份证号", "姓名"], [make_id(1), "王芳"]], "utf-8"))
    out = tmp_path / "out.csv"
    missing = tmp_path / "no-such-folder"
    garbage_run, empty_run, district_run, export, no_folder, no_report_folder, ok = tuoyu(
        data,
        ["import", "practitioners", str(garbage)],
        ["import", "practitioners", str(empty)],
        ["import", "practitioners", str(people), "--district", "999999"],
        ["export", "practitioners", str(out), "--district", "999999"],
        ["export", "employers", str(missing / "x.csv")],
        ["import", "practitioners", str(people), "--report", str(missing / "r.xlsx")],
        ["import", "practitioners", str(people), "--district", "370102", "--dry-run"],
    )
    runs = {
        "garbage": (garbage_run, "不是有效的 xlsx 文件"),
        "empty": (empty_run, "上传的文件是空的"),
        "district": (district_run, "区县代码 '999999' 不是本市现行区县"),
        "no folder": (no_folder, f"目录不存在：{missing}\n"),  # not 意外错误：[Errno 2] …
        "no report folder": (no_report_folder, f"目录不存在：{missing}\n"),  # before any row
    }
    for name, (run, says) in runs.items():
        assert run.returncode == 1, (name, run.stdout, run.stderr)
        assert run.stderr.startswith(f"错误：{says}"), (name, run.stderr)
        assert "Error" not in run.stderr and "ValidationFailed" not in run.stderr, (name, run.stderr)
    assert "新增" not in runs["district"][0].stdout  # refused before reading a row
    assert export.returncode == 1 and export.stderr.startswith("错误：区县代码 '999999' 不是本市现行区县")
    assert not out.exists()
    assert ok.returncode == 0 and "将新增 1" in ok.stdout, ok.stdout + ok.stderr
