"""Scaling quantities and writing ingredient lines: what the cook sees after changing servings."""

from __future__ import annotations

import pytest

from recipe_app.kitchen.parse import parse_line
from recipe_app.kitchen.scaling import format_ingredient, scale_ingredient, scale_recipe
from tests.kitchen.helpers import ingredient, recipe


@pytest.mark.parametrize(
    ("line", "factor", "shown"),
    [
        # fractions and float noise
        ((1.4999, "cup", "flour", "sifted"), 1, "1 1/2 cups flour, sifted"),
        ((1 / 3, "cup", "milk", ""), 3, "1 cup milk"),
        ((1 / 3, "cup", "milk", ""), 2, "2/3 cup milk"),
        ((0.75, "cup", "sugar", ""), 2, "1 1/2 cups sugar"),
        ((0.5, "cup", "sugar", ""), 0.25, "2 tbsp sugar"),
        ((1.5, "tbsp", "vegetable oil", ""), 0.5, "2 1/4 tsp vegetable oil"),
        ((1, "tsp", "salt", ""), 3, "1 tbsp salt"),
        # grams and millilitres
        ((1000, "g", "flour", ""), 1 / 3, "335 g flour"),
        ((250, "g", "butter", ""), 4, "1 kg butter"),
        ((800, "g", "chickpeas", "drained"), 1.5, "1.2 kg chickpeas, drained"),
        ((400, "ml", "coconut milk", ""), 0.25, "100 ml coconut milk"),
        ((1, "g", "saffron", ""), 0.1, "100 mg saffron"),
        ((1, "lb", "ground beef", ""), 1.5, "1 lb 8 oz ground beef"),
        ((8, "oz", "cheddar", ""), 3, "1 lb 8 oz cheddar"),
        # tiny amounts never vanish
        ((0.125, "tsp", "cayenne", ""), 0.25, "1/8 tsp cayenne"),
        ((1, "pinch", "salt", ""), 0.25, "a pinch of salt"),
        ((1, "pinch", "salt", ""), 3, "3 pinches salt"),
        # whole things
        ((3, "", "eggs", ""), 1 / 4, "1 egg"),
        ((3, "", "eggs", ""), 1 / 6, "1/2 egg"),
        ((5, "", "eggs", ""), 1 / 2, "2 1/2 eggs"),
        ((7, "", "eggs", ""), 1 / 2, "4 eggs"),
        ((1, "", "onion", "diced"), 3, "3 onions, diced"),
        ((2, "clove", "garlic", "crushed"), 1 / 4, "1/2 clove garlic, crushed"),
        ((2, "cloves", "garlic", ""), 2, "4 cloves garlic"),
        ((1, "can", "chickpeas", "400 g"), 0.5, "1/2 can chickpeas, 400 g"),
        ((2, "large", "eggs", ""), 2, "4 large eggs"),
        # no quantity: untouched
        ((None, "pinch", "salt", ""), 2, "2 pinches salt"),
        ((None, "", "salt and pepper", "to taste"), 3, "salt and pepper, to taste"),
    ],
)
def test_scaled_line_reads_well(line: tuple, factor: float, shown: str) -> None:
    assert format_ingredient(scale_ingredient(ingredient(*line), factor)) == shown


@pytest.mark.parametrize(
    ("text", "factor", "shown"),
    [
        ("1-2 tbsp olive oil", 1, "1 tbsp olive oil, 1–2 tbsp"),
        ("1-2 tbsp olive oil", 2, "2 tbsp olive oil, 2–4 tbsp"),
        ("1-2 tbsp olive oil", 4, "4 tbsp olive oil, 4 tbsp – 1/2 cup"),
        ("3-4 cloves garlic, minced", 2, "6 cloves garlic, 6–8 cloves, minced"),
        ("2-3 eggs, beaten", 0.5, "1 egg, 1–1 1/2, beaten"),
    ],
)
def test_ranges_from_parsed_text_scale_with_their_note(text: str, factor: float, shown: str) -> None:
    assert format_ingredient(scale_ingredient(parse_line(text), factor)) == shown


