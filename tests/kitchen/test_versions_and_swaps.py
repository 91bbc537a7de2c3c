"""The version diff, the swap check and the offline picture: tables and properties."""

from __future__ import annotations

import base64
import json
from xml.etree import ElementTree

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recipe_app.domain.recipe import HowToStep, Ingredient, Recipe
from recipe_app.kitchen.illustration import illustration_svg, illustration_uri
from recipe_app.kitchen.swaps import checked_swaps, swap_change, swap_problem
from recipe_app.kitchen.versions import diff_versions
from tests.recipes import RECIPE

BASE = Recipe.model_validate(RECIPE)


def version(ingredients: list[tuple[float | None, str, str, str]] | None = None, steps: list[str] | None = None) -> Recipe:
    lines = [Ingredient(quantity=q, unit=u, item=i, note=n) for q, u, i, n in ingredients] if ingredients is not None else BASE.recipeIngredient
    texts = [HowToStep(text=t) for t in steps] if steps is not None else BASE.recipeInstructions
    return BASE.model_copy(update={"recipeIngredient": lines, "recipeInstructions": texts})


OLD = [(200, "g", "flour", ""), (2, "", "eggs", ""), (100, "ml", "buttermilk", ""), (None, "", "salt", "to taste")]
STEPS = ["Whisk the flour and eggs.", "Stir in the buttermilk.", "Bake for 20 minutes."]

# (new ingredients, new steps, added, removed, changed, steps added, steps removed, steps changed)
DIFFS = [
    (OLD, STEPS, [], [], [], [], [], []),
    ([*OLD[:2], (100, "ml", "milk", "with 1 tsp lemon juice"), OLD[3]], STEPS,
     ["100 ml milk, with 1 tsp lemon juice"], ["100 ml buttermilk"], [], [], [], []),
    ([(250, "g", "flour", ""), *OLD[1:]], STEPS, [], [], ["200 g flour → 250 g flour"], [], [], []),
    ([(200, "g", "Flour ", ""), *OLD[1:]], STEPS, [], [], [], [], [], []),  # case and spacing are no change
    ([(200, "g", "flour", "sifted"), *OLD[1:]], STEPS, [], [], ["200 g flour → 200 g flour, sifted"], [], [], []),
    (OLD[:3], STEPS, [], ["salt, to taste"], [], [], [], []),
    (OLD, ["Heat a skillet.", *STEPS], [], [], [], ["Heat a skillet."], [], []),  # an inserted step moves no other
    (OLD, [*STEPS[:2], "Cook covered in a skillet for 20 minutes."], [], [], [], [], [],
     ["Cook covered in a skillet for 20 minutes."]),
    (OLD, STEPS[:2], [], [], [], [], ["Bake for 20 minutes."], []),
    (OLD, ["Whisk  the flour and eggs. ", *STEPS[1:]], [], [], [], [], [], []),  # spacing only
]


@pytest.mark.parametrize(("new", "steps", "added", "removed", "changed", "s_added", "s_removed", "s_changed"), DIFFS)
def test_the_version_diff_table(
    new: list, steps: list[str], added: list[str], removed: list[str], changed: list[str],
    s_added: list[str], s_removed: list[str], s_changed: list[str],
) -> None:
    diff = diff_versions(version(OLD, STEPS), version(new, steps))
    assert (diff.added, diff.removed, diff.changed) == (added, removed, changed)
    assert (diff.steps_added, diff.steps_removed, diff.steps_changed) == (s_added, s_removed, s_changed)
    assert diff.empty == (not any((added, removed, changed, s_added, s_removed, s_changed)))


words = st.sampled_from(["flour", "eggs", "milk", "salt", "oat milk", "tofu", "rice", "sugar", "butter", "lime"])


@settings(max_examples=80, deadline=None)
@given(a=st.lists(words, unique=True, max_size=6), b=st.lists(words, unique=True, max_size=6),
       sa=st.lists(st.sampled_from(STEPS + ["Rest.", "Serve."]), max_size=5),
       sb=st.lists(st.sampled_from(STEPS + ["Rest.", "Serve."]), max_size=5))
def test_a_diff_accounts_for_every_line_once(a: list[str], b: list[str], sa: list[str], sb: list[str]) -> None:
    old = [(1, "", item, "") for item in a]
    new = [(1, "", item, "") for item in b]
    diff = diff_versions(version(old, sa or ["Cook."]), version(new, sb or ["Cook."]))
    assert sorted(diff.added) == sorted(f"1 {i}" for i in b if i not in a)
    assert sorted(diff.removed) == sorted(f"1 {i}" for i in a if i not in b)
    reverse = diff_versions(version(new, sb or ["Cook."]), version(old, sa or ["Cook."]))
    assert sorted(reverse.added) == sorted(diff.removed)
    old_steps, new_steps = sa or ["Cook."], sb or ["Cook."]
    assert len(old_steps) - len(diff.steps_removed) == len(new_steps) - len(diff.steps_added)


