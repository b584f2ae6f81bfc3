"""A synthetic Jinan childcare workforce at N× Jinan's size, written with PostgreSQL ``COPY``.

1× is Jinan today: 400 employers, 5,000 practitioners, 10,000 credentials, 20,000 training
records (100× = 40,000 / 500,000 / 1,000,000 / 2,000,000). The database ``tuoyu_bench_<N>x`` is
migrated and seeded with the ``tuoyu`` CLI, then the five talent-pool tables are filled with
``asyncpg``'s ``copy_records_to_table`` from generators (nothing is held in memory but the ID
numbers already used), the id sequences are moved past the rows, and ``VACUUM ANALYZE`` leaves the
planner statistics a production database would have (and autovacuum nothing to do mid-bench).

What the data looks like (deterministic: seeded by N):

- employers in the 12 current districts of ``talent_pool/reference_data/jinan_divisions.json``,
  weighted roughly by population; valid unified social credit codes (GB 32100 check character);
  95 % with a street of their district (``jinan_streets.json``, so the functional zones — overlays
  on streets — have employers too), 5 % without (street unknown);
- practitioners with valid resident ID numbers (GB 11643 check digit): mostly Jinan address
  codes, some retired Jinan codes (older people keep them), some from elsewhere; ages 20–55,
  mostly women, the sex digit agreeing with the gender;
- on the reference date (the local date of generation) about 94 % employed; about 3 % of all
  people employed in two districts at once (the city counts them once), 1 % at two employers
  of one district; earlier ended employments, fixed-term posts ending later, a few posts
  starting later, and the boundary days (a post starting or ending on the reference date);
- credentials: valid, expired, superseded, revoked, suspended (with ``status_changed_on``),
  reinstated, and non-qualifying ones (first-aid cards), issued over the last eight years;
- training records spread evenly over the current and the previous two years (up to the
  reference date), mostly of employed people, some of people not employed (pre-job trainees).

The database is a cache: when it exists with this generator's version, scale and row counts
(recorded in its comment after a complete load) nothing is generated again. Run on its own:
``python -m bench.datagen --scale 10``.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import random
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import asyncpg

from bench import pg
from bench.servers import REPO, run_tuoyu, tuoyu_env
from talent_pool.identity import id_check_character, parse_credit_code, parse_id_number, uscc_check_character
from worker.clock import Clock

VERSION = 3
PER_1X = {"tp_employer": 400, "tp_practitioner": 5_000, "tp_credential": 10_000, "tp_training_record": 20_000}
TABLES = ("tp_employer", "tp_practitioner", "tp_employment", "tp_credential", "tp_training_record")
DIVISIONS = REPO / "talent_pool" / "reference_data" / "jinan_divisions.json"
STREETS = REPO / "talent_pool" / "reference_data" / "jinan_streets.json"

# Resident population share of each district (10,000s, rounded; Jinan statistical yearbook order
# of magnitude) — employers and posts follow people.
DISTRICT_WEIGHTS = {
    "370102": 83, "370103": 71, "370104": 54, "370105": 70, "370112": 130, "370113": 62,
    "370114": 105, "370115": 57, "370116": 99, "370117": 29, "370124": 34, "370126": 54,
}  # fmt: skip
OTHER_ADDRESS_CODES = ("370902", "371302", "370781", "371502", "371402", "410102", "130102", "320102")
EMPLOYER_KINDS = (("institution", 55), ("kindergarten_class", 30), ("community_point", 10), ("home_point", 5))
KIND_SUFFIX = {
    "institution": "托育中心",
    "kindergarten_class": "幼儿园（托班）",
    "community_point": "社区托育点",
    "home_point": "家庭托育点",
}
STEMS = ("小树苗", "金色童年", "阳光宝贝", "贝贝佳", "童之梦", "乐育", "星星河", "蒲公英", "小橡树", "爱儿")
FAMILY = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段漕钱汤尹黎易常武乔贺赖龚文"  # noqa: E501
GIVEN = "芳娜敏静丽艳娟霞秀玲桂英华红梅琳雪燕萍颖婷倩慧晶莉佳欣怡悦瑶琪涵彤蕾薇丹宁晓月兰凤洁云楠"
POSITIONS = (("carer", 60), ("teacher", 25), ("health", 8), ("manager", 5), ("other", 2))
# (programme_code, kind, level, title, validity years or None, qualifying)
CREDENTIALS = (
    ("1X-YEZH-1", "onex", "初级", "幼儿照护职业技能等级证书（初级）", 3, True),
    ("1X-YEZH-2", "onex", "中级", "幼儿照护职业技能等级证书（中级）", 3, True),
    ("4-10-01-03-L5", "skill_level", "五级/初级工", "保育师职业技能等级证书（五级）", None, True),
    ("4-10-01-02-L5", "skill_level", "五级/初级工", "育婴员职业技能等级证书（五级）", None, True),
)
FIRST_AID = ("RC-FIRST-AID", "other", "", "红十字救护员证", 3, False)
TRAININGS = {
    "pre_job": ("幼儿照护岗前培训", (16, 24, 40)),
    "refresher": ("在岗回炉培训", (8, 12, 16)),
    "other": ("婴幼儿急救专题培训", (4, 8)),
}
PROVIDERS = (
    "济南市托育职业技能实训基地（历下）",
    "山东省妇幼保健院托育培训中心",
    "济南职业学院",
    "章丘区托育服务指导中心",
)
USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"

COLUMNS = {
    "tp_employer": ("id", "credit_code", "name", "kind", "district_code", "street", "street_code", "address"),
    "tp_practitioner": ("id", "id_number", "name", "gender", "birth_date", "phone"),
    "tp_employment": ("id", "practitioner", "employer", "position", "start_date", "end_date"),
    "tp_credential": (
        "id", "practitioner", "kind", "programme_code", "level", "title", "number", "issuer",
        "issued_on", "expires_on", "qualifying", "status", "status_changed_on", "status_reason",
        "source", "source_ref",
    ),
    "tp_training_record": (
        "id", "practitioner", "category", "title", "hours", "completed_on", "provider", "source",
        "source_ref",
    ),
}  # fmt: skip


def database_name(scale: int) -> str:
    return f"tuoyu_bench_{scale}x"


def expected_rows(scale: int) -> dict[str, int]:
    """Row counts of the fixed-size tables at ``scale`` (employments follow from the people)."""
    return {table: n * scale for table, n in PER_1X.items()}


@dataclass(frozen=True)
class Dataset:
    """A generated database: its name, the reference date of its data and its row counts."""

    scale: int
    database: str
    reference: dt.date
    rows: dict[str, int]


def _weighted(rng: random.Random, pairs: tuple[tuple[str, int], ...]) -> Callable[[], str]:
    values = [v for v, _ in pairs]
    cum = []
    total = 0
    for _, w in pairs:
        total += w
        cum.append(total)

    def pick() -> str:
        return rng.choices(values, cum_weights=cum)[0]

    return pick


def _years(day: dt.date, years: int) -> dt.date:
    """``day`` plus ``years`` calendar years (29 February → 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


class Generator:
    """Rows of the five tables for one scale, generated on demand (see the module docstring)."""

    def __init__(self, scale: int, reference: dt.date) -> None:
        self.scale = scale
        self.ref = reference
        self.rng = random.Random(20261129 + scale)
        self.n = expected_rows(scale)
        divisions = json.loads(DIVISIONS.read_text())
        self.district_names = {d["code"]: d["name"] for d in divisions["districts"]}
        self.streets_of: dict[str, list[tuple[str, str]]] = {code: [] for code in self.district_names}
        for s in json.loads(STREETS.read_text())["streets"]:
            self.streets_of[s["district_code"]].append((s["code"], s["name"]))
        self.retired: list[str] = divisions["retired_address_codes"]["codes"]
        if set(self.district_names) != set(DISTRICT_WEIGHTS):
            raise RuntimeError(
                "bench/datagen.py DISTRICT_WEIGHTS must list the districts of jinan_divisions.json"
            )
        self.pick_district = _weighted(self.rng, tuple(DISTRICT_WEIGHTS.items()))
        self.pick_kind = _weighted(self.rng, EMPLOYER_KINDS)
        self.pick_position = _weighted(self.rng, POSITIONS)
        self.employers_in: dict[str, list[int]] = {code: [] for code in DISTRICT_WEIGHTS}
        self.employed = bytearray(self.n["tp_practitioner"] + 1)  # 1 = employed on the reference date
        self.employments = 0

    # ------------------------------------------------------------------ employers

    def credit_code(self, i: int, district: str, kind: str) -> str:
        body = ""
        i = (i * 7_654_321_019) % 31**9  # a bijection (the factor is prime to 31): unique, not sequential
        for _ in range(9):
            i, digit = divmod(i, 31)
            body = USCC_CHARS[digit] + body
        first17 = ("52" if kind == "kindergarten_class" else "91") + district + body
        return first17 + uscc_check_character(first17)

    def employers(self) -> Iterator[tuple[object, ...]]:
        rng = self.rng
        for i in range(1, self.n["tp_employer"] + 1):
            district, kind = self.pick_district(), self.pick_kind()
            self.employers_in[district].append(i)
            name = f"{self.district_names[district]}{rng.choice(STEMS)}{KIND_SUFFIX[kind]}（{i}）"
            picked, street = rng.choice(self.streets_of[district])
            street_code: str | None = None if rng.random() < 0.05 else picked  # 5 %: street unknown
            code = self.credit_code(i, district, kind)
            if i <= 3:
                parse_credit_code(code)  # the generator's codes are what the application accepts
            yield (i, code, name, kind, district, street, street_code, f"{street}{rng.randint(1, 999)}号")

    # ------------------------------------------------------------------ practitioners

    def address_code(self) -> str:
        u = self.rng.random()
        if u < 0.80:
            return self.pick_district()
        if u < 0.88:
            return self.rng.choice(self.retired)
        return self.rng.choice(OTHER_ADDRESS_CODES)

    def practitioners(self) -> Iterator[tuple[object, ...]]:
        rng, seen = self.rng, set()
        for i in range(1, self.n["tp_practitioner"] + 1):
            gender = "F" if rng.random() < 0.92 else "M"
            while True:
                birth = self.ref - dt.timedelta(days=rng.randint(20 * 365, 55 * 365))
                seq = rng.randrange(0, 1000, 2) + (1 if gender == "M" else 0)
                first17 = f"{self.address_code()}{birth:%Y%m%d}{seq:03d}"
                if first17 not in seen:
                    seen.add(first17)
                    break
            number = first17 + id_check_character(first17)
            if i <= 3:
                parse_id_number(number, today=self.ref)
            name = rng.choice(FAMILY) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2, 2))))
            phone = f"1{rng.choice('3589')}{rng.randrange(10**9):09d}"
            yield (i, number, name, gender, birth, phone)

    # ------------------------------------------------------------------ employments

    def _employer(self, district: str | None = None, *, not_in: str | None = None) -> tuple[int, str]:
        while True:
            d = district or self.pick_district()
            if d != not_in and self.employers_in[d]:
                return self.rng.choice(self.employers_in[d]), d

    def employment_rows(self) -> Iterator[tuple[object, ...]]:
        rng, ref = self.rng, self.ref
        eid = 0

        def row(pid: int, employer: int, start: dt.date, end: dt.date | None) -> tuple[object, ...]:
            nonlocal eid
            eid += 1
            return (eid, pid, employer, self.pick_position(), start, end)

        for pid in range(1, self.n["tp_practitioner"] + 1):
            if rng.random() < 0.94:  # employed on the reference date
                self.employed[pid] = 1
                employer, district = self._employer()
                start = ref - dt.timedelta(days=rng.randint(1, 8 * 365))
                u = rng.random()
                end = None if u < 0.9 else ref + dt.timedelta(days=rng.randint(1, 700))
                if rng.random() < 0.002:
                    start, end = (ref, None) if u < 0.5 else (start, ref)  # boundary days count
                yield row(pid, employer, start, end)
                u = rng.random()
                if u < 0.03 / 0.94:  # a second post in another district
                    other, _ = self._employer(not_in=district)
                    yield row(pid, other, ref - dt.timedelta(days=rng.randint(1, 3 * 365)), None)
                elif u < 0.04 / 0.94:  # a second employer in the same district
                    other, _ = self._employer(district)
                    if other != employer:
                        yield row(pid, other, ref - dt.timedelta(days=rng.randint(1, 3 * 365)), None)
                if rng.random() < 0.15:  # an earlier post, ended
                    earlier, _ = self._employer()
                    ended = start - dt.timedelta(days=rng.randint(1, 120))
                    yield row(pid, earlier, ended - dt.timedelta(days=rng.randint(180, 2000)), ended)
            else:  # not employed on the reference date
                u = rng.random()
                if u < 0.4:  # left the field, or between posts
                    employer, _ = self._employer()
                    ended = ref - dt.timedelta(days=rng.randint(1, 900))
                    yield row(pid, employer, ended - dt.timedelta(days=rng.randint(90, 2000)), ended)
                elif u < 0.5:  # hired, starting later
                    employer, _ = self._employer()
                    yield row(pid, employer, ref + dt.timedelta(days=rng.randint(1, 60)), None)
        self.employments = eid

    # ------------------------------------------------------------------ credentials

    def credentials(self) -> Iterator[tuple[object, ...]]:
        rng, ref, people = self.rng, self.ref, self.n["tp_practitioner"]
        for cid in range(1, self.n["tp_credential"] + 1):
            pid = rng.randint(1, people)
            if not self.employed[pid] and rng.random() < 0.5:
                pid = rng.randint(1, people)  # credentials are held mostly by people at work
            u = rng.random()
            kind = FIRST_AID if u >= 0.93 else rng.choice(CREDENTIALS)
            code, ckind, level, title, years, qualifying = kind
            status, changed, reason = "valid", None, ""
            if years is not None and 0.64 <= u < 0.78:  # expired
                issued = ref - dt.timedelta(days=rng.randint(3 * 365 + 1, 8 * 365))
            elif years is not None:
                issued = ref - dt.timedelta(days=rng.randint(0, 3 * 365 - 1))
            else:
                issued = ref - dt.timedelta(days=rng.randint(0, 8 * 365))
            expires = None if years is None else _years(issued, years) - dt.timedelta(days=1)
            if rng.random() < 0.003 and years is not None:
                issued, expires = _years(ref, -years) + dt.timedelta(days=1), ref  # last day in force
            if 0.78 <= u < 0.93:
                span = max(0, (ref - issued).days)
                changed = issued + dt.timedelta(days=rng.randint(0, span))
                status, reason = (
                    ("superseded", "换发新证")
                    if u < 0.83
                    else ("revoked", "考核舞弊，经复核撤销")
                    if u < 0.88
                    else ("suspended", "投诉调查中")
                    if u < 0.91
                    else ("valid", "调查结束，恢复")
                )
            yield (
                cid, pid, ckind, code, level, title, f"BENCH{self.scale:03d}{cid:010d}",
                "济南市人力资源和社会保障局" if ckind == "skill_level" else "湖南金职伟业母婴护理有限公司",
                issued, expires, qualifying, status, changed, reason, "import", f"bench:{self.scale}:c{cid}",
            )  # fmt: skip

    # ------------------------------------------------------------------ training records

    def training_records(self) -> Iterator[tuple[object, ...]]:
        rng, ref, people = self.rng, self.ref, self.n["tp_practitioner"]
        first = dt.date(ref.year - 2, 1, 1)
        days = (ref - first).days
        categories = (("pre_job", 45), ("refresher", 45), ("other", 10))
        pick_category = _weighted(rng, categories)
        hours_of = {c: [Decimal(h) for h in TRAININGS[c][1]] for c in TRAININGS}
        for tid in range(1, self.n["tp_training_record"] + 1):
            pid = rng.randint(1, people)
            category = pick_category()
            title = TRAININGS[category][0]
            yield (
                tid, pid, category, title, rng.choice(hours_of[category]),
                first + dt.timedelta(days=rng.randint(0, days)), rng.choice(PROVIDERS), "import",
                f"bench:{self.scale}:t{tid}",
            )  # fmt: skip


