"""``tuoyu training …`` on the embedded SQLite default: recurring sessions, a GBK CSV from Excel
uploaded twice (the second time changes nothing), the subsidy roster xlsx, the trainer pool."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from tests.cli_batch import Ran, run_commands
from tests.factories import make_id

REPO = Path(__file__).resolve().parents[2]


def _env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TUOYU_")}
    env["TUOYU_DATA_DIR"] = str(data_dir)
    env["PYTHONPATH"] = str(REPO)
    return env


def tuoyu(data_dir: Path, *commands: list[str]) -> list[Ran]:
    """Run the ``tuoyu training`` ``commands`` in order on ``data_dir``, in one process
    (``tests/cli_batch.py``); what each gave."""
    return run_commands([["training", *argv] for argv in commands], env=_env(data_dir), cwd=REPO, timeout=180)


def test_training_commands(tmp_path: Path) -> None:
    data = tmp_path / "data"
    flow = subprocess.run(
        [sys.executable, "-m", "tests.integration.sqlite_depth_flow"],
        cwd=REPO,
        env=_env(data),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert flow.returncode == 0, flow.stderr[-3000:]
    # offering 2 (open, September 2024, two staff confirmed and one waitlisted by the flow)
    (made,) = tuoyu(data, [
        "recurring-sessions", "2", "--weekday", "3", "--from", "2024-09-09", "--to", "2024-09-30",
        "--start", "09:00", "--end", "10:00", "--skip", "2024-09-18",
    ])  # fmt: skip
    assert made.returncode == 0, made.stdout + made.stderr
    sessions = re.findall(r"课次 (\d+)：(\S+) 09:00–10:00", made.stdout)
    assert [day for _, day in sessions] == ["2024-09-11", "2024-09-25"]
    assert "跳过节假日：2024-09-18" in made.stdout and "共创建 2 次课" in made.stdout
    first = sessions[0][0]
    # what Excel on Chinese Windows saves: GBK, Chinese headers, an ID number in full-width digits
    full_width = make_id(5).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    csv_text = (
        "行编号,课次,身份证号,出勤\r\n"
        f"pad-1,{first},{full_width},出勤\r\n"
        f"pad-2,{first},{make_id(6)},缺勤\r\n"
        f"pad-3,{first},{make_id(7)},是\r\n"
        f"pad-4,{first},3.70102E+17,是\r\n"
    )
    path = tmp_path / "考勤.csv"
    path.write_bytes(csv_text.encode("gbk"))
    bad_csv = tmp_path / "bad.csv"
    bad_csv.write_text(f"行编号,课次,身份证号,出勤\npad-9,abc,{make_id(8)},是\n", encoding="utf-8")
    bad_json = tmp_path / "bad.json"
    bad_json.write_text("not json", encoding="utf-8")
    out = tmp_path / "roster.xlsx"
    unknown_districts = ("999999", "历下区")
    runs = tuoyu(
        data,
        ["upload-attendance", "2", str(path), "--by", "pad-7"],
        ["upload-attendance", "2", str(path), "--by", "pad-7"],
        ["upload-attendance", "2", str(bad_csv), "--by", "pad-7"],
        ["upload-attendance", "2", str(bad_json), "--by", "pad-7"],
        ["upload-attendance", "2", str(path)],
        ["upload-attendance", "2", str(tmp_path / "nosuch.csv"), "--by", "x"],
        ["upload-attendance", "999", str(path), "--by", "pad-7"],
        *(["trainers", "--district", unknown] for unknown in unknown_districts),
        ["subsidy-roster", "1", "--out", str(out)],
        ["subsidy-roster", "2", "--out", str(out)],
        ["trainers", "--district", "370102"],
    )
    once, twice, typed, broken, no_by, no_file, no_base, *refusals, roster, not_subsidised, pool = runs
    assert once.returncode == 0, once.stdout + once.stderr
    lines = once.stdout.splitlines()
    assert lines[0] == "第 2 行 pad-1：已记录" and lines[1] == "第 3 行 pad-2：已记录"
    assert lines[2] == "第 4 行 pad-3：拒绝：报名状态为候补中，不能记录考勤"
    assert lines[3].startswith("第 5 行 pad-4：拒绝：") and "Excel" in lines[3]
    assert lines[-1] == "已记录 2，已有相同记录 0，重复上传 0，拒绝 2"
    assert twice.stdout.splitlines()[-1] == "已记录 0，已有相同记录 0，重复上传 2，拒绝 2"
    # mistakes are told in Chinese: pydantic's words, JSON's position, click's usage errors
    assert "格式错误：session_id 应为整数" in typed.stdout and "Input should" not in typed.stdout
    assert broken.returncode == 1 and "JSON 格式错误：第 1 行第 1 列附近" in broken.stderr
    assert "Expecting" not in broken.stderr
    assert no_by.returncode == 2 and "缺少选项 --by" in no_by.stderr and "Error" not in no_by.stderr
    assert no_file.returncode == 2 and "参数 PATH：文件不存在" in no_file.stderr
    assert no_base.returncode == 1 and "实训基地 999 不存在" in no_base.stderr
    for unknown, refused in zip(unknown_districts, refusals, strict=True):
        assert refused.returncode == 1 and "不是本市现行区县" in refused.stderr, unknown
    assert roster.returncode == 0, roster.stderr
    assert out.read_bytes()[:2] == b"PK"
    assert not_subsidised.returncode == 1 and "不是补贴性培训班级" in not_subsidised.stderr
    assert "讲师甲\t讲师\t370102" in pool.stdout