# (substitute, allergies, diet, problem)
CHECKS = [
    ("oat milk", ["milk"], "none", ""),
    ("double cream", ["dairy"], "none", "Not safe: may contain dairy"),
    ("butter", ["milk allergy"], "none", "Not safe: may contain milk allergy"),
    ("almond flour", ["tree nuts"], "none", "Not safe: may contain tree nuts"),
    ("peanut butter", ["peanuts"], "none", "Not safe: may contain peanuts"),
    ("tamari", ["gluten"], "none", ""),
    ("soy sauce", ["gluten"], "none", "Not safe: may contain gluten"),
    ("chicken thighs", [], "vegetarian", "Not vegetarian"),
    ("honey", [], "vegan", "Not vegan"),
    ("maple syrup", [], "vegan", ""),
    ("parmesan", [], "vegan", "Not vegan"),
    ("feta", [], "vegetarian", ""),
    ("prawns", [], "kosher", "Not kosher"),
    ("bacon", [], "halal", "Not halal"),
    ("plain flour", [], "gluten-free", "Not gluten-free"),
    ("gluten-free flour", [], "gluten-free", ""),
    ("sugar", [], "keto", "Not keto"),
    ("cashew cream", ["milk"], "vegan", ""),
]


@pytest.mark.parametrize(("text", "allergies", "diet", "problem"), CHECKS)
def test_the_swap_check_table(text: str, allergies: list[str], diet: str, problem: str) -> None:
    assert swap_problem(text, allergies, diet) == problem


def test_swaps_from_model_output_are_bounded_and_each_checked() -> None:
    data = {"substitutions": [
        {"item": "oat  milk", "quantity": 250, "unit": "ml", "note": "neutral"},
        {"item": "", "quantity": 1},  # no name: left out
        {"item": "cream", "quantity": 1e300, "unit": "ml", "note": "rich"},  # an absurd amount is not shown
        "garbage",
        {"item": "soy milk", "quantity": 0.25, "unit": "cup", "note": None},
        {"item": "rice milk", "quantity": 1, "unit": "cup", "note": ""},
    ]}
    swaps = checked_swaps(data, ["dairy"], "none")
    assert [(s["item"], s["amount"], s["problem"]) for s in swaps] == [
        ("oat milk", "250 ml", ""), ("cream", "", "Not safe: may contain dairy"), ("soy milk", "0.25 cup", "")]
    assert checked_swaps(None, [], "none") == [] and checked_swaps({"substitutions": "x"}, [], "none") == []
    assert swap_change("buttermilk", swaps[0]) == (
        "Use 250 ml oat milk instead of buttermilk; adjust the quantities and the steps that mention it")


@settings(max_examples=60, deadline=None)
@given(st.recursive(st.none() | st.booleans() | st.floats() | st.text(max_size=20) | st.integers(),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
                    max_leaves=20))
def test_any_json_gives_at_most_three_swaps_and_never_raises(data: object) -> None:
    swaps = checked_swaps({"substitutions": data} if isinstance(data, list) else data, ["milk"], "vegan")
    assert len(swaps) <= 3 and all(s["item"] for s in swaps)


@pytest.mark.parametrize("cuisine", ["Indian", "Italian", "", "Martian <script>"])
def test_the_offline_picture_is_a_valid_svg_with_no_recipe_text(cuisine: str) -> None:
    recipe = BASE.model_copy(update={"recipeCuisine": cuisine, "name": "<script>alert(1)</script> Curry"})
    svg = illustration_svg(recipe)
    root = ElementTree.fromstring(svg)  # well-formed
    assert root.tag.endswith("svg") and "script" not in svg and "Curry" not in svg
    assert len(list(root)) > 10  # the bowl and pieces of its ingredients
    uri = illustration_uri(recipe)
    assert base64.b64decode(uri.removeprefix("data:image/svg+xml;base64,")).decode() == svg
    assert illustration_svg(recipe) == svg  # the same recipe, the same picture


def test_different_cuisines_and_ingredients_give_different_pictures() -> None:
    indian, italian = (BASE.model_copy(update={"recipeCuisine": c}) for c in ("Indian", "Italian"))
    assert illustration_svg(indian) != illustration_svg(italian)
    spinach = json.loads(BASE.model_dump_json())
    spinach["recipeIngredient"] = [{"quantity": 1, "unit": "", "item": "tomato", "note": ""}]
    assert "#e53935" in illustration_svg(Recipe.model_validate(spinach)) and "#e53935" not in illustration_svg(indian)
