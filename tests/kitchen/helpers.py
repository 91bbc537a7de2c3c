"""Small builders for kitchen tests."""

from __future__ import annotations

from recipe_app.domain.recipe import HowToStep, Ingredient, Nutrition, Recipe

Line = tuple[float | None, str, str, str]


def ingredient(quantity: float | None, unit: str = "", item: str = "", note: str = "") -> Ingredient:
    """An Ingredient from positional parts."""
    return Ingredient(quantity=quantity, unit=unit, item=item, note=note)


def recipe(name: str, servings: int, lines: list[Line]) -> Recipe:
    """A valid Recipe whose only interesting parts are its yield and ingredients."""
    return Recipe(
        name=name,
        description="",
        recipeYield=servings,
        prepTime="PT10M",
        cookTime="PT20M",
        totalTime="PT30M",
        recipeCuisine="",
        recipeIngredient=[ingredient(*line) for line in lines],
        recipeInstructions=[HowToStep(text="Cook it.")],
        tips=[],
        nutrition=Nutrition(calories=400, proteinContent=10, fatContent=10, carbohydrateContent=50),
    )
