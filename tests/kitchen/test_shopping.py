"""The merged shopping list: what lands on the cook's list, in which aisle, in which words."""

from __future__ import annotations

import pytest

from recipe_app.kitchen.aisles import CATEGORIES, category
from recipe_app.kitchen.shopping import ShoppingGroup, build_shopping_list, shopping_list_text
from recipe_app.domain.recipe import Recipe
from tests.kitchen.helpers import recipe

PANCAKES = recipe("Pancakes", 4, [
    (200, "g", "flour", ""), (1, "cup", "milk", ""), (2, "", "eggs", ""), (None, "", "salt", "to taste"),
    (1, "tbsp", "butter", "melted"), (300, "ml", "water", ""),
])
BREAD = recipe("Bread", 8, [
    (0.5, "kg", "Flour", ""), (4, "tbsp", "milk", ""), (1, "tsp", "salt", ""), (7, "g", "yeast", ""),
])


def lines(groups: list[ShoppingGroup]) -> dict[str, list[str]]:
    return {group.name: [item.label for item in group.items] for group in groups}


def test_same_item_across_recipes_is_added_through_units() -> None:
    groups = build_shopping_list([("Pancakes", PANCAKES, 4), ("Bread", BREAD, 8)])
    assert lines(groups) == {
        "Dairy & eggs": ["1 tbsp butter", "2 eggs", "1 1/4 cups milk"],
        "Pantry": ["700 g flour", "7 g yeast"],
        "Spices & seasonings": ["1 tsp salt + more to taste"],
    }
    flour = groups[1].items[0]
    assert (flour.item, flour.quantity, flour.unit) == ("flour", 700, "g")
    assert flour.sources == ["Pancakes", "Bread"]


def test_servings_are_scaled_before_merging() -> None:
    groups = build_shopping_list([("Pancakes", PANCAKES, 8), ("Bread", BREAD, 4)])
    assert lines(groups)["Pantry"] == ["650 g flour", "3.5 g yeast"]  # 400 g + 250 g
    # 2 cups + 2 tbsp of milk is bought as 2 1/4 cups (cups go by quarters and thirds)
    assert lines(groups)["Dairy & eggs"] == ["2 tbsp butter", "4 eggs", "2 1/4 cups milk"]
    assert lines(groups)["Spices & seasonings"] == ["1/2 tsp salt + more to taste"]


def test_incompatible_amounts_stay_apart_on_one_line() -> None:
    gratin = recipe("Gratin", 4, [(200, "g", "grated cheese", "")])
    cake = recipe("Cake", 4, [(1, "cup", "grated cheese", "")])
    groups = build_shopping_list([("Gratin", gratin, 4), ("Cake", cake, 4)])
    cheese = next(item for group in groups for item in group.items if item.item == "grated cheese")
    assert cheese.label == "200 g + 1 cup grated cheese"  # no density for cheese: a guess would mislead
    assert cheese.notes[0] == "200 g + 1 cup"
    assert (cheese.quantity, cheese.unit, cheese.extra) == (200, "g", [(1, "cup")])


def test_to_taste_items_appear_once_without_quantity() -> None:
    soup = recipe("Soup", 2, [(None, "", "black pepper", "to taste"), (None, "", "Salt", "to taste")])
    stew = recipe("Stew", 2, [(None, "", "black pepper", ""), (None, "pinch", "salt", "")])
    groups = build_shopping_list([("Soup", soup, 6), ("Stew", stew, 1)])
    assert lines(groups) == {"Spices & seasonings": ["black pepper", "Salt"]}
    pepper = groups[0].items[0]
    assert pepper.quantity is None and pepper.sources == ["Soup", "Stew"] and pepper.to_taste


def test_plurals_and_spellings_merge() -> None:
    soup = recipe("Soup", 4, [(2, "", "onions", "diced"), (3, "", "garlic cloves", ""), (2, "", "Carrots", "")])
    curry = recipe("Curry", 4, [
        (1, "piece", "onion", ""), (2, "clove", "garlic", "crushed"), (1, "", "large carrot", ""),
        (1, "", "tomato", ""), (2, "", "tomatoes", ""),
    ])
    groups = build_shopping_list([("Soup", soup, 4), ("Curry", curry, 4)])
    assert lines(groups) == {"Produce": ["3 Carrots", "5 cloves garlic", "3 onions", "3 tomatoes"]}


