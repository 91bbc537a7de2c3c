"""The picture of a saved recipe, reached only through its owner or its live share link (like the recipe).

Kept as the data URI the image model's stream gave (bounded by ``IMAGE_MAX_BYTES`` before it gets
here) and decoded into bytes only when served (``web/pictures.py``), so no page state carries it.
Its version (when it was kept, in microseconds) names one picture: the page's URL carries it for
cache-busting after New picture, and the served response's ETag is made from it.
"""

from __future__ import annotations

import base64
import dataclasses
import re
from datetime import datetime, timezone
from typing import Any

from sqlmodel import col, select

from recipe_app.db.models import RecipePicture, SavedRecipe
from recipe_app.db.recipes import get_recipe, owner_key
from recipe_app.db.session import new_session

#: What a kept picture may be: one of the Images API's output formats, base64.
_DATA_URI = re.compile(r"data:(image/(?:jpeg|png|webp));base64,([A-Za-z0-9+/]*={0,2})")


@dataclasses.dataclass(frozen=True)
class StoredPicture:
    """A kept picture as served: its content type, its bytes ('' unless asked for) and its version."""

    content_type: str
    version: str
    data: bytes = b""


def _version(kept_at: datetime) -> str:
    if kept_at.tzinfo is None:  # a database without time zones hands back UTC as naive
        kept_at = kept_at.replace(tzinfo=timezone.utc)
    return str(int(kept_at.timestamp() * 1_000_000))


def _read(condition: Any, with_data: bool) -> StoredPicture | None:
    """The picture of the one live recipe matching ``condition`` (its owner, or its share slug)."""
    # Two columns either way (one would come back as a bare value); the bytes only when wanted.
    columns = [RecipePicture.created_at, RecipePicture.data_uri if with_data else RecipePicture.recipe_id]
    query = (
        select(*columns)
        .join(SavedRecipe, col(SavedRecipe.id) == col(RecipePicture.recipe_id))
        .where(condition, col(SavedRecipe.deleted_at).is_(None))
    )
    with new_session() as session:
        row = session.exec(query).first()
    if row is None:
        return None
    if not with_data:
        return StoredPicture("", _version(row[0]))
    match = _DATA_URI.fullmatch(row[1])
    if match is None:
        return None  # never kept by this app: nothing to serve
    return StoredPicture(match.group(1), _version(row[0]), base64.b64decode(match.group(2)))


def owned_picture(owner_id: str, recipe_id: int, *, with_data: bool = True) -> StoredPicture | None:
    """The picture of this owner's recipe; None when none, or the recipe is missing, deleted or not theirs."""
    key = owner_key(owner_id)
    return _read((SavedRecipe.owner_key == key) & (col(SavedRecipe.id) == recipe_id), with_data)


def shared_picture(slug: str, *, with_data: bool = True) -> StoredPicture | None:
    """The picture of the recipe behind a share link; None when none, or the link is unknown, revoked or deleted."""
    if not isinstance(slug, str) or not slug or len(slug) > 64:
        return None
    return _read(col(SavedRecipe.share_slug) == slug, with_data)


def picture_version(owner_id: str, recipe_id: int) -> str:
    """The version of this owner's recipe's picture ('' when none, or not theirs)."""
    picture = owned_picture(owner_id, recipe_id, with_data=False)
    return picture.version if picture is not None else ""


def shared_picture_version(slug: str) -> str:
    """The version of the picture behind a share link ('' when none, or the link does not work)."""
    picture = shared_picture(slug, with_data=False)
    return picture.version if picture is not None else ""


def keep_picture(owner_id: str, recipe_id: int, data_uri: str, model: str) -> str:
    """Keep (or replace) the picture of this owner's recipe; returns its version, '' when the recipe
    is not theirs or ``data_uri`` is not a base64 JPEG, PNG or WebP data URI."""
    if _DATA_URI.fullmatch(data_uri) is None or get_recipe(owner_id, recipe_id) is None:
        return ""
    with new_session() as session:
        row = session.get(RecipePicture, recipe_id) or RecipePicture(recipe_id=recipe_id, data_uri="")
        row.data_uri, row.model = data_uri, model[:120]
        row.created_at = datetime.now(timezone.utc)  # a new picture, a new version
        session.add(row)
        session.commit()
        session.refresh(row)
        return _version(row.created_at)
