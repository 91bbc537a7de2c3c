"""Which aisle of a shop an ingredient is found in, from a keyword table.

:func:`category` reads the ingredient's words (lower-case, singular, accents removed) and:

1. ``frozen`` anywhere -> Frozen; canned, tinned, jarred, bottled (or the words can, tin, jar; or
   "in oil", "in brine") -> Pantry;
2. ``dried``/``ground`` with a herb or spice word -> Spices & seasonings ("dried oregano", but not
   "ground beef");
3. otherwise the table's phrases: the longest phrase found wins, and among phrases of the same length
   the one further right, since English puts the head noun last ("garlic powder" is a spice,
   "chicken stock" a pantry item, "red onion" produce). Exceptions are spelt as longer phrases
   ("coconut milk", "peanut butter", "bell pepper");
4. nothing found -> Other.
"""

from __future__ import annotations

import re

from recipe_app.kitchen.words import tokens

#: the order groups appear in on the list
CATEGORIES: tuple[str, ...] = (
    "Produce", "Meat & fish", "Dairy & eggs", "Bakery", "Pantry", "Spices & seasonings", "Frozen", "Other",
)

_TABLE: dict[str, str] = {
    "Produce": (
        "onion shallot leek garlic carrot potato sweet potato tomato cherry tomato lemon lime orange apple "
        "pear banana berry strawberry raspberry blueberry grape mango pineapple peach plum melon "
        "spinach lettuce rocket arugula cabbage kale chard broccoli cauliflower courgette zucchini "
        "aubergine eggplant mushroom ginger celery cucumber avocado squash pumpkin beetroot beet radish "
        "asparagus fennel corn pea green bean bean sprout spring onion scallion chilli chili jalapeno "
        "bell pepper red pepper green pepper yellow pepper lemongrass basil parsley coriander cilantro "
        "mint dill chive thyme rosemary sage oregano tarragon lemon juice lime juice lemon zest lime zest "
        "herb salad apple juice orange juice pak choi bok choy okra parsnip turnip swede"
    ),
    "Meat & fish": (
        "chicken beef pork lamb bacon sausage ham turkey mince steak chorizo prosciutto pancetta salami "
        "duck veal venison salmon tuna cod haddock fish prawn shrimp anchovy mussel clam squid crab "
        "lobster scallop mackerel sardine trout sea bass fillet meat"
    ),
    "Dairy & eggs": (
        "milk butter cheese cream parmesan cheddar mozzarella feta halloumi ricotta mascarpone yogurt "
        "yoghurt egg buttermilk creme fraiche sour cream cream cheese ghee paneer gruyere brie"
    ),
    "Bakery": "bread baguette bun roll tortilla pita naan croissant brioche sourdough wrap bagel ciabatta",
    "Pantry": (
        "flour sugar oil olive oil vinegar rice pasta spaghetti penne noodle lentil chickpea bean "
        "stock broth bouillon stock cube honey syrup maple syrup soy sauce sauce paste tomato paste "
        "tomato puree passata coconut milk coconut cream peanut butter nut almond walnut cashew pecan "
        "pine nut peanut oat breadcrumb panko baking powder baking soda bicarbonate of soda yeast "
        "cornstarch cornflour cocoa cocoa powder chocolate vanilla vanilla extract extract mustard "
        "ketchup mayonnaise tahini quinoa couscous bulgur polenta wine stock cube raisin sultana "
        "date apricot dried fruit seed sesame seed chia seed jam cracker crisp tortilla chip "
        "coconut gelatine gelatin molasses treacle caper olive butter bean kidney bean black bean "
        "cannellini bean cereal almond milk oat milk soy milk rice noodle egg noodle"
    ),
    "Spices & seasonings": (
        "salt pepper black pepper white pepper peppercorn cumin paprika smoked paprika turmeric cinnamon "
        "nutmeg chili powder chilli powder chilli flake chili flake red pepper flake cayenne "
        "garam masala curry powder bay leaf clove cardamom allspice saffron star anise fennel seed "
        "mustard seed cumin seed coriander seed powder spice seasoning sumac za'atar zaatar "
        "five spice dried herb mixed herb herbes de provence italian seasoning msg"
    ),
    "Frozen": "frozen ice cream ice puff pastry filo pastry",
}
_PRESERVED = frozenset({"canned", "tinned", "jarred", "bottled", "can", "tin", "jar", "preserved"})
_HERBS_AND_SPICES = frozenset(
    "basil parsley coriander cilantro mint dill chive thyme rosemary sage oregano tarragon herb cumin "
    "cinnamon ginger nutmeg clove cardamom allspice chilli chili pepper fennel mustard turmeric paprika".split()
)
_MULTI = (
    "sweet potato", "cherry tomato", "green bean", "bean sprout", "spring onion", "bell pepper", "red pepper",
    "green pepper", "yellow pepper", "lemon juice", "lime juice", "lemon zest", "lime zest", "apple juice",
    "orange juice", "pak choi", "bok choy", "sea bass", "creme fraiche", "sour cream", "cream cheese",
    "olive oil", "stock cube", "maple syrup", "soy sauce", "tomato paste", "tomato puree", "coconut milk",
    "coconut cream", "peanut butter", "pine nut", "baking powder", "baking soda", "bicarbonate of soda",
    "cocoa powder", "vanilla extract", "dried fruit", "sesame seed", "chia seed", "tortilla chip",
    "butter bean", "kidney bean", "black bean", "cannellini bean", "almond milk", "oat milk", "soy milk",
    "rice noodle", "egg noodle", "black pepper", "white pepper", "smoked paprika", "chili powder",
    "chilli powder", "chilli flake", "chili flake", "red pepper flake", "garam masala", "curry powder",
    "bay leaf", "star anise", "fennel seed", "mustard seed", "cumin seed", "coriander seed", "five spice",
    "dried herb", "mixed herb", "herbes de provence", "italian seasoning", "ice cream", "puff pastry",
    "filo pastry",
)


def _phrases() -> dict[tuple[str, ...], str]:
    table: dict[tuple[str, ...], str] = {}
    for name, text in _TABLE.items():
        rest = " " + text + " "
        for phrase in sorted(_MULTI, key=len, reverse=True):
            if f" {phrase} " in rest:
                table[tuple(tokens(phrase))] = name
                rest = rest.replace(f" {phrase} ", " ")
        for word in rest.split():
            table.setdefault(tuple(tokens(word)), name)
    return table


_PHRASES = _phrases()


def category(item: str) -> str:
    """The aisle of an ingredient name, one of :data:`CATEGORIES` (see the module doc)."""
    words = tokens(item)
    if "frozen" in words:
        return "Frozen"
    if _PRESERVED.intersection(words) or re.search(r"\bin (?:oil|brine|water|syrup|juice)\b", item.lower()):
        return "Pantry"  # "canned tomatoes", "tomatoes (tin)", "jarred peppers", "tuna in brine"
    if ("dried" in words or "ground" in words) and _HERBS_AND_SPICES.intersection(words):
        return "Spices & seasonings"
    best: tuple[int, int, str] | None = None
    for start in range(len(words)):
        for length in (4, 3, 2, 1):
            phrase = tuple(words[start:start + length])
            if len(phrase) == length and phrase in _PHRASES:
                score = (length, start + length, _PHRASES[phrase])
                best = score if best is None or score[:2] > best[:2] else best
    return best[2] if best else "Other"