def _comment(scale: int, reference: dt.date, rows: dict[str, int]) -> str:
    counts = ",".join(f"{t}:{rows[t]}" for t in TABLES)
    return f"tuoyu-bench datagen v{VERSION} scale={scale} reference={reference} rows={counts}"


async def cached(scale: int) -> Dataset | None:
    """The dataset when ``tuoyu_bench_<scale>x`` holds a complete load of this generator."""
    name = database_name(scale)
    if not await pg.exists(name):
        return None
    conn = await pg.admin()
    try:
        comment = await conn.fetchval(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = $1", name
        )
    finally:
        await conn.close()
    prefix = f"tuoyu-bench datagen v{VERSION} scale={scale} "
    if not comment or not comment.startswith(prefix):
        return None
    fields = dict(part.split("=", 1) for part in comment[len(prefix) :].split())
    rows = {t: int(n) for t, n in (item.split(":") for item in fields["rows"].split(","))}
    if any(rows.get(t) != n for t, n in expected_rows(scale).items()):
        return None
    conn = await asyncpg.connect(pg.url(name))
    try:
        for table in TABLES:
            if await conn.fetchval(f"SELECT count(*) FROM {table}") != rows[table]:
                return None
    finally:
        await conn.close()
    return Dataset(scale, name, dt.date.fromisoformat(fields["reference"]), rows)


