"""How scaled and converted amounts read: the unit a cook would write, never a misleading number."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recipe_app.kitchen.card import card_fields, ingredient_line
from recipe_app.kitchen.parse import parse_line
from recipe_app.kitchen.scaling import format_amount, format_ingredient, scale_ingredient
from recipe_app.kitchen.units import convert
from tests.kitchen.helpers import ingredient


def shown(quantity: float, unit: str, system: str) -> str:
    return format_amount(*convert(quantity, unit, system))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("quantity", "unit", "system", "expected", "why"),
    [
        (0.1, "g", "us", "100 mg", "0.1 g of saffron is not 0.5 g: no US measure is that fine"),
        (0.1, "g", "metric", "100 mg", "milligrams under a gram"),
        (0.4, "g", "us", "400 mg", "still under a gram"),
        (0.05, "g", "us", "50 mg", "a few saffron threads"),
        (5, "g", "us", "5 g", "under 1/4 oz: grams"),
        (3.5, "g", "metric", "3.5 g", "metric reads as a decimal, not 3 1/2 g"),
        (7, "g", "metric", "7 g", "whole grams"),
        (1250, "g", "metric", "1.25 kg", "kilograms as a decimal"),
        (1.5, "l", "metric", "1.5 l", "litres as a decimal"),
        (2.5, "ml", "metric", "2.5 ml", "millilitres as a decimal"),
        (500, "g", "us", "1 lb 2 oz", "pounds with ounces, not 1.1 lb"),
        (1, "kg", "us", "2 lb 3 oz", "a kilo in pounds and ounces"),
        (1.1, "lb", "us", "1 lb 2 oz", "a decimal pound reads as ounces"),
        (2, "lb", "us", "2 lb", "whole pounds"),
        (0.5, "lb", "us", "8 oz", "half a pound is ounces"),
        (250, "g", "us", "9 oz", "ounces under a pound"),
        (2, "quart", "us", "2 quarts", "quarts stay quarts"),
        (1, "gallon", "us", "1 gallon", "gallons stay gallons"),
        (5, "l", "us", "1 1/4 gallons", "a large volume in gallons, not 21 cups"),
        (1, "pint", "us", "1 pint", "pints stay pints"),
        (0.5, "quart", "us", "2 cups", "under a quart: cups"),
    ],
)
def test_conversions_read_as_cooks_write(quantity: float, unit: str, system: str, expected: str, why: str) -> None:
    assert shown(quantity, unit, system) == expected, why


@pytest.mark.parametrize(
    ("line", "factor", "expected", "why"),
    [
        ((0.1, "g", "saffron", ""), 1.5, "150 mg saffron", "small masses scale into milligrams"),
        ((1.5, "g", "yeast", ""), 1.5, "2.5 g yeast", "metric decimal, nearest half gram"),
        ((2, "quart", "chicken stock", ""), 2, "4 quarts chicken stock", "quarts stay where cooks use them"),
        ((2, "quart", "chicken stock", ""), 0.25, "2 cups chicken stock", "less than a quart becomes cups"),
        ((1, "gallon", "water", ""), 1.5, "1 1/2 gallons water", "gallons stay gallons"),
        ((1, "stick", "butter", ""), 0.75, "3/4 stick butter", "butter sticks go by quarters"),
        ((1, "stick", "butter", ""), 0.3, "1/4 stick butter", "a quarter stick is 2 tbsp"),
        ((2, "stick", "butter", ""), 0.625, "1 1/4 sticks butter", "quarters above one too"),
        ((1, "pinch", "salt", ""), 10, "5/8 tsp salt", "ten pinches are a spoon measure"),
        ((None, "pinch", "salt", ""), 10, "5/8 tsp salt", "a pinch x10 agrees with 1 pinch x10"),
        ((1, "pinch", "salt", ""), 2, "2 pinches salt", "two pinches"),
        ((None, "pinch", "salt", ""), 2, "2 pinches salt", "a pinch x2 agrees with 1 pinch x2"),
        ((None, "pinch", "salt", ""), 0.5, "a pinch of salt", "never less than a pinch"),
        ((1, "pinch", "salt", ""), 0.5, "a pinch of salt", "1 pinch reads like a pinch"),
        ((1, "dash", "hot sauce", ""), 8, "1 tsp hot sauce", "eight dashes are a teaspoon"),
        ((None, "handful", "spinach", ""), 3, "3 handfuls spinach", "a handful counts as one"),
        ((1, "lb", "ground beef", ""), 1.1, "1 lb 2 oz ground beef", "pounds with ounces"),
        ((250, "g", "butter", ""), 1.4, "350 g butter", "metric stays metric"),
    ],
)
def test_scaled_lines_read_well(line: tuple, factor: float, expected: str, why: str) -> None:
    assert format_ingredient(scale_ingredient(ingredient(*line), factor)) == expected, why


def test_a_pinch_and_one_pinch_agree_at_every_factor() -> None:
    for factor in (0.25, 0.5, 1, 1.5, 2, 3, 4, 6, 10, 20):
        a = format_ingredient(scale_ingredient(parse_line("a pinch of salt"), factor))
        one = format_ingredient(scale_ingredient(parse_line("1 pinch salt"), factor))
        assert a == one, factor


def test_card_amounts_use_the_same_display() -> None:
    assert ingredient_line({"quantity": 3.5, "unit": "g", "item": "yeast", "note": ""})["amount"] == "3.5 g"
    assert ingredient_line({"quantity": 1.125, "unit": "lb", "item": "beef", "note": ""})["amount"] == "1 lb 2 oz"
    assert ingredient_line({"quantity": 1, "unit": "piece", "item": "onion", "note": ""})["amount"] == "1"


def test_nutrition_shows_whole_numbers() -> None:
    recipe = {"nutrition": {"calories": 12.6, "proteinContent": 3.4, "fatContent": 0.5, "carbohydrateContent": 20}}
    values = [n["value"] for n in card_fields(recipe, final=True)["nutrition"]]
    assert values == ["13 kcal", "3 g", "0 g", "20 g"]


@settings(max_examples=400, deadline=None)
@given(st.floats(min_value=0.001, max_value=50_000, allow_nan=False),
       st.sampled_from(["g", "kg", "mg", "ml", "l", "tsp", "tbsp", "cup", "oz", "lb", "quart", "gallon", "pint"]),
       st.sampled_from(["us", "metric"]))
def test_converted_amounts_are_positive_and_never_fractional_metric(quantity: float, unit: str, system: str) -> None:
    value, canon = convert(quantity, unit, system)  # type: ignore[arg-type]
    text = format_amount(value, canon)
    assert value and value > 0 and text
    if canon in ("g", "kg", "mg", "ml", "l"):
        assert "/" not in text
    if canon == "lb":
        assert "." not in text and "/" not in text
