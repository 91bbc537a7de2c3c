"""A saved recipe's picture on SQLite and PostgreSQL: kept for its owner only, served as bytes with a
version that names it (the same when kept and when read back, new with each picture)."""

from __future__ import annotations

import base64
import secrets

from recipe_app.db import pictures, recipes
from recipe_app.domain.recipe import Recipe
from tests.recipes import RECIPE

JPEG_BYTES = b"\xff\xd8\xff\xe0 a photograph of the dish"
JPEG = "data:image/jpeg;base64," + base64.b64encode(JPEG_BYTES).decode()


def test_a_kept_picture_has_one_version_until_it_is_replaced(db_url: str) -> None:
    owner = secrets.token_urlsafe(32)
    recipe_id = recipes.save_recipe(owner, Recipe.model_validate(RECIPE)).id
    assert pictures.picture_version(owner, recipe_id) == "" and pictures.owned_picture(owner, recipe_id) is None
    version = pictures.keep_picture(owner, recipe_id, JPEG, "gpt-image-1")
    assert version and pictures.picture_version(owner, recipe_id) == version  # the page's URL and the ETag agree
    kept = pictures.owned_picture(owner, recipe_id)
    assert (kept.content_type, kept.data, kept.version) == ("image/jpeg", JPEG_BYTES, version)
    png = "data:image/png;base64," + base64.b64encode(b"\x89PNG another").decode()
    newer = pictures.keep_picture(owner, recipe_id, png, "gpt-image-1")  # New picture
    assert newer != version and pictures.owned_picture(owner, recipe_id).data == b"\x89PNG another"
    slug = recipes.share_recipe(owner, recipe_id)
    assert pictures.shared_picture_version(slug) == newer and pictures.shared_picture(slug).content_type == "image/png"


def test_only_its_owner_keeps_or_reads_it_and_only_an_image_is_kept(db_url: str) -> None:
    owner, stranger = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    recipe_id = recipes.save_recipe(owner, Recipe.model_validate(RECIPE)).id
    assert pictures.keep_picture(stranger, recipe_id, JPEG, "gpt-image-1") == ""
    for not_an_image in ("data:text/html;base64,PGI+", "data:image/svg+xml;base64,PHN2Zz4=", "https://x.test/a.jpg",
                         "data:image/jpeg;base64,not base64!"):
        assert pictures.keep_picture(owner, recipe_id, not_an_image, "gpt-image-1") == ""
    assert pictures.owned_picture(owner, recipe_id) is None
    pictures.keep_picture(owner, recipe_id, JPEG, "gpt-image-1")
    assert pictures.owned_picture(stranger, recipe_id) is None and pictures.picture_version(stranger, recipe_id) == ""
    assert pictures.shared_picture("no-such-link") is None and pictures.shared_picture("x" * 65) is None
    recipes.delete_recipe(owner, recipe_id)
    assert pictures.owned_picture(owner, recipe_id) is None
