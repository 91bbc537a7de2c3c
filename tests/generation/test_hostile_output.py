"""Whatever a model writes, card building and final validation raise nothing but the typed errors.

Random prefixes of real and hostile recipe JSON, and random numbers in every numeric field, go
through the same path a stream takes: the card of each prefix, then the final validation.
"""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from pydantic import ValidationError

from recipe_app.domain.card import EMPTY_CARD
from recipe_app.domain.recipe import MAX_SERVINGS, Recipe
from recipe_app.generation.run import goes_backwards
from recipe_app.kitchen.card import card_fields, parse_partial
from tests.recipes import RECIPE, RECIPE_TEXT

# Numbers as a model may write them, including what JSON cannot hold (1e999 reads as infinity).
HOSTILE_NUMBERS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(lambda f: repr(f) if math.isfinite(f) else {"nan": "NaN", "inf": "Infinity", "-inf": "-Infinity"}[repr(f)]),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.sampled_from(["1e999", "-1e999", "1e308", "NaN", "Infinity", "-0", "83888", "300000", "0.0000001", "10" * 200]),
)


def _with_numbers(numbers: list[str]) -> str:
    """RECIPE_TEXT with its numeric fields replaced, in order, by ``numbers`` (raw JSON text)."""
    recipe: dict[str, Any] = json.loads(json.dumps(RECIPE))
    slots: list[tuple[dict[str, Any], str]] = [(recipe, "recipeYield")]
    slots += [(line, "quantity") for line in recipe["recipeIngredient"]]
    slots += [(recipe["nutrition"], key) for key in recipe["nutrition"]]
    marks = {}
    for (holder, key), number in zip(slots, numbers, strict=False):
        mark = f"__N{len(marks)}__"
        holder[key] = mark
        marks[f'"{mark}"'] = number
    text = json.dumps(recipe)
    for mark, number in marks.items():
        text = text.replace(mark, number)
    return text


def _through_the_stream(text: str, cuts: list[int]) -> None:
    previous = dict(EMPTY_CARD)
    for cut in sorted(set(cuts)) + [len(text)]:
        card = card_fields(parse_partial(text[:cut]), previous=None)
        assert set(card) == set(EMPTY_CARD)
        assert 0 <= card["serves"] <= MAX_SERVINGS
        json.dumps(card, allow_nan=False)  # everything on the card can be sent to a browser
        if not goes_backwards(previous, card):
            previous = card
    card_fields(parse_partial(text), final=True)
    try:
        Recipe.model_validate_json(text)
    except ValidationError:
        pass  # the typed outcome: an unreadable recipe, a message on the card


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(numbers=st.lists(HOSTILE_NUMBERS, min_size=1, max_size=12), cuts=st.lists(st.integers(0, 2000), max_size=8))
def test_hostile_numbers_never_raise_on_the_way_to_the_card(numbers: list[str], cuts: list[int]) -> None:
    _through_the_stream(_with_numbers(numbers), cuts)


@settings(max_examples=300, deadline=None)
@given(cut=st.integers(0, len(RECIPE_TEXT)), garbage=st.text(max_size=40))
def test_any_prefix_with_any_tail_never_raises(cut: int, garbage: str) -> None:
    _through_the_stream(RECIPE_TEXT[:cut] + garbage, [cut])


@pytest.mark.parametrize(
    "number, field",
    [("1e999", "calories"), ("NaN", "calories"), ("-Infinity", "quantity"), ("-3", "quantity"), ("83888", "recipeYield"),
     ("300000", "calories"), ("1e12", "quantity"), ("0", "recipeYield")],
)
def test_impossible_numbers_are_refused_at_validation(number: str, field: str) -> None:
    text = RECIPE_TEXT
    if field == "calories":
        text = text.replace('"calories": 420', f'"calories": {number}')
    elif field == "recipeYield":
        text = text.replace('"recipeYield": 4', f'"recipeYield": {number}')
    else:
        text = text.replace('"quantity": 1.5', f'"quantity": {number}', 1)
    assert text != RECIPE_TEXT
    with pytest.raises(ValidationError):
        Recipe.model_validate_json(text)
    Recipe.model_validate_json(RECIPE_TEXT)  # the same recipe with sane numbers is fine
