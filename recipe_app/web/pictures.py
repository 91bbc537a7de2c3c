"""Recipe pictures over HTTP: the kept image's bytes, to the browser that owns the recipe or through
its live share link, so no page state carries a multi-megabyte data URI.

``GET /pictures/{recipe_id}`` answers the owner cookie of the browser (``recipe_studio_browser``,
state.py) and ``GET /pictures/shared/{slug}`` anyone with a live link. Anything else, another
browser's recipe, a revoked link or a deleted recipe, is the same 404. Responses are ``private``
and revalidated (``no-cache`` with an ETag: a 304 costs one small query), so a revoked link or a
deleted recipe stops showing at once. Page URLs carry the picture's version (``?v=``), so New
picture shows the new one without waiting for a revalidation.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from recipe_app.db import pictures
from recipe_app.db.pictures import StoredPicture
from recipe_app.state import OWNER_COOKIE, valid_owner_id

PICTURES_PATH = "/pictures"
_CACHE = "private, no-cache"


def picture_url(recipe_id: int, version: str) -> str:
    """Where the page shows the kept picture of a saved recipe ('' when there is none)."""
    return f"{PICTURES_PATH}/{int(recipe_id)}?v={version}" if version else ""


def shared_picture_url(slug: str, version: str) -> str:
    """Where a shared page shows its recipe's kept picture ('' when there is none)."""
    return f"{PICTURES_PATH}/shared/{slug}?v={version}" if version else ""


def _etag(picture: StoredPicture) -> str:
    return f'"p{picture.version}"'


def _not_found() -> Response:
    return Response("Not found", status_code=404, media_type="text/plain", headers={"Cache-Control": "no-store"})


async def _answer(request: Request, read: Callable[[bool], StoredPicture | None]) -> Response:
    """304 when the browser has this version, the bytes otherwise, 404 when it may not see it."""
    head = await asyncio.to_thread(read, False)
    if head is None:
        return _not_found()
    headers = {"Cache-Control": _CACHE, "ETag": _etag(head), "X-Content-Type-Options": "nosniff"}
    if _etag(head) in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    picture = await asyncio.to_thread(read, True)
    if picture is None:
        return _not_found()
    headers["ETag"] = _etag(picture)  # replaced in between: the bytes and their tag agree
    return Response(picture.data, media_type=picture.content_type, headers=headers)


async def owned_picture(request: Request) -> Response:
    """The picture of one of this browser's recipes (its owner cookie)."""
    owner = request.cookies.get(OWNER_COOKIE, "")
    recipe_id = request.path_params["recipe_id"]
    if not valid_owner_id(owner) or not 0 < recipe_id < 2**63:
        return _not_found()
    return await _answer(request, lambda with_data: pictures.owned_picture(owner, recipe_id, with_data=with_data))


async def shared_picture(request: Request) -> Response:
    """The picture of the recipe behind a live share link."""
    slug = request.path_params["slug"]
    return await _answer(request, lambda with_data: pictures.shared_picture(slug, with_data=with_data))


routes = [
    Route(PICTURES_PATH + "/shared/{slug:str}", shared_picture, methods=["GET"]),
    Route(PICTURES_PATH + "/{recipe_id:int}", owned_picture, methods=["GET"]),
]
