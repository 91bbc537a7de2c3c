"""Exports: schema.org/Recipe JSON-LD of a valid shape, and Markdown."""

from __future__ import annotations

import re

from recipe_app.kitchen.export import json_ld, markdown
from recipe_app.domain.recipe import Recipe
from tests.recipes import RECIPE

ISO = re.compile(r"^P(?:\d+D)?(?:T(?:\d+H)?(?:\d+M)?(?:\d+S)?)?$")


def test_json_ld_has_the_schema_org_recipe_shape() -> None:
    data = json_ld(Recipe.model_validate(RECIPE), diet="vegan")
    assert data["@context"] == "https://schema.org" and data["@type"] == "Recipe"
    assert data["name"] == "Chickpea & Spinach Curry" and data["recipeYield"] == "4 servings"
    for key in ("prepTime", "cookTime", "totalTime"):
        assert ISO.match(data[key]), data[key]
    assert all(isinstance(line, str) for line in data["recipeIngredient"])
    assert data["recipeIngredient"][:2] == ["1 1/2 tbsp vegetable oil", "1 onion, finely chopped"]
    assert data["recipeIngredient"][-1] == "salt, to taste"
    steps = data["recipeInstructions"]
    assert [s["@type"] for s in steps] == ["HowToStep"] * 5 and steps[0]["position"] == 1
    assert data["nutrition"]["@type"] == "NutritionInformation"
    assert data["nutrition"]["calories"] == "420 calories" and data["nutrition"]["proteinContent"] == "14 g"
    assert data["suitableForDiet"] == "https://schema.org/VeganDiet"


def test_markdown_export() -> None:
    text = markdown(Recipe.model_validate(RECIPE))
    assert text.startswith("# Chickpea & Spinach Curry\n")
    assert "## Ingredients" in text and "- 800 g chickpeas, drained" in text
    assert "5. Serve hot with rice or warm flatbreads." in text