def test_counts_become_plural_or_singular_with_the_total() -> None:
    salad = recipe("Salad", 4, [(2, "", "lemons", "")])
    groups = build_shopping_list([("Salad", salad, 2)])
    assert lines(groups) == {"Produce": ["1 lemon"]}


def test_categories_come_in_a_fixed_order_and_items_alphabetically() -> None:
    big = recipe("Big shop", 2, [
        (400, "g", "frozen peas", ""), (1, "tsp", "ground cumin", ""), (2, "tbsp", "olive oil", ""),
        (1, "", "baguette", ""), (100, "g", "cheddar", ""), (300, "g", "chicken thighs", ""),
        (1, "", "red onion", ""), (1, "tsp", "garlic powder", ""), (400, "ml", "coconut milk", ""),
        (1, "", "bay leaf", ""), (500, "ml", "chicken stock", ""), (1, "", "lime", ""),
        (1, "", "mystery ingredient", ""), (2, "tbsp", "peanut butter", ""), (1, "", "zucchini", ""),
        (200, "g", "basmati rice", ""),
    ])
    groups = build_shopping_list([("Big shop", big, 2)])
    assert [group.name for group in groups] == list(CATEGORIES)
    assert lines(groups) == {
        "Produce": ["1 lime", "1 red onion", "1 zucchini"],
        "Meat & fish": ["300 g chicken thighs"],
        "Dairy & eggs": ["100 g cheddar"],
        "Bakery": ["1 baguette"],
        "Pantry": ["200 g basmati rice", "500 ml chicken stock", "400 ml coconut milk", "2 tbsp olive oil",
                   "2 tbsp peanut butter"],
        "Spices & seasonings": ["1 bay leaf", "1 tsp garlic powder", "1 tsp ground cumin"],
        "Frozen": ["400 g frozen peas"],
        "Other": ["1 mystery ingredient"],
    }


@pytest.mark.parametrize(
    ("item", "aisle"),
    [
        ("red onion", "Produce"), ("fresh basil", "Produce"), ("dried basil", "Spices & seasonings"),
        ("ground ginger", "Spices & seasonings"), ("ground beef", "Meat & fish"), ("salmon fillets", "Meat & fish"),
        ("chicken stock", "Pantry"), ("coconut milk", "Pantry"), ("peanut butter", "Pantry"),
        ("butter", "Dairy & eggs"), ("Greek yoghurt", "Dairy & eggs"), ("crème fraîche", "Dairy & eggs"),
        ("egg noodles", "Pantry"), ("eggs", "Dairy & eggs"), ("eggplant", "Produce"),
        ("black pepper", "Spices & seasonings"),
        ("red bell pepper", "Produce"), ("chilli flakes", "Spices & seasonings"), ("canned tomatoes", "Pantry"),
        ("frozen spinach", "Frozen"), ("tortillas", "Bakery"), ("salt and pepper", "Spices & seasonings"),
        ("bay leaves", "Spices & seasonings"), ("vanilla extract", "Pantry"), ("kitchen string", "Other"),
    ],
)
def test_aisle_of_an_item(item: str, aisle: str) -> None:
    assert category(item) == aisle


def test_water_is_not_shopped_for() -> None:
    groups = build_shopping_list([("Pancakes", PANCAKES, 4)])
    assert all("water" not in item.item for group in groups for item in group.items)


def test_text_output_is_a_copyable_checklist() -> None:
    groups = build_shopping_list([("Pancakes", PANCAKES, 4), ("Bread", BREAD, 8)])
    assert shopping_list_text(groups) == (
        "Dairy & eggs\n"
        "- [ ] 1 tbsp butter (Pancakes)\n"
        "- [ ] 2 eggs (Pancakes)\n"
        "- [ ] 1 1/4 cups milk (Pancakes, Bread)\n"
        "\n"
        "Pantry\n"
        "- [ ] 700 g flour (Pancakes, Bread)\n"
        "- [ ] 7 g yeast (Bread)\n"
        "\n"
        "Spices & seasonings\n"
        "- [ ] 1 tsp salt + more to taste (Pancakes, Bread)\n"
    )


def test_empty_selection_gives_an_empty_list() -> None:
    assert build_shopping_list([]) == []
    assert shopping_list_text([]) == ""


def test_inputs_are_not_changed() -> None:
    before = PANCAKES.model_dump()
    build_shopping_list([("Pancakes", PANCAKES, 12)])
    assert PANCAKES.model_dump() == before
    assert isinstance(PANCAKES, Recipe)