async def generate(scale: int, work: Path, log: Callable[[str], None] = print) -> Dataset:
    """Create ``tuoyu_bench_<scale>x`` from scratch: migrate, seed, COPY, VACUUM ANALYZE, and
    record the load in the database's comment (last, so an interrupted load is redone)."""
    name = database_name(scale)
    await pg.recreate(name, temporary=False)
    env = tuoyu_env(pg.url(name), work / f"data-{scale}x")
    run_tuoyu(["migrate"], env)
    run_tuoyu(["seed"], env)
    reference = Clock("Asia/Shanghai").today()
    gen = Generator(scale, reference)
    conn = await asyncpg.connect(pg.url(name))
    try:
        for table in TABLES:
            if await conn.fetchval(f"SELECT count(*) FROM {table}"):
                raise RuntimeError(f"{name}.{table} is not empty after migrate + seed")
        sources = {
            "tp_employer": gen.employers,
            "tp_practitioner": gen.practitioners,
            "tp_employment": gen.employment_rows,
            "tp_credential": gen.credentials,
            "tp_training_record": gen.training_records,
        }
        rows: dict[str, int] = {}
        for table in TABLES:
            started = time.monotonic()
            await conn.copy_records_to_table(table, records=sources[table](), columns=list(COLUMNS[table]))
            rows[table] = int(await conn.fetchval(f"SELECT count(*) FROM {table}"))
            await conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
            )
            log(f"datagen {scale}x: {table}: {rows[table]:,} rows in {time.monotonic() - started:.1f} s")
        started = time.monotonic()
        await conn.execute("VACUUM ANALYZE")
        log(f"datagen {scale}x: VACUUM ANALYZE in {time.monotonic() - started:.1f} s")
        await conn.execute(f"COMMENT ON DATABASE \"{name}\" IS '{_comment(scale, reference, rows)}'")
    finally:
        await conn.close()
    return Dataset(scale, name, reference, rows)


async def ensure(
    scale: int, work: Path, *, regenerate: bool = False, log: Callable[[str], None] = print
) -> Dataset:
    """The ``scale``× dataset: the cached database when complete, else a fresh load."""
    if not regenerate:
        found = await cached(scale)
        if found is not None:
            log(f"datagen {scale}x: cached {found.database} (reference date {found.reference})")
            return found
    started = time.monotonic()
    log(f"datagen {scale}x: generating {_sizes_text(scale)} into {database_name(scale)}")
    dataset = await generate(scale, work, log)
    log(f"datagen {scale}x: done in {time.monotonic() - started:.0f} s")
    return dataset


def _sizes_text(scale: int) -> str:
    return ", ".join(f"{n:,} {t.removeprefix('tp_')}" for t, n in expected_rows(scale).items())


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.datagen", description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=int, default=1, help="N of N× Jinan (default 1)")
    parser.add_argument("--regenerate", action="store_true", help="rebuild even when cached")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="tuoyu-datagen-") as tmp:
        dataset = asyncio.run(ensure(args.scale, Path(tmp), regenerate=args.regenerate))
    print(dataset)


if __name__ == "__main__":
    main()
