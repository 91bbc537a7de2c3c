"""A table of ingredient lines as cooks type and paste them, one class of difficulty per block."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recipe_app.domain.recipe import Ingredient
from recipe_app.kitchen.parse import is_heading, parse_line, parse_lines
from recipe_app.kitchen.scaling import format_ingredient, scale_ingredient

ZWSP, BOM, RLO, LRI, PDI, NUL, ZWJ, SHY = "\u200b", "\ufeff", "\u202e", "\u2066", "\u2069", "\x00", "\u200d", "\u00ad"

# (line, quantity, unit, item, note)
COMPOUND = [
    ("1 lb 4 oz ground beef", 1.25, "lb", "ground beef", ""),
    ("1lb 4oz ground beef", 1.25, "lb", "ground beef", ""),
    ("1 lb. 4 oz. ground beef", 1.25, "lb", "ground beef", ""),
    ("1 pound 8 ounces pork shoulder", 1.5, "lb", "pork shoulder", ""),
    ("2 pounds 4 ounces potatoes", 2.25, "lb", "potatoes", ""),
    ("1 lb 2 oz/500 g flour", 1.125, "lb", "flour", "500 g"),
    ("3 lbs 8 oz brisket", 3.5, "lb", "brisket", ""),
    ("1/4 cup + 2 tbsp sugar", 0.375, "cup", "sugar", ""),
    ("1/4 cup+2 tbsp sugar", 0.375, "cup", "sugar", ""),
    ("1 cup plus 2 tablespoons milk", 1.125, "cup", "milk", ""),
    ("1 cup plus 2 tbsp. milk", 1.125, "cup", "milk", ""),
    ("1/2 cup and 2 tablespoons butter", 0.625, "cup", "butter", ""),
    ("1 tbsp + 1 tsp lemon juice", 4 / 3, "tbsp", "lemon juice", ""),
    ("2 tablespoons plus 1 teaspoon honey", 7 / 3, "tbsp", "honey", ""),
    ("1 cup + 2 tbsp + 1 tsp flour", 1 + 2 / 16 + 1 / 48, "cup", "flour", ""),
    ("½ cup + 1 tbsp oil", 0.5625, "cup", "oil", ""),
    ("1 kg 250 g potatoes", 1.25, "kg", "potatoes", ""),
    ("1 l 500 ml stock", 1.5, "l", "stock", ""),
    ("2 cups & 2 tbsp water", 2.125, "cup", "water", ""),
    ("one pound 8 ounces carrots", 1.5, "lb", "carrots", ""),
    ("1 lb 4 oz ground beef, browned", 1.25, "lb", "ground beef", "browned"),
    ("about 1 lb 4 oz pumpkin", 1.25, "lb", "pumpkin", ""),
]
DUAL = [
    ("500 g/1 lb 2 oz beef mince", 500, "g", "beef mince", "1 lb 2 oz"),
    ("500g/1lb 2oz beef mince", 500, "g", "beef mince", "1 lb 2 oz"),
    ("500 g / 1 lb 2 oz beef mince", 500, "g", "beef mince", "1 lb 2 oz"),
    ("500 g (1 lb 2 oz) beef mince", 500, "g", "beef mince", "1 lb 2 oz"),
    ("1 cup/240 ml milk", 1, "cup", "milk", "240 ml"),
    ("1 cup / 240ml milk", 1, "cup", "milk", "240 ml"),
    ("1 cup (240 ml) milk", 1, "cup", "milk", "240 ml"),
    ("240 ml/1 cup milk", 240, "ml", "milk", "1 cup"),
    ("200g/7oz plain flour", 200, "g", "plain flour", "7 oz"),
    ("200 g (7 oz) plain flour, sifted", 200, "g", "plain flour", "7 oz, sifted"),
    ("100ml/3½fl oz double cream", 100, "ml", "double cream", "3 1/2 fl oz"),
    ("1 litre/1¾ pints stock", 1, "l", "stock", "1 3/4 pints"),
    ("2 tbsp/30 ml olive oil", 2, "tbsp", "olive oil", "30 ml"),
    ("450 g or 1 lb carrots", 450, "g", "carrots", "1 lb"),
    ("2 tins/800 g chopped tomatoes", 2, "tin", "chopped tomatoes", "800 g"),
    ("1 can or 400 g chickpeas", 1, "can", "chickpeas", "400 g"),
]
PART_OF = [
    ("zest of 1 lemon", 1, "", "lemon", "zest"),
    ("Zest of 1 lemon", 1, "", "lemon", "zest"),
    ("juice of 2 limes", 2, "", "limes", "juice"),
    ("Juice of 2 limes", 2, "", "limes", "juice"),
    ("the juice of 1 orange", 1, "", "orange", "juice"),
    ("juice of half a lemon", 0.5, "", "lemon", "juice"),
    ("juice of ½ lemon", 0.5, "", "lemon", "juice"),
    ("juice from 1 lime", 1, "", "lime", "juice"),
    ("finely grated zest of 1 orange", 1, "", "orange", "finely grated zest"),
    ("grated zest of 2 lemons", 2, "", "lemons", "grated zest"),
    ("zest and juice of 1 lime", 1, "", "lime", "zest and juice"),
    ("zest & juice of 1 lemon", 1, "", "lemon", "zest & juice"),
    ("juice of 1 lemon, to taste", 1, "", "lemon", "juice, to taste"),
    ("leaves from 3 sprigs thyme", 3, "sprig", "thyme", "leaves"),
    ("rind of 1 orange", 1, "", "orange", "rind"),
    ("zest of one lemon", 1, "", "lemon", "zest"),
]
PACKS = [
    ("4 x 150 g salmon fillets", 4, "", "salmon fillets", "150 g"),
    ("4 x 150g salmon fillets", 4, "", "salmon fillets", "150 g"),
    ("4x150g salmon fillets", 4, "", "salmon fillets", "150 g"),
    ("4 × 150 g salmon fillets", 4, "", "salmon fillets", "150 g"),
    ("2 x 200 g chicken breasts, sliced", 2, "", "chicken breasts", "200 g, sliced"),
    ("1 x 1.5 kg chicken", 1, "", "chicken", "1.5 kg"),
    ("1 x 1.5kg whole chicken", 1, "", "whole chicken", "1.5 kg"),
    ("2 x 400g tins chopped tomatoes", 2, "tin", "chopped tomatoes", "400 g"),
    ("2 x 400 g cans coconut milk", 2, "can", "coconut milk", "400 g"),
    ("1 28-ounce can crushed tomatoes", 1, "can", "crushed tomatoes", "28 oz"),
    ("1 28 oz can crushed tomatoes", 1, "can", "crushed tomatoes", "28 oz"),
    ("2 15-oz cans black beans, drained", 2, "can", "black beans", "15 oz, drained"),
    ("1 14.5-ounce can diced tomatoes", 1, "can", "diced tomatoes", "14.5 oz"),
    ("2 400g tins chickpeas", 2, "tin", "chickpeas", "400 g"),
    ("1 (400 g) can chickpeas", 1, "can", "chickpeas", "400 g"),
    ("2 (14.5 oz) cans tomatoes", 2, "can", "tomatoes", "14.5 oz"),
    ("1 package (8 oz) cream cheese", 1, "packet", "cream cheese", "8 oz"),
    ("1 (8-ounce) package cream cheese, softened", 1, "packet", "cream cheese", "8-ounce, softened"),
    ("1 8-oz package cream cheese", 1, "packet", "cream cheese", "8 oz"),
    ("2 packages frozen spinach", 2, "packet", "frozen spinach", ""),
    ("1 packet dried yeast", 1, "packet", "dried yeast", ""),
    ("1 envelope active dry yeast", 1, "packet", "active dry yeast", ""),
    ("2 envelopes unflavored gelatin", 2, "packet", "unflavored gelatin", ""),
    ("1 pkg taco seasoning", 1, "packet", "taco seasoning", ""),
    ("1 sachet fast-action yeast", 1, "packet", "fast-action yeast", ""),
    ("3 x 7g sachets yeast", 3, "packet", "yeast", "7 g"),
    ("1 500 g jar passata", 1, "jar", "passata", "500 g"),
]
FRACTIONS = [
    ("½ to ¾ cup milk", 0.5, "cup", "milk", "1/2–3/4 cup"),
    ("½ to¾ cup milk", 0.5, "cup", "milk", "1/2–3/4 cup"),
    ("½–¾ cup milk", 0.5, "cup", "milk", "1/2–3/4 cup"),
    ("½-¾ cup milk", 0.5, "cup", "milk", "1/2–3/4 cup"),
    ("1½ cups flour", 1.5, "cup", "flour", ""),
    ("1 ½ cups flour", 1.5, "cup", "flour", ""),
    ("½cup sugar", 0.5, "cup", "sugar", ""),
    ("about ½ tsp salt", 0.5, "tsp", "salt", ""),
    ("approx. ¼ cup oil", 0.25, "cup", "oil", ""),
    ("1 ⅓ cups sugar", 4 / 3, "cup", "sugar", ""),
    ("2⅔ cups water", 8 / 3, "cup", "water", ""),
    ("⅛ tsp cayenne", 0.125, "tsp", "cayenne", ""),
    ("1 to 1½ cups stock", 1, "cup", "stock", "1–1 1/2 cups"),
    ("1⁄2 cup milk", 0.5, "cup", "milk", ""),
    ("scant ¾ cup sugar", 0.75, "cup", "sugar", ""),
    ("½ or ¾ cup milk", 0.5, "cup", "milk", "1/2–3/4 cup"),
]
INVISIBLE = [
    (f"{ZWSP}2 cups flour", 2, "cup", "flour", ""),
    (f"2 cups flour{ZWSP}", 2, "cup", "flour", ""),
    (f"{BOM}1 tsp salt", 1, "tsp", "salt", ""),
    (f"1 tsp salt{BOM}", 1, "tsp", "salt", ""),
    (f"{RLO}3 eggs", 3, "", "eggs", ""),
    (f"3 eggs{RLO}", 3, "", "eggs", ""),
    (f"{LRI}200 g feta{PDI}", 200, "g", "feta", ""),
    (f"{NUL}2 eggs", 2, "", "eggs", ""),
    (f"2 eggs{NUL}", 2, "", "eggs", ""),
    (f"2{ZWSP} cups{ZWSP} flour", 2, "cup", "flour", ""),
    (f"2 cu{ZWSP}ps flour", 2, "cup", "flour", ""),
    (f"1{ZWJ}00 g butter", 100, "g", "butter", ""),
    (f"200 g but{SHY}ter", 200, "g", "butter", ""),
    ("2 eggs\r", 2, "", "eggs", ""),
    ("\t2 eggs", 2, "", "eggs", ""),
    ("2\teggs", 2, "", "eggs", ""),
    (f"• {ZWSP}1 onion", 1, "", "onion", ""),
    ("1 onion\x07", 1, "", "onion", ""),
    ("\x1b2 carrots", 2, "", "carrots", ""),
    (f"1 tbsp{NUL} oil, {BOM}for frying", 1, "tbsp", "oil", "for frying"),
    ("\u2028 1 cup rice", 1, "cup", "rice", ""),
]
EVERYDAY = [
    ("2 1/2 cups plain flour, sifted", 2.5, "cup", "plain flour", "sifted"),
    ("1-2 tbsp olive oil", 1, "tbsp", "olive oil", "1–2 tbsp"),
    ("a pinch of salt", None, "pinch", "salt", ""),
    ("pinch salt", None, "pinch", "salt", ""),
    ("1 pinch salt", 1, "pinch", "salt", ""),
    ("3 eggs", 3, "", "eggs", ""),
    ("3 large eggs, beaten", 3, "", "large eggs", "beaten"),
    ("200g feta, crumbled", 200, "g", "feta", "crumbled"),
    ("200 grams feta", 200, "g", "feta", ""),
    ("200 gr feta", 200, "g", "feta", ""),
    ("salt and pepper to taste", None, "", "salt and pepper", "to taste"),
    ("Salt & pepper, to taste", None, "", "Salt & pepper", "to taste"),
    ("1,5 kg potatoes", 1.5, "kg", "potatoes", ""),
    ("1.5kg potatoes", 1.5, "kg", "potatoes", ""),
    ("1,000 g flour", 1000, "g", "flour", ""),
    ("0.5 l stock", 0.5, "l", "stock", ""),
    ("500ml chicken stock", 500, "ml", "chicken stock", ""),
    ("500 mL chicken stock", 500, "ml", "chicken stock", ""),
    ("1 litre milk", 1, "l", "milk", ""),
    ("1 liter milk", 1, "l", "milk", ""),
    ("2 dl cream", 2, "dl", "cream", ""),
    ("25 cl white wine", 25, "cl", "white wine", ""),
    ("1 tbsp. butter", 1, "tbsp", "butter", ""),
    ("1 Tbsp butter", 1, "tbsp", "butter", ""),
    ("1 tablespoon butter", 1, "tbsp", "butter", ""),
    ("2 T sugar", 2, "tbsp", "sugar", ""),
    ("1 t salt", 1, "tsp", "salt", ""),
    ("1 tsp. salt", 1, "tsp", "salt", ""),
    ("2 teaspoons vanilla extract", 2, "tsp", "vanilla extract", ""),
    ("4 fl oz milk", 4, "fl oz", "milk", ""),
    ("4 fl. oz. milk", 4, "fl oz", "milk", ""),
    ("2 fluid ounces rum", 2, "fl oz", "rum", ""),
    ("12oz pasta", 12, "oz", "pasta", ""),
    ("12 ounces pasta", 12, "oz", "pasta", ""),
    ("1 lb ground beef", 1, "lb", "ground beef", ""),
    ("2 lbs chicken wings", 2, "lb", "chicken wings", ""),
    ("1 pound carrots", 1, "lb", "carrots", ""),
    ("1 pint double cream", 1, "pint", "double cream", ""),
    ("2 quarts chicken stock", 2, "quart", "chicken stock", ""),
    ("1 qt water", 1, "quart", "water", ""),
    ("1 gallon water", 1, "gallon", "water", ""),
    ("2 Tablespoons honey", 2, "tbsp", "honey", ""),
    ("3 limes", 3, "", "limes", ""),
    ("2 large onions", 2, "", "large onions", ""),
    ("1 stick butter, softened", 1, "stick", "butter", "softened"),
    ("2 sticks unsalted butter", 2, "stick", "unsalted butter", ""),
    ("3 cloves garlic, minced", 3, "clove", "garlic", "minced"),
    ("3 garlic cloves, minced", 3, "", "garlic cloves", "minced"),
    ("1 bunch coriander", 1, "bunch", "coriander", ""),
    ("2 sprigs rosemary", 2, "sprig", "rosemary", ""),
    ("4 slices bacon", 4, "slice", "bacon", ""),
    ("1 head garlic", 1, "head", "garlic", ""),
    ("2 stalks celery", 2, "stalk", "celery", ""),
    ("1 handful spinach", 1, "handful", "spinach", ""),
    ("a handful of basil leaves", None, "handful", "basil leaves", ""),
    ("a dash of Worcestershire sauce", None, "dash", "Worcestershire sauce", ""),
    ("a splash of milk", None, "splash", "milk", ""),
    ("a knob of butter", None, "knob", "butter", ""),
    ("a drizzle of olive oil", None, "drizzle", "olive oil", ""),
    ("1 to 2 tsp chilli flakes", 1, "tsp", "chilli flakes", "1–2 tsp"),
    ("3–4 cloves garlic, minced", 3, "clove", "garlic", "3–4 cloves, minced"),
    ("2 or 3 eggs", 2, "", "eggs", "2–3"),
    ("2-3 tomatoes", 2, "", "tomatoes", "2–3"),
    ("an onion, finely chopped", 1, "", "onion", "finely chopped"),
    ("one onion", 1, "", "onion", ""),
    ("Two large eggs, beaten", 2, "", "large eggs", "beaten"),
    ("twelve cherry tomatoes", 12, "", "cherry tomatoes", ""),
    ("a dozen eggs", 12, "", "eggs", ""),
    ("a couple of bay leaves", 2, "", "bay leaves", ""),
    ("half an onion", 0.5, "", "onion", ""),
    ("half a lemon", 0.5, "", "lemon", ""),
    ("a few sprigs thyme", None, "sprig", "thyme", "a few"),
    ("some parsley", None, "", "parsley", "some"),
    ("1 dash Worcestershire sauce", 1, "dash", "Worcestershire sauce", ""),
    ("1 can (14 oz) coconut milk", 1, "can", "coconut milk", "14 oz"),
    ("100g dark chocolate (70%), chopped", 100, "g", "dark chocolate", "70%, chopped"),
    ("3 tbsp sugar (optional)", 3, "tbsp", "sugar", "optional"),
    ("3 tbsp sugar, optional", 3, "tbsp", "sugar", "optional"),
    ("1/2 cup flour plus extra for dusting", 0.5, "cup", "flour", "plus extra for dusting"),
    ("olive oil, for frying", None, "", "olive oil", "for frying"),
    ("vegetable oil for frying", None, "", "vegetable oil", "for frying"),
    ("fresh parsley, to serve", None, "", "fresh parsley", "to serve"),
    ("chopped chives, for garnish", None, "", "chopped chives", "for garnish"),
    ("butter, for greasing", None, "", "butter", "for greasing"),
    ("about 2 cups stock", 2, "cup", "stock", ""),
    ("roughly 300 g spinach", 300, "g", "spinach", ""),
    ("heaped tbsp flour", None, "tbsp", "flour", ""),
    ("1 heaped tbsp flour", 1, "tbsp", "flour", "heaped"),
    ("2 level tsp baking powder", 2, "tsp", "baking powder", "level"),
    ("• 2 carrots", 2, "", "carrots", ""),
    ("- 2 carrots", 2, "", "carrots", ""),
    ("* 2 carrots", 2, "", "carrots", ""),
    ("- [ ] 1 l milk", 1, "l", "milk", ""),
    ("[x] 1 l milk", 1, "l", "milk", ""),
    ("2 eggs (room temperature)", 2, "", "eggs", "room temperature"),
    ("1 red onion, halved and thinly sliced", 1, "", "red onion", "halved and thinly sliced"),
    ("250 g mascarpone", 250, "g", "mascarpone", ""),
    ("1 kg lamb shoulder, bone in", 1, "kg", "lamb shoulder", "bone in"),
    ("3 cups cooked rice", 3, "cup", "cooked rice", ""),
    ("1 c. sugar", 1, "cup", "sugar", ""),
    ("2 C flour", 2, "cup", "flour", ""),
    ("1 piece ginger", 1, "piece", "ginger", ""),
    ("2 pieces ginger", 2, "piece", "ginger", ""),
    ("1 tsp ground cumin", 1, "tsp", "ground cumin", ""),
    ("½kg flour", 0.5, "kg", "flour", ""),
    ("1-1/2 cups sugar", 1.5, "cup", "sugar", ""),
    ("10 g fresh yeast", 10, "g", "fresh yeast", ""),
    ("0.1 g saffron threads", 0.1, "g", "saffron threads", ""),
    ("2 mg saffron", 2, "mg", "saffron", ""),
]
CASES = COMPOUND + DUAL + PART_OF + PACKS + FRACTIONS + INVISIBLE + EVERYDAY

HEADINGS = [
    "For the sauce:", "For the sauce", "FOR THE SAUCE:", "For the dressing:", "For the marinade", "For serving:",
    "To serve:", "To serve", "Sauce:", "Dressing:", "DRESSING:", "Topping", "Filling:", "## Filling", "# Sauce",
    "**Topping**", "__Glaze__", "For the cake", "For the buttercream:", "To make the dough:", "Pastry:",
    "Spice mix:", "Garnish:", "Ingredients", "Ingredients:", "The base:", "Salad:", "Optional extras:",
    f"{ZWSP}For the sauce:", "For the pickled onions:",
]
NOT_HEADINGS = [
    "2 tbsp sauce", "salt: a pinch", "Salt", "olive oil", "1 onion", "sauce: 2 tbsp soy sauce", "pepper",
    "Parmesan, to serve", "2 eggs", "a pinch of salt", "200 g feta: crumbled", "1 cup stock",
]


@pytest.mark.parametrize(("text", "quantity", "unit", "item", "note"), CASES, ids=[c[0] for c in CASES])
def test_parse_table(text: str, quantity: float | None, unit: str, item: str, note: str) -> None:
    parsed = parse_line(text)
    assert (parsed.unit, parsed.item, parsed.note) == (unit, item, note)
    assert parsed.quantity == (None if quantity is None else pytest.approx(quantity))


def test_the_table_covers_every_class_with_many_spellings() -> None:
    blocks = (COMPOUND, DUAL, PART_OF, PACKS, FRACTIONS, INVISIBLE)
    assert len(CASES) + len(HEADINGS) + len(NOT_HEADINGS) >= 200 and all(len(b) >= 12 for b in blocks)


@pytest.mark.parametrize("text", HEADINGS)
def test_headings_are_recognised(text: str) -> None:
    assert is_heading(text)


@pytest.mark.parametrize("text", NOT_HEADINGS)
def test_ingredients_are_not_headings(text: str) -> None:
    assert not is_heading(text)


def test_pasted_lists_lose_their_headings_and_blank_lines() -> None:
    pasted = ["For the sauce:", "2 tbsp soy sauce", "", f"{ZWSP}", "1 tsp sugar", "To serve:", "spring onions"]
    assert [i.item for i in parse_lines(pasted)] == ["soy sauce", "sugar", "spring onions"]


@pytest.mark.parametrize(
    ("text", "factor", "expected"),
    [
        ("1 lb 4 oz ground beef", 2, "2 lb 8 oz ground beef"),
        ("1 lb 4 oz ground beef", 0.5, "10 oz ground beef"),
        ("1/4 cup + 2 tbsp sugar", 2, "3/4 cup sugar"),
        ("1 cup plus 2 tablespoons milk", 2, "2 1/4 cups milk"),
        ("zest of 1 lemon", 2, "2 lemons, zest"),
        ("4 x 150 g salmon fillets", 0.5, "2 salmon fillets, 150 g"),
        ("1 cup/240 ml milk", 2, "2 cups milk, 480 ml"),
        ("500 g/1 lb 2 oz beef mince", 2, "1 kg beef mince, 2 lb 4 oz"),
        ("200 g (7 oz) plain flour, sifted", 0.5, "100 g plain flour, 3 1/2 oz, sifted"),
        ("2 x 400g tins chopped tomatoes", 2, "4 tins chopped tomatoes, 400 g"),
    ],
)
def test_a_read_line_scales_as_one_amount(text: str, factor: float, expected: str) -> None:
    assert format_ingredient(scale_ingredient(parse_line(text), factor)) == expected


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=120))
def test_parse_never_raises_and_leaves_no_invisible_character(text: str) -> None:
    parsed = parse_line(text)
    assert isinstance(parsed, Ingredient)
    assert not [c for c in parsed.item + parsed.note if unicodedata.category(c) in ("Cc", "Cf")]
    scale_ingredient(parsed, 3)
    is_heading(text)


_AMOUNTS = st.sampled_from(["1", "2", "1/2", "1 1/2", "½", "0.5", "250", "1,5", "a", "one", "", "1-2", "3 x 200 g"])
_UNITS = st.sampled_from(["", "g", "kg", "cup", "cups", "tbsp", "tsp", "oz", "lb", "ml", "pinch", "can", "stick"])
_ITEMS = st.sampled_from(["flour", "eggs", "olive oil", "salt", "red onion", "butter", "zest of 1 lemon"])


@settings(max_examples=300, deadline=None)
@given(_AMOUNTS, _UNITS, _ITEMS, st.sampled_from(["", ", chopped", " (optional)", ", to taste"]),
       st.floats(min_value=0.05, max_value=40, allow_nan=False))
def test_lines_of_known_parts_parse_and_scale(amount: str, unit: str, item: str, tail: str, factor: float) -> None:
    parsed = parse_line(f"{amount} {unit} {item}{tail}")
    assert parsed.item
    scaled = scale_ingredient(parsed, factor)
    assert scaled.quantity is None or scaled.quantity >= 0
    format_ingredient(scaled, "us")
    format_ingredient(scaled, "metric")
