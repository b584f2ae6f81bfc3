"""Images printed on certificates: a holder's photo (证件照) and an issuer's seal (公章).

Uploads are the raw file as the request body (``Content-Type: image/jpeg`` or ``image/png``, at
most 5 MB); they are checked and re-encoded without metadata (``certification._images``) and
apply to certificates rendered afterwards. A photo is personal data: the person themselves and
the regulators of their district (``ensure_practitioner``) upload, read and delete it, and every
read is audited.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, delete, get, put
from pydantic import BaseModel

import certification
from certification.errors import InvalidImage
from service.audit import personal_read
from service.policy import action, ensure_practitioner, user_of
from service.runtime import Runtime

MAX_BODY = 5 * 1024 * 1024
IMAGE_BODY = "image/jpeg 或 image/png（图片文件本身）"


class ImageStored(BaseModel):
    """An upload accepted: the stored image's size in bytes (after re-encoding)."""

    bytes: int


async def _upload(request: Request[Any, Any, Any]) -> bytes:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type not in ("image/jpeg", "image/png"):
        raise InvalidImage("请以 image/jpeg 或 image/png 上传图片文件本身（请求体即文件内容）")
    body = await request.body()
    if len(body) > MAX_BODY:
        raise InvalidImage("图片文件不能超过 5 MB")
    return body


class ImagesController(Controller):
    path = "/api"
    tags = ["certification"]
    request_max_body_size = MAX_BODY + 1024

    @put(
        "/practitioners/{practitioner_id:int}/photo",
        opt=action("photo.manage", raw_body=IMAGE_BODY),
        summary="Upload the holder's photo (raw JPEG/PNG body) for certificates rendered from now on",
    )
    async def put_photo(
        self, practitioner_id: int, request: Request[Any, Any, Any], rt: Runtime
    ) -> ImageStored:
        user = user_of(request)
        await ensure_practitioner(user, practitioner_id)
        size = await certification.set_holder_photo(
            practitioner_id, await _upload(request), now=rt.now(), by=user.username
        )
        return ImageStored(bytes=size)

    @get(
        "/practitioners/{practitioner_id:int}/photo",
        opt=action("photo.manage"),
        summary="The holder's stored photo (JPEG)",
    )
    async def get_photo(self, practitioner_id: int, request: Request[Any, Any, Any]) -> Response[bytes]:
        await ensure_practitioner(user_of(request), practitioner_id)
        jpeg = await certification.holder_photo(practitioner_id)
        if jpeg is None:
            raise certification.NotFound("尚未上传照片", practitioner_id=practitioner_id)
        personal_read(request, [practitioner_id])
        return Response(jpeg, media_type="image/jpeg", headers={"Cache-Control": "private, no-store"})

    @delete(
        "/practitioners/{practitioner_id:int}/photo",
        opt=action("photo.manage"),
        summary="Remove the holder's photo",
        status_code=204,
    )
    async def delete_photo(self, practitioner_id: int, request: Request[Any, Any, Any]) -> None:
        await ensure_practitioner(user_of(request), practitioner_id)
        if not await certification.delete_holder_photo(practitioner_id):
            raise certification.NotFound("尚未上传照片", practitioner_id=practitioner_id)

    @put(
        "/programmes/{code:str}/seal",
        opt=action("programme.configure", raw_body=IMAGE_BODY),
        summary="Upload the seal (raw PNG body) of the programme's issuer, printed on its certificates",
    )
    async def put_seal(self, code: str, request: Request[Any, Any, Any], rt: Runtime) -> ImageStored:
        programme = await certification.get_programme(code)
        size = await certification.set_issuer_seal(
            programme.issuer, await _upload(request), now=rt.now(), by=user_of(request).username
        )
        return ImageStored(bytes=size)

    @get(
        "/programmes/{code:str}/seal",
        opt=action("programme.configure"),
        summary="The stored seal (PNG) of the programme's issuer",
    )
    async def get_seal(self, code: str) -> Response[bytes]:
        programme = await certification.get_programme(code)
        png = await certification.issuer_seal(programme.issuer)
        if png is None:
            raise certification.NotFound("该发证机构尚未上传公章图片（证书上印制绘制的公章）", code=code)
        return Response(png, media_type="image/png")
