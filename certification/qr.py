"""QR code PNG for a verify URL (``qrcode`` library, error correction level M)."""

from __future__ import annotations

import io

import qrcode
from qrcode.constants import ERROR_CORRECT_M
from qrcode.image.pil import PilImage


def qr_png(data: str, *, box_size: int = 8, border: int = 4) -> bytes:
    """PNG bytes of a QR code encoding ``data`` (ASCII URL), error correction M (~15 %).

    ``box_size`` is pixels per module, ``border`` the quiet zone in modules (4 is the minimum
    ISO/IEC 18004 asks for). Raises ``ValueError`` for empty data.
    """
    if not data:
        raise ValueError("二维码内容不能为空")
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=box_size, border=border)
    code.add_data(data)
    code.make(fit=True)
    image = code.make_image(image_factory=PilImage, fill_color="black", back_color="white")
    buf = io.BytesIO()
    image.save(buf)  # PilImage: PNG by default
    return buf.getvalue()
