"""The growing answer parsed from its last value on: always what a whole parse gives, and cheaper.

Each batch of a stream re-parsed the whole text so far. ``PartialObject`` parses only the value of
the last top-level key once it has located it; these tests hold it to the whole parse at every
prefix, for real answers and for what a model can write (nested keys named like the live one,
escapes, brackets and quotes inside strings, pretty-printed JSON, text after the object).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recipe_app.domain.card import EMPTY_CARD
from recipe_app.domain.request import RecipeRequest
from recipe_app.generation.run import RecipeRun, goes_backwards
from recipe_app.kitchen import card as card_module
from recipe_app.kitchen.card import PartialObject, card_fields, parse_partial
from tests.llm.test_card import TEXT, _recipes, piece_ends
from tests.recipes import RECIPE_TEXT

HOSTILE = [
    # a key of the live key's name nested in its value, before and after text
    '{"name": "Soup", "tips": [{"tips": ["inner"]}, "outer \\"tips\\": no"], "nutrition": {}}',
    # quotes, backslashes and brackets inside strings
    '{"name": "A \\"quoted\\" [dish] {x}", "description": "back\\\\slash \\\\", "recipeInstructions": '
    '[{"text": "Stir ] then [ and } {"}, {"text": "\\u00e9t\\u00e9 \\ud83c\\udf72"}]}',
    # pretty-printed, with whitespace everywhere a model may put it
    json.dumps(json.loads(TEXT), indent=2),
    '{ "name" :\n "Tabs\\tand\\nlines" ,\r\n "tips" :\t[ "a" , "b" ] }',
    # text after the object, a duplicated key, an unfinished literal
    '{"name": "Done", "tips": ["x"]} and then some words [1, 2]',
    '{"tips": ["first"], "tips": ["second", "third"]}',
    '{"name": "N", "recipeYield": tru',
]


def _fed(text: str, ends: list[int]) -> None:
    parsed = PartialObject()
    for end in ends:
        got, whole = parsed.feed(text[:end]), parse_partial(text[:end])
        assert got == whole or json.dumps(got) == json.dumps(whole), text[:end][-60:]  # NaN is no NaN


@pytest.mark.parametrize("text", [TEXT, RECIPE_TEXT, *HOSTILE], ids=lambda t: t[:24])
def test_every_prefix_parses_as_the_whole_text_does(text: str) -> None:
    _fed(text, list(range(len(text) + 1)))
    _fed(text, list(range(0, len(text) + 1, 7)) + [len(text)])


def test_a_nested_key_named_like_the_live_one_in_the_same_batch_is_not_taken_for_it() -> None:
    text = HOSTILE[0]
    nested = text.index('{"tips": ["in') + len('{"tips": ["in')
    _fed(text, [nested, nested + 3, text.index("outer"), len(text)])


_hostile_words = st.lists(st.sampled_from(list('ab "\\[]{}:,é\n') + ["tips", "name", '"tips":'])).map("".join)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    recipe=_recipes,
    tips=st.lists(st.one_of(_hostile_words, st.dictionaries(st.sampled_from(["tips", "text"]), _hostile_words)), max_size=4),
    indent=st.sampled_from([None, 1, 2]),
    steps=st.lists(st.integers(1, 40), min_size=1, max_size=300),
)
def test_any_answer_in_any_pieces_parses_as_the_whole_text_does(recipe: dict, tips: list, indent: Any, steps: list[int]) -> None:
    recipe = {**recipe, "tips": recipe["tips"] + tips}
    text = json.dumps(recipe, ensure_ascii=indent == 2, indent=indent)
    _fed(text, piece_ends(text, steps))


def test_a_streamed_answer_is_parsed_whole_only_where_a_key_begins(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = {"whole": 0}
    real = card_module.parse_partial

    def counting(text: str) -> dict[str, Any]:
        calls["whole"] += 1
        return real(text)

    monkeypatch.setattr(card_module, "parse_partial", counting)
    parsed, feeds = PartialObject(), 0
    for end in range(1, len(RECIPE_TEXT) + 1, 5):
        parsed.feed(RECIPE_TEXT[:end])
        feeds += 1
    # Whole parses only between the end of one value and the start of the next key's (a few batches
    # per key at 5 characters a batch); every batch inside a value parses that value alone.
    assert feeds > 250
    assert calls["whole"] <= feeds // 5, f"{calls['whole']} whole parses for {feeds} batches"


def _run_card(text: str, ends: list[int]) -> None:
    """A run's card at each batch is the card built anew from the whole text (kept when it would go back)."""
    run = RecipeRun(None, None, RecipeRequest(ingredients=["chickpeas"]), seed=1)  # type: ignore[arg-type]
    expected, done = dict(EMPTY_CARD), 0
    for end in ends:
        run.text += text[done:end]
        done = end
        run._changes()
        anew = card_fields(parse_partial(text[:end]))
        if not goes_backwards(expected, anew):
            expected = anew
        assert run.card == expected, text[:end][-60:]


@pytest.mark.parametrize("text", [TEXT, RECIPE_TEXT, *HOSTILE], ids=lambda t: t[:24])
def test_a_run_grows_the_card_it_would_build_anew_at_every_prefix(text: str) -> None:
    _run_card(text, list(range(len(text) + 1)))


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(recipe=_recipes, steps=st.lists(st.integers(1, 40), min_size=1, max_size=300))
def test_a_run_fed_any_recipe_in_any_pieces_shows_the_card_built_anew(recipe: dict, steps: list[int]) -> None:
    text = json.dumps(recipe, ensure_ascii=False)
    _run_card(text, piece_ends(text, steps))
