"""certification rendering: the QR PNG decodes back to the URL; the PDF embeds the CJK font."""

from __future__ import annotations

import datetime as dt
import io
import re

import PIL.Image
import zxingcpp

from certification.pdf import CertificateFace, certificate_pdf
from certification.qr import qr_png
from certification.signing import Keyring
from certification.verify_url import build_verify_url, sign_params

NUMBER = "S000037000001265000001"


def _url() -> str:
    params = sign_params(
        number=NUMBER,
        programme_code="4-10-01-03-L5",
        issued_on=dt.date(2026, 11, 29),
        expires_on=None,
        holder_id_number="37010219900101001X",
        holder_name="王芳",
        keyring=Keyring.generate(),
    )
    return build_verify_url("https://tuoyu.example.cn", NUMBER, params)


def test_qr_png_decodes_back_to_the_url() -> None:
    url = _url()
    png = qr_png(url)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    results = zxingcpp.read_barcodes(PIL.Image.open(io.BytesIO(png)))
    assert [r.text for r in results] == [url]
    assert results[0].format == zxingcpp.BarcodeFormat.QRCode
    assert str(results[0].ec_level) == "M"


def test_pdf_has_chinese_font_and_fields() -> None:
    url = _url()
    face = CertificateFace(
        number=NUMBER,
        holder_name="王芳",
        holder_id_number="37010219900101001X",
        programme_title="保育师",
        level="五级/初级工",
        issued_on=dt.date(2026, 11, 29),
        expires_on=None,
        issuer="济南市职业技能等级认定评价机构",
        verify_url=url,
    )
    pdf = certificate_pdf(face, qr_png(url))
    assert pdf.startswith(b"%PDF")
    assert b"STSong-Light" in pdf
    assert b"/Subtype /Image" in pdf or b"/Subtype/Image" in pdf
    assert b"STSong-Light" in certificate_pdf(face, qr_png(url), compress=False)
    shown = _shown_text(certificate_pdf(face, qr_png(url), compress=False))
    for expected in (
        "职业技能等级证书",
        "王芳",
        "37010219900101001X",
        "保育师",
        "五级/初级工",
        NUMBER,
        "2026年11月29日",
        "长期有效",
        "济南市职业技能等级认定评价机构",
        url,
    ):
        assert expected in shown, expected


def _unescape(literal: bytes) -> bytes:
    out = bytearray()
    i = 0
    while i < len(literal):
        c = literal[i]
        if c == 0x5C:  # backslash
            nxt = literal[i + 1 : i + 4]
            if nxt[:1].isdigit():
                digits = re.match(rb"[0-7]{1,3}", nxt)
                assert digits is not None
                out.append(int(digits.group(0), 8))
                i += 1 + len(digits.group(0))
                continue
            out.append({ord("n"): 10, ord("r"): 13, ord("t"): 9}.get(nxt[0], nxt[0]))
            i += 2
            continue
        out.append(c)
        i += 1
    return bytes(out)


def _shown_text(pdf: bytes) -> str:
    """The strings shown with ``Tj`` (CID font strings are UTF-16BE, Helvetica ones Latin-1)."""
    parts = []
    for m in re.finditer(rb"\(((?:[^()\\]|\\.)*)\) Tj", pdf):
        raw = _unescape(m.group(1))
        try:
            parts.append(raw.decode("utf-16-be") if len(raw) % 2 == 0 else raw.decode("latin-1"))
        except UnicodeDecodeError:
            parts.append(raw.decode("latin-1"))
        parts.append(raw.decode("latin-1"))
    return "\n".join(parts)


def _face(**changes: object) -> CertificateFace:
    base: dict[str, object] = {
        "number": NUMBER,
        "holder_name": "王芳",
        "holder_id_number": "37010219900101001X",
        "programme_title": "保育师",
        "level": "五级/初级工",
        "issued_on": dt.date(2026, 11, 29),
        "expires_on": None,
        "issuer": "济南市职业技能等级认定评价机构",
        "verify_url": "https://tuoyu.example.cn/v/x",
    }
    base.update(changes)
    return CertificateFace(**base)  # type: ignore[arg-type]


def test_pdf_labels_1x_certificate_name_and_occupation() -> None:
    png = qr_png("https://tuoyu.example.cn/v/x")
    onex = _shown_text(
        certificate_pdf(
            _face(programme_title="幼儿照护职业技能等级证书", level="初级", kind="onex"), png, compress=False
        )
    )
    assert "证书名称" in onex and "幼儿照护职业技能等级证书" in onex and "初级" in onex
    assert "职业（工种）" not in onex
    skill = _shown_text(certificate_pdf(_face(kind="skill_level"), png, compress=False))
    assert "职业（工种）" in skill and "保育师" in skill and "证书名称" not in skill


def test_pdf_strips_control_characters() -> None:
    png = qr_png("https://tuoyu.example.cn/v/x")
    face = _face(
        holder_name="王\x00芳\u202e",
        issuer="济南市\r\n职业技能\t等级认定评价机构\x1b[31m",
        level="五级\u200b/初级工",
    )
    pdf = certificate_pdf(face, png, compress=False)
    cid_strings = [
        _unescape(m.group(1)).decode("utf-16-be", errors="replace")
        for m in re.finditer(rb"\(((?:[^()\\]|\\.)*)\) Tj", pdf)
    ]
    # each value is drawn as one string: exactly the cleaned text
    assert "王芳" in cid_strings
    assert "五级/初级工" in cid_strings
    assert "济南市 职业技能 等级认定评价机构[31m" in cid_strings
