"""The demo model reads allergies as cooks type them and leaves those foods out, hidden sources too."""

from __future__ import annotations

import json

import pytest

from recipe_app.domain.request import RecipeRequest
from recipe_app.kitchen.allergens import allergy_report
from recipe_app.llm.demo import build_demo_recipe
from recipe_app.llm.prompts import build_messages, request_from_messages

REQUESTS = [
    RecipeRequest(ingredients=["walnuts", "basil pesto", "spaghetti", "courgette"], allergies=["nut allergy"]),
    RecipeRequest(ingredients=["butter", "cheddar", "potatoes", "leeks"], allergies=["no dairy", "lactose intolerant"]),
    RecipeRequest(ingredients=["bread", "oats", "soy sauce", "chicken thighs"], allergies=["coeliac disease"]),
    RecipeRequest(ingredients=["prawns", "oyster sauce", "rice", "pak choi"], allergies=["shellfish allergy"]),
    RecipeRequest(ingredients=["anchovies", "Worcestershire sauce", "lettuce"], dish="caesar salad", allergies=["fish"]),
    RecipeRequest(ingredients=["tofu", "miso", "noodles"], allergies=["soya", "gluten intolerance", "sesame seeds"]),
    RecipeRequest(ingredients=["tomatoes", "peppers", "aubergine", "chickpeas"], allergies=["nightshades", "alliums"]),
]


@pytest.mark.parametrize("request_", REQUESTS, ids=lambda r: "+".join(r.allergies))
def test_demo_recipe_has_nothing_the_allergy_check_flags(request_: RecipeRequest) -> None:
    for seed in range(6):
        recipe = build_demo_recipe(request_, seed=seed)
        lines = [f"{i.item} {i.note}" for i in recipe.recipeIngredient]
        assert allergy_report(lines, request_.allergies).flagged == [], (seed, lines)
        assert recipe.recipeIngredient  # something is still cooked


def test_recognised_groups_travel_as_data_and_the_demo_reads_the_request_back() -> None:
    request = RecipeRequest(ingredients=["rice"], allergies=["nut allergy", "diary", "kiwi"])
    data = json.loads(build_messages(request)[-1]["content"])
    assert data["allergies"] == ["nut allergy", "diary", "kiwi"]
    assert data["allergen_groups"] == ["tree nuts", "peanuts", "milk"]
    assert request_from_messages(build_messages(request)) == request
    assert "allergen_groups" not in json.loads(build_messages(RecipeRequest(ingredients=["rice"]))[-1]["content"])
