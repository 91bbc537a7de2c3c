"""Shopping-list lines a cook can buy: whole things, the right aisle, one line per ingredient."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recipe_app.kitchen.parse import parse_line
from recipe_app.kitchen.shopping import build_shopping_list, shopping_list_text
from tests.kitchen.helpers import Line, recipe


def labels(*recipes: list[Line], servings: int = 2) -> dict[str, list[str]]:
    selections = [(f"R{i}", recipe(f"R{i}", 2, lines), servings) for i, lines in enumerate(recipes)]
    return {g.name: [item.label for item in g.items] for g in build_shopping_list(selections)}


def aisle_of(line: Line) -> str:
    (group,) = build_shopping_list([("R", recipe("R", 2, [line]), 2)])
    return group.name


@pytest.mark.parametrize(
    ("lines", "servings", "expected", "why"),
    [
        ([(5, "", "onions", "")], 1, ["3 onions (2 1/2 needed)"], "half an onion cannot be bought"),
        ([(1, "", "onion", ""), (1.5, "", "onions", "")], 2, ["3 onions (2 1/2 needed)"], "added, then rounded up"),
        ([(1, "", "eggs", "")], 3, ["2 eggs (1 1/2 needed)"], "eggs come whole"),
        ([(2, "", "lemons", "")], 2, ["2 lemons"], "whole already: no note"),
        ([(5, "clove", "garlic", "")], 1, ["3 cloves garlic (2 1/2 needed)"], "cloves come whole"),
        ([(1, "can", "chickpeas", "")], 3, ["2 cans chickpeas (1 1/2 needed)"], "cans come whole"),
        ([(1, "stick", "butter", "")], 3, ["2 sticks butter (1 1/2 needed)"], "a stick is sold whole"),
        ([(None, "pinch", "salt", "")], 2, ["salt"], "no quantity stays without one"),
    ],
)
def test_counts_are_rounded_up_to_what_can_be_bought(lines: list[Line], servings: int, expected: list[str], why: str) -> None:
    assert [label for group in labels(lines, servings=servings).values() for label in group] == expected, why


def test_the_exact_need_is_kept_apart_from_the_label() -> None:
    (group,) = build_shopping_list([("R", recipe("R", 2, [(5, "", "onions", "")]), 1)])
    item = group.items[0]
    assert (item.quantity, item.need, item.item) == (3, "2 1/2", "onions")


@pytest.mark.parametrize(
    ("line", "aisle"),
    [
        ((1, "can", "chopped tomatoes", ""), "Pantry"),
        ((2, "tin", "tomatoes", ""), "Pantry"),
        ((1, "jar", "roasted red peppers", ""), "Pantry"),
        ((400, "g", "canned tomatoes", ""), "Pantry"),
        ((400, "g", "tinned sweetcorn", ""), "Pantry"),
        ((200, "g", "jarred artichokes", ""), "Pantry"),
        ((1, "", "tuna in brine", ""), "Pantry"),
        ((100, "g", "sun-dried tomatoes in oil", ""), "Pantry"),
        ((1, "", "bottled lemon juice", ""), "Pantry"),
        ((400, "g", "chopped tomatoes", ""), "Produce"),
        ((2, "", "tomatoes", ""), "Produce"),
        ((200, "g", "frozen peas", ""), "Frozen"),
    ],
)
def test_canned_tinned_and_jarred_goods_are_in_the_pantry(line: Line, aisle: str) -> None:
    assert aisle_of(line) == aisle


@pytest.mark.parametrize(
    ("recipes", "expected", "why"),
    [
        (([(100, "g", "butter", "")], [(2, "tbsp", "butter", "")], [(1, "stick", "butter", "")]),
         {"Dairy & eggs": ["240 g butter"]}, "butter: 100 g + 28 g + 113 g"),
        (([(1, "stick", "butter", "")], [(4, "tbsp", "butter", "")]), {"Dairy & eggs": ["6 oz butter"]},
         "US units stay US: 113 g + 57 g"),
        (([(200, "g", "flour", "")], [(1, "cup", "flour", "")]), {"Pantry": ["325 g flour"]}, "flour: 125 g a cup"),
        (([(100, "g", "sugar", "")], [(0.5, "cup", "sugar", "")]), {"Pantry": ["200 g sugar"]}, "sugar: 200 g a cup"),
        (([(1, "cup", "basmati rice", "")], [(200, "g", "basmati rice", "")]), {"Pantry": ["385 g basmati rice"]},
         "rice: 185 g a cup"),
        (([(1, "tbsp", "butter", "")],), {"Dairy & eggs": ["1 tbsp butter"]}, "one unit alone is not converted"),
        (([(200, "g", "grated cheese", "")], [(1, "cup", "grated cheese", "")]),
         {"Dairy & eggs": ["200 g + 1 cup grated cheese"]}, "not in the table: kept apart"),
        (([(2, "tbsp", "peanut butter", "")], [(30, "g", "peanut butter", "")]),
         {"Pantry": ["2 tbsp + 30 g peanut butter"]}, "peanut butter is not butter"),
    ],
)
def test_known_densities_merge_across_units(recipes: tuple[list[Line], ...], expected: dict[str, list[str]], why: str) -> None:
    assert labels(*recipes) == expected, why


@pytest.mark.parametrize(
    ("texts", "expected", "why"),
    [
        (["2 large eggs", "3 eggs"], ["5 eggs"], "size words do not make another ingredient"),
        (["2 Eggs", "1 egg", "1 medium egg"], ["4 Eggs"], "case, plural and size"),
        (["1 head garlic", "1 garlic bulb"], ["2 heads garlic"], "a bulb of garlic is a head"),
        (["1 bulb garlic", "1 head of garlic"], ["2 heads garlic"], "written the other way round"),
        (["3 garlic cloves", "2 cloves garlic"], ["5 cloves garlic"], "cloves before or after"),
        (["1 onion", "2 onions, diced"], ["3 onions"], "notes do not split a line"),
        (["zest of 1 lemon", "juice of 1 lemon"], ["2 lemons"], "zest and juice come from lemons"),
        (["2 organic carrots", "1 carrot"], ["3 carrots"], "organic is not another vegetable"),
        (["2 free-range eggs", "1 egg"], ["3 eggs"], "free-range is not another food"),
        (["1 lb 4 oz ground beef", "8 oz ground beef"], ["1 lb 12 oz ground beef"], "compound amounts add"),
    ],
)
def test_the_same_item_written_differently_is_one_line(texts: list[str], expected: list[str], why: str) -> None:
    lines = [(i.quantity, i.unit, i.item, i.note) for i in map(parse_line, texts)]
    assert [label for group in labels(lines).values() for label in group] == expected, why


def test_headings_never_appear() -> None:
    lines: list[Line] = [(None, "", "For the sauce:", ""), (2, "tbsp", "soy sauce", ""), (None, "", "To serve", ""),
                         (None, "", "## Topping", ""), (1, "", "lime", "")]
    groups = labels(lines)
    text = shopping_list_text(build_shopping_list([("R", recipe("R", 2, lines), 2)]))
    assert sorted(label for group in groups.values() for label in group) == ["1 lime", "2 tbsp soy sauce"]
    assert "sauce:" not in text and "To serve" not in text and "Topping" not in text


_LINE = st.tuples(
    st.one_of(st.none(), st.floats(min_value=0.01, max_value=5000, allow_nan=False)),
    st.sampled_from(["", "g", "kg", "cup", "tbsp", "tsp", "stick", "can", "clove", "pinch", "lb", "oz", "head"]),
    st.sampled_from(["butter", "flour", "onions", "eggs", "garlic", "chopped tomatoes", "rice", "salt", "For the sauce:"]),
    st.just(""),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(_LINE, min_size=1, max_size=8), st.integers(min_value=1, max_value=12))
def test_any_selection_builds_a_list_of_whole_counts(lines: list[Line], servings: int) -> None:
    groups = build_shopping_list([("R", recipe("R", 2, lines), servings)])
    for item in (i for g in groups for i in g.items):
        assert "sauce:" not in item.label
        if item.unit in ("", "can", "clove", "head", "stick") and item.quantity is not None and not item.extra:
            assert item.quantity == int(item.quantity)