def test_spoons_grow_into_the_recipes_own_system() -> None:
    oil = ingredient(2, "tbsp", "olive oil")
    assert format_ingredient(scale_ingredient(oil, 4, "us")) == "1/2 cup olive oil"
    assert format_ingredient(scale_ingredient(oil, 4, "metric")) == "120 ml olive oil"


def test_cups_stay_cups_in_a_metric_recipe() -> None:
    mixed = recipe("Mixed", 2, [(1, "cup", "rice", ""), (200, "g", "chicken", ""), (1, "l", "stock", "")])
    scaled = scale_recipe(mixed, 4)
    assert [format_ingredient(i) for i in scaled.recipeIngredient] == ["2 cups rice", "400 g chicken", "2 l stock"]


def test_scale_recipe_updates_yield_and_keeps_the_rest() -> None:
    original = recipe(
        "Omelette", 4,
        [(3, "", "eggs", ""), (50, "g", "butter", ""), (None, "", "salt", "to taste"), (None, "pinch", "nutmeg", "")],
    )
    scaled = scale_recipe(original, 1)
    assert scaled.recipeYield == 1
    assert [format_ingredient(i) for i in scaled.recipeIngredient] == [
        "1 egg", "13 g butter", "salt, to taste", "a pinch of nutmeg",
    ]
    assert scaled.nutrition == original.nutrition  # per serving
    assert scaled.recipeInstructions == original.recipeInstructions
    assert original.recipeYield == 4 and original.recipeIngredient[0].quantity == 3  # not mutated


def test_same_servings_is_exactly_the_recipe() -> None:
    original = recipe("Odd", 3, [(1.4999, "cups", "flour", ""), (333.33, "g", "sugar", "")])
    assert scale_recipe(original, 3) == original


def test_up_and_down_again_returns_to_the_written_amounts() -> None:
    original = recipe("Cake", 4, [(250, "g", "flour", ""), (2, "", "eggs", ""), (1, "cup", "milk", "")])
    back = scale_recipe(scale_recipe(original, 8), 4)
    assert [format_ingredient(i) for i in back.recipeIngredient] == ["250 g flour", "2 eggs", "1 cup milk"]


def test_bad_servings_are_refused() -> None:
    with pytest.raises(ValueError):
        scale_recipe(recipe("X", 2, [(1, "", "egg", "")]), 0)
    with pytest.raises(ValueError):
        scale_ingredient(ingredient(1, "", "egg"), 0)


@pytest.mark.parametrize(
    ("line", "system", "shown"),
    [
        ((1.5, "cup", "flour", "sifted"), None, "1 1/2 cups flour, sifted"),
        ((1, "cup", "milk", ""), None, "1 cup milk"),
        ((0.5, "cup", "milk", ""), None, "1/2 cup milk"),
        ((200, "g", "feta", "crumbled"), None, "200 g feta, crumbled"),
        ((3, "", "eggs", ""), None, "3 eggs"),
        ((2, "cloves", "garlic", ""), None, "2 cloves garlic"),
        ((1, "Tablespoons", "oil", ""), None, "1 tbsp oil"),
        ((None, "pinch", "salt", ""), None, "a pinch of salt"),
        ((None, "", "salt and pepper", "to taste"), None, "salt and pepper, to taste"),
        ((250, "g", "butter", ""), "us", "9 oz butter"),
        ((2, "cups", "stock", ""), "metric", "475 ml stock"),
        ((3, "", "eggs", ""), "metric", "3 eggs"),
        ((None, "", "", "to taste"), None, "to taste"),
    ],
)
def test_format_ingredient(line: tuple, system: str | None, shown: str) -> None:
    assert format_ingredient(ingredient(*line), system) == shown  # type: ignore[arg-type]
