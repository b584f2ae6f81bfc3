"""certification rendering: the QR PNG decodes back to the URL; the PDF embeds subsets of the
certificate fonts and a real extractor reads back exactly the stored text (陈𠮷华, 䶮)."""

from __future__ import annotations

import datetime as dt
import io
import re

import PIL.Image
import pypdf
import pytest
import zxingcpp
from pdfminer.high_level import extract_text

from certification.fonts import CHAIN
from certification.pdf import CertificateFace, certificate_pdf, face_problems
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


def _lines(pdf: bytes) -> list[str]:
    """The text lines a real extractor (pdfminer.six) reads from the PDF, blank ones dropped."""
    return [line for line in extract_text(io.BytesIO(pdf)).splitlines() if line.strip()]


def _pypdf_lines(pdf: bytes) -> list[str]:
    return pypdf.PdfReader(io.BytesIO(pdf)).pages[0].extract_text().splitlines()


def test_pdf_embeds_font_subsets_and_extracts_every_field() -> None:
    url = _url()
    pdf = certificate_pdf(_face(verify_url=url), qr_png(url))
    assert pdf.startswith(b"%PDF")
    assert b"STSong-Light" not in pdf
    assert re.search(rb"/BaseFont /[A-Z]{6}\+BabelStoneHan", pdf)  # an embedded subset
    assert b"/FontFile2" in pdf
    assert b"/Subtype /Image" in pdf or b"/Subtype/Image" in pdf
    lines = _pypdf_lines(pdf)
    for expected in (
        "职业技能等级证书",
        "王芳经考核合格，取得保育师（五级/初级工），特发此证。",
        "姓　　名 王芳",
        "身份证号 37010219900101001X",
        "职业（工种） 保育师",
        "等　　级 五级/初级工",
        f"证书编号 {NUMBER}",
        "发证日期 2026年11月29日",
        "有效期至 长期有效",
        "济南市职业技能等级认定评价机构",
        "扫码核验证书真伪",
        f"https://tuoyu.example.cn/v/{NUMBER}",  # the short verify URL, typed from paper
    ):
        assert expected in lines, (expected, lines)
    assert url not in "\n".join(lines)  # the signed URL is in the QR code only


def test_a_name_beyond_the_basic_plane_prints_and_extracts_exactly() -> None:
    png = qr_png("https://tuoyu.example.cn/v/x")
    pdf = certificate_pdf(_face(holder_name="陈𠮷华"), png)
    assert "陈𠮷华" in _lines(pdf)  # pdfminer.six: the name cell, exactly
    assert "姓　　名 陈𠮷华" in _pypdf_lines(pdf)  # pypdf agrees
    assert "陈𠮷华经考核合格，取得保育师（五级/初级工），特发此证。" in _lines(pdf)
    assert "刘䶮" in _lines(certificate_pdf(_face(holder_name="刘䶮"), png))  # Extension A


def test_characters_missing_from_the_first_font_come_from_the_next() -> None:
    png = qr_png("https://tuoyu.example.cn/v/x")
    assert CHAIN.font_for("陈") == "BabelStoneHan"
    assert CHAIN.font_for("\U00020023") == "HanaMinB"  # Ext B, not in BabelStone Han
    assert CHAIN.font_for("\u3530") == "HanaMinA"  # Ext A, not in BabelStone Han
    pdf = certificate_pdf(_face(holder_name="王\U00020023\u3530"), png)
    assert re.search(rb"/BaseFont /[A-Z]{6}\+HanaMinB", pdf)
    assert re.search(rb"/BaseFont /[A-Z]{6}\+HanaMinA", pdf)
    assert "王\U00020023\u3530" in _lines(pdf)


def test_names_that_cannot_be_printed_exactly_are_refused_with_the_reason() -> None:
    assert face_problems(_face(holder_name="陈𠮷华")) == []
    assert face_problems(_face(holder_name="买买提·艾力")) == []
    assert face_problems(_face(holder_name="Anna-Maria O'Neil")) == []
    assert face_problems(_face(holder_name="陈\U00030041华")) == [
        "「\U00030041」（U+30041）不在证书字体中，无法打印"
    ]
    assert face_problems(_face(holder_name="سارا")) == [
        "「س」（U+0633）需要组合或从右向左排版，证书无法准确打印",
        "「ا」（U+0627）需要组合或从右向左排版，证书无法准确打印",
        "「ر」（U+0631）需要组合或从右向左排版，证书无法准确打印",
    ]
    assert face_problems(_face(holder_name="卓玛བ")) == [
        "「བ」（U+0F56）所属文字需要复杂排版，证书无法准确打印"
    ]
    assert face_problems(_face(issuer="机构\ue000")) == [
        "「\ue000」（U+E000）是私用区字符，各字体字形不一，无法准确打印"
    ]
    with pytest.raises(ValueError, match="证书内容无法准确打印"):
        certificate_pdf(_face(holder_name="陈\U00030041华"), qr_png("https://tuoyu.example.cn/v/x"))


def test_pdf_photo_and_seal_image_are_optional() -> None:
    png = qr_png("https://tuoyu.example.cn/v/x")
    plain = certificate_pdf(_face(), png)
    photo = io.BytesIO()
    PIL.Image.new("RGB", (90, 120), (200, 210, 230)).save(photo, format="PNG")
    with_photo = certificate_pdf(_face(photo=photo.getvalue(), seal_png=png), png)
    assert with_photo.count(b"/Subtype /Image") == plain.count(b"/Subtype /Image") + 2
    assert "证书专用章" in _lines(plain) and "证书专用章" not in _lines(with_photo)


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
    onex = _pypdf_lines(
        certificate_pdf(_face(programme_title="幼儿照护职业技能等级证书", level="初级", kind="onex"), png)
    )
    assert "证书名称 幼儿照护职业技能等级证书" in onex and "等　　级 初级" in onex
    assert not any("职业（工种）" in line for line in onex)
    skill = _pypdf_lines(certificate_pdf(_face(kind="skill_level"), png))
    assert "职业（工种） 保育师" in skill and not any("证书名称" in line for line in skill)


def test_pdf_strips_control_characters() -> None:
    png = qr_png("https://tuoyu.example.cn/v/x")
    face = _face(
        holder_name="王\x00芳\u202e",
        issuer="济南市\r\n职业技能\t等级认定评价机构\x1b[31m",
        level="五级\u200b/初级工",
    )
    lines = _pypdf_lines(certificate_pdf(face, png))
    assert "姓　　名 王芳" in lines
    assert "等　　级 五级/初级工" in lines
    assert "济南市 职业技能 等级认定评价机构[31m" in lines
