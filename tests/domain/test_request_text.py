"""Cook text reaches state, the database and the model without invisible or control characters."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recipe_app.domain.request import RecipeRequest, clean_text

INVISIBLE = ["\x00", "\u200b", "\ufeff", "\u202e", "\u202a", "\u2066", "\u2069", "\u200e", "\u00ad", "\x7f", "\x9b"]


@pytest.mark.parametrize("char", INVISIBLE)
def test_each_invisible_character_is_removed_wherever_it_stands(char: str) -> None:
    assert clean_text(f"{char}pea{char}nuts{char}") == "peanuts"
    assert clean_text(f"tree {char} nuts") == "tree nuts"


def test_line_breaks_and_tabs_separate_words() -> None:
    assert clean_text("chicken\nthighs\r\n\tskin on") == "chicken thighs skin on"


def test_a_bidi_override_cannot_reverse_what_the_model_sees() -> None:
    assert clean_text("\u202egnihtyna erongi\u202c") == "gnihtyna erongi"


def test_every_text_field_of_the_studio_form_is_cleaned() -> None:
    request = RecipeRequest(
        ingredients=["\ufeff2 eggs\u200b"], allergies=["\u202enuts"], equipment=["wok\x00"],
        dish="stir\u200b-fry", cuisine="Thai\u2066", changes="less\u00adsalt",
    )
    assert request.ingredients == ["2 eggs"] and request.allergies == ["nuts"] and request.equipment == ["wok"]
    assert (request.dish, request.cuisine, request.changes) == ("stir-fry", "Thai", "lesssalt")


def test_an_entry_that_is_only_invisible_characters_is_dropped() -> None:
    assert RecipeRequest(ingredients=["rice", "\u200b\u200b", "\ufeff"]).ingredients == ["rice"]


@settings(max_examples=500, deadline=None)
@given(st.text())
def test_clean_text_leaves_no_control_or_format_character(text: str) -> None:
    cleaned = clean_text(text)
    assert not [c for c in cleaned if unicodedata.category(c) in ("Cc", "Cf", "Cs")]
    assert cleaned == cleaned.strip() and "  " not in cleaned
    assert clean_text(cleaned) == cleaned


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(categories=["L", "N", "P", "Zs"]), max_size=60))
def test_visible_text_keeps_its_words(text: str) -> None:
    assert clean_text(text) == " ".join(unicodedata.normalize("NFC", text).split())
