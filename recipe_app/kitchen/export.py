"""Exports of a saved recipe: Markdown and schema.org/Recipe JSON-LD."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from recipe_app.kitchen.card import card_fields, ingredient_line

from recipe_app.domain.card import recipe_markdown
from recipe_app.domain.recipe import Recipe

_DIET_TO_SCHEMA = {
    "vegetarian": "https://schema.org/VegetarianDiet",
    "vegan": "https://schema.org/VeganDiet",
    "gluten-free": "https://schema.org/GlutenFreeDiet",
    "halal": "https://schema.org/HalalDiet",
    "kosher": "https://schema.org/KosherDiet",
}


def markdown(recipe: Recipe) -> str:
    """The recipe as Markdown (the same text Copy puts on the clipboard)."""
    return recipe_markdown(card_fields(recipe.model_dump(), final=True))


def ingredient_text(item: dict[str, Any]) -> str:
    """One recipeIngredient string: '1 1/2 tbsp olive oil, finely chopped'."""
    parts = ingredient_line(item)
    text = " ".join(p for p in (parts["amount"], parts["item"]) if p)
    return f"{text}, {parts['note']}" if parts["note"] else text


def json_ld(recipe: Recipe, *, diet: str = "none", created: datetime | None = None, url: str = "") -> dict[str, Any]:
    """A schema.org/Recipe object: ISO-8601 durations, ingredient strings, HowToSteps, nutrition."""
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Recipe",
        "name": recipe.name,
        "description": recipe.description,
        "recipeYield": f"{recipe.recipeYield} servings",
        "prepTime": recipe.prepTime,
        "cookTime": recipe.cookTime,
        "totalTime": recipe.totalTime,
        "recipeCuisine": recipe.recipeCuisine,
        "recipeIngredient": [ingredient_text(i.model_dump()) for i in recipe.recipeIngredient],
        "recipeInstructions": [
            {"@type": "HowToStep", "position": n, "text": step.text}
            for n, step in enumerate(recipe.recipeInstructions, 1)
        ],
        "nutrition": {
            "@type": "NutritionInformation",
            "servingSize": "1 serving",
            "calories": f"{round(recipe.nutrition.calories)} calories",
            "proteinContent": f"{round(recipe.nutrition.proteinContent)} g",
            "fatContent": f"{round(recipe.nutrition.fatContent)} g",
            "carbohydrateContent": f"{round(recipe.nutrition.carbohydrateContent)} g",
        },
    }
    if diet in _DIET_TO_SCHEMA:
        data["suitableForDiet"] = _DIET_TO_SCHEMA[diet]
    if created is not None:
        data["datePublished"] = created.date().isoformat()
    if url:
        data["url"] = url
    return data
