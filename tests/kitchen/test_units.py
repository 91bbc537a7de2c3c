"""Unit spellings, dimensions and conversions, checked as the text a cook reads."""

from __future__ import annotations

import pytest

from recipe_app.kitchen.scaling import format_amount
from recipe_app.kitchen.units import convert, dimension, normalise_unit


@pytest.mark.parametrize(
    ("spelled", "canonical"),
    [
        ("g", "g"), ("gram", "g"), ("grams", "g"), ("kg", "kg"), ("Kilograms", "kg"), ("mg", "mg"),
        ("ml", "ml"), ("millilitre", "ml"), ("milliliters", "ml"), ("l", "l"), ("litre", "l"), ("Liters", "l"),
        ("tsp", "tsp"), ("teaspoon", "tsp"), ("Teaspoons", "tsp"), ("t", "tsp"),
        ("tbsp", "tbsp"), ("Tbsp.", "tbsp"), ("tablespoon", "tbsp"), ("tablespoons", "tbsp"), ("T", "tbsp"),
        ("cup", "cup"), ("cups", "cup"), ("C", "cup"),
        ("fl oz", "fl oz"), ("fl. oz.", "fl oz"), ("fluid ounces", "fl oz"),
        ("oz", "oz"), ("ounce", "oz"), ("ounces", "oz"), ("lb", "lb"), ("lbs", "lb"), ("pound", "lb"),
        ("pint", "pint"), ("quarts", "quart"), ("gallon", "gallon"),
        ("pinch", "pinch"), ("pinches", "pinch"), ("dash", "dash"), ("cloves", "clove"), ("piece", "piece"),
        ("cans", "can"), ("slices", "slice"), ("bunches", "bunch"), ("handful", "handful"), ("leaves", "leaf"),
        ("", ""), ("  ", ""), ("Large", "large"),
    ],
)
def test_unit_spellings_are_normalised(spelled: str, canonical: str) -> None:
    assert normalise_unit(spelled) == canonical


@pytest.mark.parametrize(
    ("unit", "expected"),
    [
        ("g", "mass"), ("kg", "mass"), ("oz", "mass"), ("pounds", "mass"),
        ("ml", "volume"), ("l", "volume"), ("tsp", "volume"), ("tbsp", "volume"), ("cups", "volume"),
        ("fl oz", "volume"), ("pint", "volume"), ("quart", "volume"), ("gallon", "volume"),
        ("pinch", "count"), ("dash", "count"), ("clove", "count"), ("piece", "count"), ("can", "count"),
        ("slice", "count"), ("bunch", "count"), ("handful", "count"), ("", "count"),
        ("large", None), ("splodge", None),
    ],
)
def test_dimension(unit: str, expected: str | None) -> None:
    assert dimension(unit) == expected


@pytest.mark.parametrize(
    ("quantity", "unit", "system", "shown"),
    [
        # metric -> US
        (250, "g", "us", "9 oz"),
        (100, "g", "us", "3 1/2 oz"),
        (500, "g", "us", "1 lb 2 oz"),
        (1, "kg", "us", "2 lb 3 oz"),
        (450, "g", "us", "1 lb"),
        (2, "g", "us", "2 g"),  # under 1/4 oz no US measure is fine enough
        (5, "ml", "us", "1 tsp"),
        (15, "ml", "us", "1 tbsp"),
        (60, "ml", "us", "4 tbsp"),
        (80, "ml", "us", "1/3 cup"),
        (250, "ml", "us", "1 cup"),
        (1000, "ml", "us", "4 1/4 cups"),
        # US -> metric
        (1, "cup", "metric", "235 ml"),
        (2, "cups", "metric", "475 ml"),
        (4, "fl oz", "metric", "120 ml"),
        (1, "lb", "metric", "455 g"),
        (1.1, "lb", "metric", "500 g"),
        (9, "oz", "metric", "255 g"),
        (2.2, "lb", "metric", "1 kg"),
        (1, "gallon", "metric", "3.8 l"),
        # tidying inside one system
        (1000, "ml", "metric", "1 l"),
        (1250, "g", "metric", "1.25 kg"),
        (1333, "g", "metric", "1.3 kg"),
        (333.33, "g", "metric", "335 g"),
        (0.3, "g", "metric", "300 mg"),
        (3, "tsp", "us", "1 tbsp"),
        (3, "tsp", "metric", "1 tbsp"),
        (4, "tsp", "us", "4 tsp"),
        (0.25, "cup", "us", "4 tbsp"),
        (6, "tbsp", "us", "6 tbsp"),
        (8, "tbsp", "us", "1/2 cup"),
        (16, "tbsp", "us", "1 cup"),
        (1.4999, "cups", "us", "1 1/2 cups"),
        (1, "quart", "us", "1 quart"),
        (4, "fl oz", "us", "1/2 cup"),
        (1, "tbsp", "metric", "1 tbsp"),  # metric kitchens have spoons too
        (8, "tbsp", "metric", "120 ml"),
        (1 / 16, "tsp", "us", "1/8 tsp"),  # never rounded away to 0
        # countable units are not converted
        (1, "pinch", "us", "1 pinch"),
        (3, "cloves", "metric", "3 cloves"),
        (2, "", "us", "2"),
    ],
)
def test_convert_reads_naturally(quantity: float, unit: str, system: str, shown: str) -> None:
    assert format_amount(*convert(quantity, unit, system)) == shown  # type: ignore[arg-type]


def test_convert_returns_numbers_and_canonical_units() -> None:
    assert convert(250, "grams", "us") == (9, "oz")
    assert convert(0.25, "cups", "us") == (4, "tbsp")
    assert convert(None, "Pinches", "metric") == (None, "pinch")


def test_round_trip_stays_close() -> None:
    quantity, unit = convert(2, "cups", "metric")
    assert convert(quantity, unit, "us") == (2, "cup")


def test_unknown_system_is_refused() -> None:
    with pytest.raises(ValueError):
        convert(1, "cup", "imperial")  # type: ignore[arg-type]
