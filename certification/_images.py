"""Holder photos and issuer seals printed on certificates (issue 10: "optional photo, issuer seal
image").

An upload is checked and re-encoded with Pillow before it is stored, so what is printed is
always a plain image the PDF library reads, and nothing else of the file survives:

- **Photo** (证件照): JPEG or PNG, at most :data:`MAX_UPLOAD_BYTES`, at least 150 × 200 pixels,
  portrait or square (a 30 × 40 mm box on the certificate), at most :data:`MAX_PIXELS` pixels
  (decompression bombs refused before decoding). Stored as a JPEG of at most 600 pixels high,
  orientation applied, EXIF/GPS and every other metadata dropped (personal data).
- **Seal** (公章): PNG (transparency kept), square within 10 %, at least 200 × 200 pixels. Stored
  as a PNG of at most 800 × 800 pixels.

Each applies to certificates rendered after the upload (a re-render picks it up). Bad files raise
:class:`~certification.errors.InvalidImage` with a Chinese message and change nothing.
"""

from __future__ import annotations

import datetime as dt
import io
import warnings

from PIL import Image, ImageOps, UnidentifiedImageError

from certification.errors import InvalidImage
from certification.tables import HolderPhoto, IssuerSeal
from talent_pool import get_practitioner
from talent_pool.db import atomic
from talent_pool.errors import ValidationFailed

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
_UNREADABLE = (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning, OSError)
MAX_PIXELS = 40_000_000
PHOTO_MAX_HEIGHT = 600
SEAL_MAX_SIDE = 800


def _open(data: bytes, formats: tuple[str, ...], what: str) -> Image.Image:
    if not data:
        raise InvalidImage(f"{what}文件为空")
    if len(data) > MAX_UPLOAD_BYTES:
        raise InvalidImage(f"{what}文件不能超过 5 MB")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=formats)
            if image.width * image.height > MAX_PIXELS:
                raise InvalidImage(f"{what}像素过多（不超过 4000 万像素）")
            image.load()
    except (
        UnidentifiedImageError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
        OSError,
    ) as exc:
        kinds = "、".join("JPEG" if f == "JPEG" else f for f in formats)
        raise InvalidImage(f"{what}须为 {kinds} 图片，无法读取该文件") from exc
    return image


def normalise_photo(data: bytes) -> bytes:
    """The stored form of a holder photo upload (``data``: the file's bytes): a JPEG, orientation
    applied, at most 600 px high, no metadata. Raises InvalidImage (see the module docstring)."""
    image = ImageOps.exif_transpose(_open(data, ("JPEG", "PNG"), "照片"))
    if image.width < 150 or image.height < 200:
        raise InvalidImage("照片太小：至少 150 × 200 像素")
    if image.width > image.height * 1.05:
        raise InvalidImage("照片须为竖版或正方形的证件照")
    if image.height > PHOTO_MAX_HEIGHT:
        image = image.resize((round(image.width * PHOTO_MAX_HEIGHT / image.height), PHOTO_MAX_HEIGHT))
    out = io.BytesIO()
    image.convert("RGB").save(out, format="JPEG", quality=88)
    return out.getvalue()


def normalise_seal(data: bytes) -> bytes:
    """The stored form of a seal upload (``data``: a PNG's bytes): a PNG with transparency, at most
    800 × 800 px, no metadata. Raises InvalidImage (see the module docstring)."""
    image = _open(data, ("PNG",), "公章图片")
    if min(image.size) < 200:
        raise InvalidImage("公章图片太小：至少 200 × 200 像素")
    if abs(image.width - image.height) > 0.1 * max(image.size):
        raise InvalidImage("公章图片须为正方形（长宽相差不超过 10%）")
    image = image.convert("RGBA")
    image.thumbnail((SEAL_MAX_SIDE, SEAL_MAX_SIDE))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


async def set_holder_photo(practitioner_id: int, data: bytes, *, now: dt.datetime, by: str) -> int:
    """Store (or replace) a practitioner's photo from an upload; returns the stored JPEG's size in
    bytes. Raises NotFound for an unknown practitioner, InvalidImage for a bad file."""
    await get_practitioner(practitioner_id)
    jpeg = normalise_photo(data)
    async with atomic():
        await HolderPhoto.delete().where(HolderPhoto.practitioner == practitioner_id)
        await HolderPhoto.insert(
            HolderPhoto(practitioner=practitioner_id, jpeg=jpeg, uploaded_at=now, uploaded_by=by[:64])
        )
    return len(jpeg)


async def holder_photo(practitioner_id: int) -> bytes | None:
    """The stored photo (JPEG bytes) of a practitioner, or ``None``."""
    row = (
        await HolderPhoto.select(HolderPhoto.jpeg).where(HolderPhoto.practitioner == practitioner_id).first()
    )
    return bytes(row["jpeg"]) if row else None


async def delete_holder_photo(practitioner_id: int) -> bool:
    """Remove a practitioner's photo; returns whether there was one."""
    async with atomic():
        had = await HolderPhoto.exists().where(HolderPhoto.practitioner == practitioner_id)
        await HolderPhoto.delete().where(HolderPhoto.practitioner == practitioner_id)
    return bool(had)


async def set_issuer_seal(issuer: str, data: bytes, *, now: dt.datetime, by: str) -> int:
    """Store (or replace) the seal of ``issuer`` (a programme's issuer name, 1–255 characters);
    returns the stored PNG's size. Raises ValidationFailed for a bad name, InvalidImage for a bad file."""
    name = " ".join(issuer.split())
    if not 1 <= len(name) <= 255:
        raise ValidationFailed("发证机构名称须为 1–255 个字符")
    png = normalise_seal(data)
    async with atomic():
        await IssuerSeal.delete().where(IssuerSeal.issuer == name)
        await IssuerSeal.insert(IssuerSeal(issuer=name, png=png, uploaded_at=now, uploaded_by=by[:64]))
    return len(png)


async def issuer_seal(issuer: str) -> bytes | None:
    """The stored seal (PNG bytes) of an issuer, or ``None`` (the drawn seal is printed then)."""
    row = await IssuerSeal.select(IssuerSeal.png).where(IssuerSeal.issuer == " ".join(issuer.split())).first()
    return bytes(row["png"]) if row else None


async def images_for(
    practitioner_ids: set[int], issuers: set[str]
) -> tuple[dict[int, bytes], dict[str, bytes]]:
    """Photos by practitioner id and seals by issuer name for a render batch (two statements)."""
    photos: dict[int, bytes] = {}
    seals: dict[str, bytes] = {}
    if practitioner_ids:
        rows = await HolderPhoto.select(HolderPhoto.practitioner, HolderPhoto.jpeg).where(
            HolderPhoto.practitioner.is_in(list(practitioner_ids))
        )
        photos = {int(r["practitioner"]): bytes(r["jpeg"]) for r in rows}
    if issuers:
        rows = await IssuerSeal.select(IssuerSeal.issuer, IssuerSeal.png).where(
            IssuerSeal.issuer.is_in(list(issuers))
        )
        seals = {str(r["issuer"]): bytes(r["png"]) for r in rows}
    return photos, seals
