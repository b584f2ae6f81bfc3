"""Holder photos and issuer seals on certificates (issue 10: "optional photo, issuer seal image"):
uploaded over HTTP, checked and re-encoded without metadata, printed on certificates rendered
afterwards; bad files refused in Chinese with nothing stored; a photo readable only by the
person and their regulators."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import re
from pathlib import Path
from typing import Any

from PIL import Image

from certification.tables import HolderPhoto, IssuerSeal
from tests.factories import passed_sitting, role_headers
from tests.servers import serve_in_process, settings_for
from worker.clock import FixedClock

NOW = dt.datetime(2026, 11, 29, 4, 0, tzinfo=dt.UTC)


def picture(size: tuple[int, int], fmt: str, *, exif_gps: bool = False, mode: str = "RGB") -> bytes:
    image = Image.new(mode, size, (200, 30, 30, 255) if mode == "RGBA" else (40, 90, 160))
    out = io.BytesIO()
    if exif_gps:
        exif = Image.Exif()
        exif[0x010F] = "PhoneMaker"  # Make
        exif[0x8825] = {2: (36.0, 40.0, 0.0)}  # GPSInfo: latitude
        image.save(out, format=fmt, exif=exif)
    else:
        image.save(out, format=fmt)
    return out.getvalue()


def image_sizes(pdf: bytes) -> set[tuple[int, int]]:
    """``(width, height)`` in pixels of every image XObject in the PDF."""
    found = set()
    for obj in re.findall(rb"<<[^>]*?/Subtype\s*/Image[^>]*>>", pdf):
        w, h = re.search(rb"/Width\s+(\d+)", obj), re.search(rb"/Height\s+(\d+)", obj)
        assert w and h, obj
        found.add((int(w[1]), int(h[1])))
    return found


async def rendered_pdf(c: Any, number: str, headers: dict[str, str]) -> bytes:
    for _ in range(150):  # rendering runs in the background (in-process here)
        r = await c.get(f"/api/certificates/{number}/certificate.pdf", headers=headers)
        if r.status_code == 200:
            return bytes(r.content)
        assert r.status_code == 404, r.text
        await asyncio.sleep(0.2)
    raise AssertionError("the certificate was never rendered")


async def test_photo_and_seal_are_printed_on_certificates_rendered_after_upload(
    db: None, pg_engine: Any, tmp_path: Path
) -> None:
    from service.app import create_app

    sitting_id, (pid, other) = await passed_sitting(2, names=["王芳", "李娜"])
    app = create_app(settings_for(tmp_path), engine=pg_engine, clock=FixedClock(NOW))
    async with serve_in_process(app) as c:
        admin = await role_headers(c, "regulator", "city_admin")
        holder = await role_headers(c, "wangfang", "trainee", practitioner_id=pid)
        stranger = await role_headers(c, "lina", "trainee", practitioner_id=other)

        # the person uploads a phone photo carrying GPS metadata: stored as a plain JPEG
        jpeg_with_gps = picture((600, 800), "JPEG", exif_gps=True)
        put = await c.put(
            f"/api/practitioners/{pid}/photo",
            content=jpeg_with_gps,
            headers={**holder, "Content-Type": "image/jpeg"},
        )
        assert put.status_code == 200, put.text
        got = await c.get(f"/api/practitioners/{pid}/photo", headers=holder)
        assert got.status_code == 200 and got.headers["content-type"] == "image/jpeg"
        stored = Image.open(io.BytesIO(got.content))
        assert stored.format == "JPEG" and stored.size == (450, 600)  # at most 600 px high
        assert len(stored.getexif()) == 0  # no make, no GPS
        assert (await c.get(f"/api/practitioners/{pid}/photo", headers=stranger)).status_code == 403
        assert (await c.get(f"/api/practitioners/{pid}/photo", headers=admin)).status_code == 200

        # the city admin uploads the issuer's seal for the programme
        seal = await c.put(
            "/api/programmes/1X-YEZH-1/seal",
            content=picture((400, 400), "PNG", mode="RGBA"),
            headers={**admin, "Content-Type": "image/png"},
        )
        assert seal.status_code == 200, seal.text
        assert (await c.get("/api/programmes/1X-YEZH-1/seal", headers=admin)).content.startswith(b"\x89PNG")
        assert (await c.put("/api/programmes/1X-YEZH-1/seal", headers=holder)).status_code == 403

        issued = await c.post(f"/api/sittings/{sitting_id}/issue", headers=admin)
        assert issued.status_code == 201, issued.text
        numbers = {x["practitioner_id"]: x["number"] for x in issued.json()}
        with_photo = await rendered_pdf(c, numbers[pid], holder)
        without_photo = await rendered_pdf(c, numbers[other], stranger)
        assert {(450, 600), (400, 400)} <= image_sizes(with_photo)  # the photo and the seal
        assert (400, 400) in image_sizes(without_photo)  # the seal …
        assert (450, 600) not in image_sizes(without_photo)  # … and no one else's photo

        # the person removes the photo
        assert (await c.delete(f"/api/practitioners/{pid}/photo", headers=holder)).status_code == 204
        assert (await c.get(f"/api/practitioners/{pid}/photo", headers=holder)).status_code == 404


async def test_bad_image_files_are_refused_in_chinese_and_nothing_is_stored(
    db: None, pg_engine: Any, tmp_path: Path
) -> None:
    from service.app import create_app

    _, (pid,) = await passed_sitting(1)
    app = create_app(settings_for(tmp_path), engine=pg_engine, clock=FixedClock(NOW))
    async with serve_in_process(app) as c:
        admin = await role_headers(c, "regulator", "city_admin")
        holder = await role_headers(c, "xuesheng", "trainee", practitioner_id=pid)
        jpeg = {**holder, "Content-Type": "image/jpeg"}
        cases = [
            (b"", jpeg, "为空"),
            (b"not an image at all", jpeg, "无法读取"),
            (picture((100, 120), "JPEG"), jpeg, "太小"),
            (picture((900, 600), "JPEG"), jpeg, "竖版"),
            (picture((300, 400), "GIF"), {**holder, "Content-Type": "image/gif"}, "image/jpeg"),
            (picture((300, 400), "GIF"), jpeg, "无法读取"),  # a GIF sent as a JPEG
        ]
        for body, headers, words in cases:
            r = await c.put(f"/api/practitioners/{pid}/photo", content=body, headers=headers)
            assert r.status_code == 422 and r.json()["code"] == "invalid_image", r.text
            assert words in r.json()["detail"], r.json()["detail"]
        png = {**admin, "Content-Type": "image/png"}
        for body, words in (
            (picture((400, 250), "PNG"), "正方形"),
            (picture((400, 400), "JPEG"), "无法读取"),
        ):
            r = await c.put("/api/programmes/1X-YEZH-1/seal", content=body, headers=png)
            assert r.status_code == 422 and words in r.json()["detail"], r.text
    assert await HolderPhoto.count() == 0 and await IssuerSeal.count() == 0


async def test_the_examining_base_prints_the_pdf_and_each_download_is_audited(
    db: None, pg_engine: Any, tmp_path: Path
) -> None:
    """The certificate PDF carries the holder's full ID number, as a printed certificate does: the
    base that examined the holder downloads it to print and hand out (README, roles table) — and
    every download is audited as a read of the holder's data; staff of another base are refused
    and never audited."""
    from service.accounts.tables import AuditEntry
    from service.app import create_app
    from training import create_training_base
    from training.schemas import TrainingBaseIn

    own_base = (await create_training_base(TrainingBaseIn(name="考核基地", district_code="370102"))).id
    other_base = (await create_training_base(TrainingBaseIn(name="另一基地", district_code="370102"))).id
    sitting_id, (pid,) = await passed_sitting(1, names=["王芳"], training_base_id=own_base)
    app = create_app(settings_for(tmp_path), engine=pg_engine, clock=FixedClock(NOW))
    async with serve_in_process(app) as c:
        admin = await role_headers(c, "regulator", "city_admin")
        number = (await c.post(f"/api/sittings/{sitting_id}/issue", headers=admin)).json()[0]["number"]
        base = await role_headers(c, "base-own", "base_staff", training_base_id=own_base)
        elsewhere = await role_headers(c, "base-other", "base_staff", training_base_id=other_base)

        pdf = await rendered_pdf(c, number, base)
        assert pdf.startswith(b"%PDF")
        assert (
            await c.get(f"/api/certificates/{number}/certificate.pdf", headers=elsewhere)
        ).status_code == 403
        await c.app.state.rt.audit_log.flush()
        reads = await AuditEntry.select(AuditEntry.actor, AuditEntry.subjects).where(
            (AuditEntry.kind == "read_personal")
            & (AuditEntry.path == f"/api/certificates/{number}/certificate.pdf")
        )
        assert [(r["actor"], r["subjects"]) for r in reads] == [("base-own", f",{pid},")], reads
