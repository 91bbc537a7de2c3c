"""The picture of a saved recipe, reached only through its owner (like the recipe itself)."""

from __future__ import annotations

from recipe_app.db.models import RecipePicture
from recipe_app.db.recipes import get_recipe
from recipe_app.db.session import new_session


def get_picture(owner_id: str, recipe_id: int) -> str:
    """The picture's data URI of this owner's recipe ('' when none, or not theirs)."""
    if get_recipe(owner_id, recipe_id) is None:
        return ""
    with new_session() as session:
        row = session.get(RecipePicture, recipe_id)
        return row.data_uri if row is not None else ""


def keep_picture(owner_id: str, recipe_id: int, data_uri: str, model: str) -> bool:
    """Keep (or replace) the picture of this owner's recipe; False when the recipe is not theirs."""
    if get_recipe(owner_id, recipe_id) is None:
        return False
    with new_session() as session:
        row = session.get(RecipePicture, recipe_id) or RecipePicture(recipe_id=recipe_id, data_uri="")
        row.data_uri, row.model = data_uri, model[:120]
        session.add(row)
        session.commit()
        return True
