"""Recipes and owners for the library tests."""

from __future__ import annotations

import copy
import secrets

from recipe_app.domain.recipe import Recipe
from tests.recipes import RECIPE


def owner() -> str:
    """A browser's owner id as the cookie holds it: a long random string."""
    return secrets.token_urlsafe(32)


def make_recipe(
    name: str = "Chickpea & Spinach Curry",
    *,
    cuisine: str = "Indian",
    items: tuple[str, ...] | None = None,
    servings: int = 4,
) -> Recipe:
    """The sample recipe with a different title, cuisine and (optionally) ingredient items."""
    data = copy.deepcopy(RECIPE)
    data["name"] = name
    data["recipeCuisine"] = cuisine
    data["recipeYield"] = servings
    if items is not None:
        data["recipeIngredient"] = [{"quantity": 1, "unit": "", "item": item, "note": ""} for item in items]
    return Recipe.model_validate(data)
