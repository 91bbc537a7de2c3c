"""Allergy names and the words that reveal them in an ingredient line.

``allergen_matches("2 tbsp peanut butter", ["Peanuts", "dairy"])`` answers ``["Peanuts"]``: each
allergy the cook listed is looked up in :data:`ALLERGENS` (through :data:`ALIASES`, so "dairy",
"lactose" and "milk" are the same thing), and an allergy the table does not know matches its own
word. Matching is whole-word, case- and accent-insensitive, and tolerant of simple plurals
("anchovy" finds "anchovies", the allergy "peanuts" finds "peanut butter").

Each entry also lists *exceptions*: phrases that contain a trigger word but are safe, such as
"coconut milk" for milk, "peanut butter" for milk or "rice noodles" for gluten. They are removed
from the text before the triggers are searched, so "coconut milk and cream" still matches milk.
The table errs on the side of caution: "nuts" means tree nuts *and* peanuts.

A few entries (meat, poultry, pork, alcohol, gelatin) are not classic allergens; cooks list them,
and the demo model reuses them to express diets. Everything here is pure: no I/O, no state.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

_VEGAN_PREFIX = r"\b(?:vegan|plant[- ]based|dairy[- ]free|non[- ]dairy|egg[- ]free)\s+[\w-]+"

#: canonical allergy -> (words that reveal it, regexes of look-alike phrases that are safe)
ALLERGENS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "peanuts": (("peanut", "groundnut", "monkey nut", "arachis oil", "satay"), ()),
    "tree nuts": (
        ("nut", "almond", "walnut", "cashew", "pecan", "hazelnut", "pistachio", "macadamia", "pine nut",
         "brazil nut", "chestnut", "marzipan", "praline", "frangipane", "gianduja", "nutella", "amaretto"),
        (r"\bwater chestnut", r"\btiger nut", r"\bmonkey nut"),
    ),
    "shellfish": (
        ("shellfish", "seafood", "shrimp", "prawn", "crab", "lobster", "langoustine", "crayfish", "crawfish",
         "scallop", "mussel", "clam", "oyster", "squid", "calamari", "octopus", "cuttlefish", "cockle", "whelk",
         "shrimp paste"),
        (r"\boyster mushroom",),
    ),
    "fish": (
        ("fish", "salmon", "tuna", "cod", "haddock", "pollock", "hake", "halibut", "trout", "mackerel", "sardine",
         "anchovy", "herring", "sea bass", "sea bream", "bream", "sole", "tilapia", "swordfish", "snapper",
         "plaice", "monkfish", "catfish", "eel", "bonito", "dashi", "caviar", "roe", "fish sauce",
         "worcestershire sauce", "nam pla"),
        (),
    ),
    "milk": (
        ("milk", "butter", "buttermilk", "cheese", "parmesan", "parmigiano", "pecorino", "mozzarella", "cheddar",
         "feta", "halloumi", "ricotta", "mascarpone", "paneer", "gruyere", "brie", "camembert", "burrata",
         "cream", "creme fraiche", "sour cream", "yogurt", "yoghurt", "ghee", "whey", "casein", "lactose",
         "kefir", "custard", "dairy"),
        (r"\b(?:coconut|almond|oat|soy|soya|rice|cashew|hemp|nut)\s+(?:milk|cream|yog(?:h)?urt|butter)",
         r"\b(?:peanut|cocoa|shea|apple|seed)\s+butter", r"\bbutter\s+beans?", r"\bcream\s+of\s+tartar",
         _VEGAN_PREFIX),
    ),
    "eggs": (("egg", "mayonnaise", "mayo", "aioli", "meringue", "hollandaise", "eggnog"), (_VEGAN_PREFIX,)),
    "gluten": (
        ("gluten", "wheat", "flour", "bread", "breadcrumb", "panko", "crouton", "pasta", "spaghetti", "penne",
         "fusilli", "linguine", "tagliatelle", "macaroni", "lasagne", "lasagna", "orzo", "gnocchi", "noodle",
         "udon", "ramen", "couscous", "bulgur", "bulgar", "barley", "rye", "spelt", "semolina", "seitan",
         "soy sauce", "teriyaki", "hoisin", "beer", "tortilla", "wrap", "pitta", "pita", "naan", "cracker",
         "biscuit", "pastry", "filo", "phyllo", "farro", "freekeh", "malt"),
        (r"\bgluten[- ]free\s+[\w-]+", r"\b(?:rice|corn|maize|almond|coconut|chickpea|gram|buckwheat|tapioca|potato|cassava)\s+flour",
         r"\b(?:rice|glass|mung bean|sweet potato|kelp|shirataki|courgette|zucchini)\s+(?:noodles?|vermicelli|paper|pasta)",
         r"\bcorn\s+tortillas?", r"\bcauliflower\s+rice", r"\blettuce\s+wraps?"),
    ),
    "soy": (("soy", "soya", "soybean", "tofu", "tempeh", "edamame", "miso", "tamari", "natto", "bean curd"), ()),
    "sesame": (("sesame", "tahini", "gomasio", "benne", "halva", "halvah", "za'atar", "zaatar"), ()),
    "mustard": (("mustard", "dijon"), ()),
    "celery": (("celery", "celeriac"), ()),
    "lupin": (("lupin", "lupine", "lupini"), ()),
    "sulphites": (("sulphite", "sulfite", "wine", "dried apricot"), ()),
    "corn": (("corn", "maize", "cornflour", "cornstarch", "polenta", "sweetcorn", "popcorn", "cornmeal"), ()),
    "meat": (
        ("meat", "beef", "steak", "veal", "lamb", "mutton", "goat", "venison", "mince", "meatball", "pork",
         "bacon", "ham", "gammon", "prosciutto", "pancetta", "guanciale", "chorizo", "salami", "pepperoni",
         "sausage", "nduja", "lard", "burger"),
        (_VEGAN_PREFIX,),
    ),
    "poultry": (("poultry", "chicken", "turkey", "duck", "goose", "quail", "pheasant"), (_VEGAN_PREFIX,)),
    "pork": (
        ("pork", "bacon", "ham", "gammon", "prosciutto", "pancetta", "guanciale", "chorizo", "salami",
         "pepperoni", "sausage", "nduja", "lard", "spare rib"),
        (_VEGAN_PREFIX,),
    ),
    "alcohol": (
        ("alcohol", "wine", "beer", "ale", "cider", "mirin", "sake", "shaoxing", "rum", "brandy", "cognac",
         "sherry", "vodka", "gin", "whisky", "whiskey", "bourbon", "liqueur", "vermouth", "marsala", "amaretto"),
        (r"\b(?:wine|cider|sherry|rice wine)\s+vinegar", r"\b(?:ginger|root)\s+beer"),
    ),
    "gelatin": (("gelatin", "gelatine"), ()),
}

#: what cooks type -> the canonical entries of :data:`ALLERGENS` it stands for
ALIASES: dict[str, tuple[str, ...]] = {
    "peanut": ("peanuts",), "groundnut": ("peanuts",),
    "nut": ("tree nuts", "peanuts"), "tree nut": ("tree nuts",),
    "crustacean": ("shellfish",), "mollusc": ("shellfish",), "mollusk": ("shellfish",),
    "seafood": ("fish", "shellfish"), "fish": ("fish",),
    "dairy": ("milk",), "lactose": ("milk",), "cow's milk": ("milk",), "dairy product": ("milk",),
    "egg": ("eggs",), "wheat": ("gluten",), "coeliac": ("gluten",), "celiac": ("gluten",),
    "soya": ("soy",), "soybean": ("soy",), "sesame seed": ("sesame",), "lupine": ("lupin",),
    "sulphite": ("sulphites",), "sulfite": ("sulphites",), "sulfites": ("sulphites",),
    "red meat": ("meat",), "gelatine": ("gelatin",),
}


@lru_cache(maxsize=4096)
def normalise(text: str) -> str:
    """Lower-case, accent-free, single-spaced text with straight apostrophes."""
    text = unicodedata.normalize("NFKD", text.replace("\u2019", "'"))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(text.lower().split())


def singular(word: str) -> str:
    """A naive singular of the last word: 'anchovies' -> 'anchovy', 'tomatoes' -> 'tomato'."""
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("oes", "ches", "shes", "sses", "xes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us")) and len(word) > 3:
        return word[:-1]
    return word


def _term_regex(term: str) -> str:
    """Regex for one term: words joined by spaces or hyphens, optional plural on the last word."""
    words = [re.escape(w) for w in singular(normalise(term)).split()]
    last = words[-1]
    if len(last) > 2 and last.endswith("y") and last[-2] not in "aeiou":
        words[-1] = last[:-1] + "(?:y|ies)"
    else:
        words[-1] = last + "(?:e?s)?"
    return r"[\s-]+".join(words)


@lru_cache(maxsize=2048)
def _pattern(terms: tuple[str, ...]) -> re.Pattern[str]:
    """One compiled whole-word alternation of ``terms``, longest first."""
    body = "|".join(_term_regex(t) for t in sorted(set(terms), key=len, reverse=True))
    return re.compile(rf"(?<![\w'])(?:{body})(?![\w'])")


@lru_cache(maxsize=512)
def _rules(allergy: str) -> tuple[re.Pattern[str], tuple[re.Pattern[str], ...]] | None:
    """Trigger pattern and exception patterns for one allergy as the cook typed it."""
    key = normalise(allergy).strip(" .,;")
    if not key:
        return None
    names = ALIASES.get(key) or ALIASES.get(singular(key))
    if names is None:
        names = tuple(n for n in (key, singular(key), key + "s") if n in ALLERGENS)[:1]
    if not names:  # unknown allergy: the word itself
        return _pattern((key,)), ()
    triggers = tuple(t for n in names for t in ALLERGENS[n][0])
    exceptions = tuple(re.compile(e) for n in names for e in ALLERGENS[n][1])
    return _pattern(triggers), exceptions


def mentions(text: str, terms: Iterable[str]) -> bool:
    """Whether ``text`` contains any of ``terms`` as whole words (plural-tolerant, case-insensitive)."""
    terms = tuple(terms)
    return bool(terms) and _pattern(terms).search(normalise(text)) is not None


def allergen_matches(ingredient_text: str, allergies: list[str]) -> list[str]:
    """The cook's allergy names (as given, in order) that ``ingredient_text`` triggers.

    >>> allergen_matches("Peanut butter, smooth", ["peanuts", "Shellfish"])
    ['peanuts']
    >>> allergen_matches("rice noodles", ["gluten"])
    []
    """
    text = normalise(ingredient_text)
    found: list[str] = []
    for allergy in allergies:
        rules = _rules(allergy)
        if rules is None or allergy in found:
            continue
        trigger, exceptions = rules
        checked = text
        for exception in exceptions:
            checked = exception.sub(" ; ", checked)
        if trigger.search(checked):
            found.append(allergy)
    return found
