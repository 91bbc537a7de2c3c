"""Free-text ingredient lines read into structured ingredients."""

from __future__ import annotations

import pytest

from recipe_app.kitchen.parse import parse_line
from recipe_app.kitchen.scaling import format_ingredient
from recipe_app.domain.recipe import Ingredient

# (line, quantity, unit, item, note)
CASES = [
    # the examples cooks paste most
    ("2 1/2 cups plain flour, sifted", 2.5, "cup", "plain flour", "sifted"),
    ("1-2 tbsp olive oil", 1, "tbsp", "olive oil", "1–2 tbsp"),
    ("a pinch of salt", None, "pinch", "salt", ""),
    ("3 eggs", 3, "", "eggs", ""),
    ("200g feta, crumbled", 200, "g", "feta", "crumbled"),
    ("salt and pepper to taste", None, "", "salt and pepper", "to taste"),
    ("½ tsp cumin", 0.5, "tsp", "cumin", ""),
    ("1 (400 g) can chickpeas", 1, "can", "chickpeas", "400 g"),
    # fractions and numbers
    ("1½ cups milk", 1.5, "cup", "milk", ""),
    ("1 ⅓ cups sugar", 4 / 3, "cup", "sugar", ""),
    ("⅛ tsp cayenne", 0.125, "tsp", "cayenne", ""),
    ("1-1/2 cups sugar", 1.5, "cup", "sugar", ""),
    ("1,5 kg potatoes", 1.5, "kg", "potatoes", ""),
    ("1,000 g flour", 1000, "g", "flour", ""),
    ("0.5 l stock", 0.5, "l", "stock", ""),
    ("½kg flour", 0.5, "kg", "flour", ""),
    # ranges: low end kept, range in the note
    ("1 to 2 tsp chilli flakes", 1, "tsp", "chilli flakes", "1–2 tsp"),
    ("3–4 cloves garlic, minced", 3, "clove", "garlic", "3–4 cloves, minced"),
    ("2 or 3 eggs", 2, "", "eggs", "2–3"),
    # words for amounts
    ("an onion, finely chopped", 1, "", "onion", "finely chopped"),
    ("Two large eggs, beaten", 2, "", "large eggs", "beaten"),
    ("half an onion", 0.5, "", "onion", ""),
    ("a handful of basil leaves", None, "handful", "basil leaves", ""),
    ("pinch of nutmeg", None, "pinch", "nutmeg", ""),
    ("a few sprigs thyme", None, "sprig", "thyme", "a few"),
    ("1 dash Worcestershire sauce", 1, "dash", "Worcestershire sauce", ""),
    # units however they are written
    ("1 tbsp. butter", 1, "tbsp", "butter", ""),
    ("2 T sugar", 2, "tbsp", "sugar", ""),
    ("1 t salt", 1, "tsp", "salt", ""),
    ("4 fl oz milk", 4, "fl oz", "milk", ""),
    ("2 fluid ounces rum", 2, "fl oz", "rum", ""),
    ("12oz pasta", 12, "oz", "pasta", ""),
    ("1 lb ground beef", 1, "lb", "ground beef", ""),
    ("2 Tablespoons honey", 2, "tbsp", "honey", ""),
    ("3 limes", 3, "", "limes", ""),
    ("2 large onions", 2, "", "large onions", ""),
    ("1 stick butter, softened", 1, "stick", "butter", "softened"),
    # pack sizes and notes
    ("2 x 400g tins chopped tomatoes", 2, "tin", "chopped tomatoes", "400 g"),
    ("1 can (14 oz) coconut milk", 1, "can", "coconut milk", "14 oz"),
    ("100g dark chocolate (70%), chopped", 100, "g", "dark chocolate", "70%, chopped"),
    ("3 tbsp sugar (optional)", 3, "tbsp", "sugar", "optional"),
    ("1/2 cup flour plus extra for dusting", 0.5, "cup", "flour", "plus extra for dusting"),
    ("olive oil, for frying", None, "", "olive oil", "for frying"),
    ("fresh parsley, to serve", None, "", "fresh parsley", "to serve"),
    ("about 2 cups stock", 2, "cup", "stock", ""),
    ("• 2 carrots", 2, "", "carrots", ""),
    ("- [ ] 1 l milk", 1, "l", "milk", ""),
    ("juice of 1 lemon", 1, "", "lemon", "juice"),
]


@pytest.mark.parametrize(("text", "quantity", "unit", "item", "note"), CASES)
def test_parse_line(text: str, quantity: float | None, unit: str, item: str, note: str) -> None:
    parsed = parse_line(text)
    assert (parsed.unit, parsed.item, parsed.note) == (unit, item, note)
    if quantity is None:
        assert parsed.quantity is None
    else:
        assert parsed.quantity == pytest.approx(quantity)


@pytest.mark.parametrize(
    ("text", "item"),
    [
        ("", ""),
        ("   ", ""),
        ("!!!", "!!!"),
        ("42", "42"),
        ("2 cups", "2 cups"),
        ("1/0 cup flour", "1/0 cup flour"),
        ("  lots   of\tspace  ", "lots of space"),
    ],
)
def test_unreadable_lines_keep_their_text(text: str, item: str) -> None:
    assert parse_line(text) == Ingredient(quantity=None, unit="", item=item, note="")


@pytest.mark.parametrize(
    "text",
    [None, 12, "x" * 5000, "((((", "1 (", "1 x", "½", "- - -", "1-", "to taste", "a", "of", "1 cup (", "🍅🍅", "1e9 g",
     "999999999999999999999 cups sugar", "\x00\x01", "1/2/3 cup", ", , ,"],
)
def test_never_raises(text: object) -> None:
    assert isinstance(parse_line(text), Ingredient)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "text",
    ["1 1/2 cups flour, sifted", "200 g feta, crumbled", "3 eggs", "a pinch of salt", "salt and pepper, to taste",
     "2 cloves garlic, crushed", "1/2 tsp ground cumin", "1 tbsp olive oil, 1–2 tbsp"],
)
def test_written_lines_read_back_the_same(text: str) -> None:
    assert format_ingredient(parse_line(text)) == text
