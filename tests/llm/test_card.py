"""Partial JSON -> recipe card, at every cut point of a real answer."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from recipe_app.domain.card import EMPTY_CARD, card_changes, recipe_markdown

from recipe_app.kitchen.card import card_fields, parse_partial
from recipe_app.domain.recipe import RECIPE_KEYS, Recipe, recipe_json_schema
from tests.recipes import RECIPE_TEXT

RECIPE = {
    "name": "Chickpea & Spinach Curry",
    "description": "A quick, warming curry with a \"silky\" coconut sauce.",
    "recipeYield": 4,
    "prepTime": "PT10M",
    "cookTime": "PT25M",
    "totalTime": "PT35M",
    "recipeCuisine": "Indian",
    "recipeIngredient": [
        {"quantity": 1.5, "unit": "tbsp", "item": "vegetable oil", "note": ""},
        {"quantity": 400, "unit": "g", "item": "chickpeas", "note": "drained"},
        {"quantity": None, "unit": "", "item": "salt", "note": "to taste"},
    ],
    "recipeInstructions": [
        {"text": "Heat the oil in a large pan."},
        {"text": "Add the chickpeas and simmer for 20 minutes."},
    ],
    "tips": ["Add lime at the end.", "Keeps 3 days in the fridge."],
    "nutrition": {"calories": 420, "proteinContent": 14, "fatContent": 18.5, "carbohydrateContent": 45},
}
TEXT = json.dumps(RECIPE)


def test_the_example_is_a_valid_recipe_and_the_schema_is_strict() -> None:
    Recipe.model_validate(RECIPE)
    schema = recipe_json_schema()
    assert schema["additionalProperties"] is False
    assert schema["required"] == list(RECIPE_KEYS)
    ingredient = schema["$defs"]["Ingredient"]
    assert ingredient["properties"]["quantity"]["type"] == ["number", "null"]
    assert ingredient["required"] == ["quantity", "unit", "item", "note"]


def test_every_cut_point_parses_and_the_card_only_grows() -> None:
    previous = dict(EMPTY_CARD)
    for cut in range(len(TEXT) + 1):
        card = card_fields(parse_partial(TEXT[:cut]))
        # Finished lists never lose an item and finished items never change.
        for key in ("ingredients", "steps", "tips"):
            assert card[key][: len(previous[key])] == previous[key], (cut, key)
        assert card["title"].startswith(previous["title"][: len(card["title"])])
        previous = card
    final = card_fields(parse_partial(TEXT), final=True)
    assert final["title"] == "Chickpea & Spinach Curry"
    assert final["serves"] == 4
    assert final["total_time"] == "35 min"
    assert [line["amount"] for line in final["ingredients"]] == ["1 1/2 tbsp", "400 g", ""]
    assert final["steps"] == ["Heat the oil in a large pan.", "Add the chickpeas and simmer for 20 minutes."]
    assert final["nutrition"][0] == {"label": "Calories", "value": "420 kcal"}
    assert final["ingredient_live"] == final["step_live"] == final["tip_live"] == ""


@pytest.mark.parametrize(
    ("marker", "expect"),
    [
        ('"Chickpea & Spi', {"title": "Chickpea & Spi", "section": "title"}),
        ('"recipeYield": 4, "prepTime": "PT', {"serves": 4, "section": "details"}),
        ('"chickpeas", "no', {"section": "ingredients", "ingredient_live": "400 g chickpeas"}),
        ('"Add the chickpeas and', {"section": "steps", "step_live": "Add the chickpeas and"}),
    ],
)
def test_cut_points_show_what_is_finished_and_what_is_live(marker: str, expect: dict) -> None:
    card = card_fields(parse_partial(TEXT[: TEXT.index(marker) + len(marker)]))
    for key, value in expect.items():
        assert card[key] == value
    if expect["section"] == "ingredients":
        assert len(card["ingredients"]) == 1  # the first line is finished, the second is live
    if expect["section"] == "steps":
        assert card["steps"] == ["Heat the oil in a large pan."]
        assert len(card["ingredients"]) == 3


def test_a_number_still_being_written_is_not_shown() -> None:
    # "recipeYield": 1 could become 12: it is shown only once the next key starts.
    card = card_fields(parse_partial('{"name": "Soup", "description": "Hot", "recipeYield": 1'))
    assert card["serves"] == 0


def test_changes_carry_only_what_changed() -> None:
    cut = TEXT.index('"Add the chickpeas') + 10
    before = card_fields(parse_partial(TEXT[:cut]))
    after = card_fields(parse_partial(TEXT[: cut + 6]))
    assert set(card_changes(before, after)) == {"step_live"}


def test_final_validation_rejects_a_wrong_shape() -> None:
    broken = dict(RECIPE, prepTime="ten minutes")
    with pytest.raises(ValidationError):
        Recipe.model_validate(broken)
    with pytest.raises(ValidationError):
        Recipe.model_validate_json(TEXT[:-10])


def test_markdown_for_copy() -> None:
    md = recipe_markdown(card_fields(RECIPE, final=True))
    assert md.startswith("# Chickpea & Spinach Curry\n")
    assert "- 400 g chickpeas, drained" in md
    assert "2. Add the chickpeas and simmer for 20 minutes." in md
    assert "Serves 4 · Prep 10 min · Cook 25 min · Total 35 min · Indian" in md


def test_reusing_the_previous_card_gives_the_same_card_at_every_prefix() -> None:
    """The finished lists of the last card are reused while no item finished: never a stale item."""
    card = dict(EMPTY_CARD)
    for end in range(1, len(TEXT) + 1, 7):
        partial = parse_partial(TEXT[:end])
        reused = card_fields(partial, previous=card)
        assert reused == card_fields(partial), TEXT[:end][-40:]
        card = reused
    assert card["ingredients"] and card["steps"] and card["tips"]


def piece_ends(text: str, steps: list[int]) -> list[int]:
    """Where each piece of ``text`` ends when it streams in pieces of these sizes (the whole text last)."""
    ends, end = [], 0
    for step in steps:
        end = min(len(text), end + step)
        ends.append(end)
    return ends + [len(text)]


def _stream_cards(text: str, ends: list[int]) -> None:
    """At each prefix, the card grown from the last one (its keys given) equals the card built anew."""
    card, keys = dict(EMPTY_CARD), None
    for end in ends:
        partial = parse_partial(text[:end])
        grown = card_fields(partial, previous=card, previous_keys=keys)
        assert grown == card_fields(partial), text[:end][-60:]
        card, keys = grown, tuple(partial)


@pytest.mark.parametrize("text", [TEXT, RECIPE_TEXT], ids=["example", "curry"])
def test_a_card_grown_key_by_key_is_the_card_built_anew_at_every_prefix(text: str) -> None:
    _stream_cards(text, list(range(1, len(text) + 1)))


_words = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=30)
_recipes = st.fixed_dictionaries(
    {
        "name": _words,
        "description": _words,
        "recipeYield": st.integers(-5, 200),
        "prepTime": st.sampled_from(["PT10M", "PT1H30M", "soon", ""]),
        "cookTime": st.sampled_from(["PT25M", "P1D", "x"]),
        "totalTime": st.sampled_from(["PT35M", "PT0M"]),
        "recipeCuisine": _words,
        "recipeIngredient": st.lists(
            st.fixed_dictionaries(
                {"quantity": st.one_of(st.none(), st.floats(allow_nan=True), st.integers(-10, 10**6)),
                 "unit": st.sampled_from(["g", "tbsp", "cup", "piece", ""]), "item": _words, "note": _words}
            ),
            max_size=5,
        ),
        "recipeInstructions": st.lists(st.fixed_dictionaries({"text": _words}), max_size=5),
        "tips": st.lists(_words, max_size=4),
        "nutrition": st.fixed_dictionaries({"calories": st.integers(-1, 20000), "proteinContent": st.floats(0, 3000)}),
    }
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(recipe=_recipes, steps=st.lists(st.integers(1, 40), min_size=1, max_size=400))
def test_any_recipe_streamed_in_any_pieces_grows_the_card_it_would_build_anew(recipe: dict, steps: list[int]) -> None:
    text = json.dumps(recipe, ensure_ascii=False)
    _stream_cards(text, piece_ends(text, steps))
