"""Small English word helpers for ingredient names: singular/plural forms and a matching key.

The rules are deliberately simple (a cook's vocabulary, not a dictionary): they make
``"onions"`` and ``"onion"``, ``"Tomatoes"`` and ``"tomato"``, ``"bay leaves"`` and ``"bay leaf"``
meet, and let a scaled line read ``1 egg`` instead of ``1 eggs``. Everything here is pure.
"""

from __future__ import annotations

import re
import unicodedata

#: words that end in "s" but are not plurals (or whose singular is the same word)
_INVARIANT = frozenset({
    "asparagus", "hummus", "couscous", "molasses", "swiss", "grits", "series", "species", "octopus",
    "citrus", "cactus", "hibiscus", "haggis", "floss", "bass", "cress", "schnapps", "plus", "less",
    "moss", "glass", "gas", "jus",
})
#: irregular plural -> singular
_IRREGULAR = {
    "leaves": "leaf", "loaves": "loaf", "halves": "half", "knives": "knife", "chillies": "chilli",
    "chilies": "chili", "cookies": "cookie", "brownies": "brownie", "calves": "calf", "wolves": "wolf",
    "potatoes": "potato", "tomatoes": "tomato", "mangoes": "mango", "avocados": "avocado",
    "geese": "goose", "teeth": "tooth", "feet": "foot", "mice": "mouse", "children": "child",
}
_PLURAL_OF = {singular: plural for plural, singular in _IRREGULAR.items()}
#: nouns that are not counted ("3 garlic" stays "3 garlic" rather than "3 garlics")
MASS_NOUNS = frozenset({
    "garlic", "ginger", "salt", "pepper", "rice", "flour", "sugar", "butter", "water", "milk", "oil",
    "cheese", "parsley", "basil", "coriander", "cilantro", "mint", "dill", "thyme", "rosemary", "sage",
    "spinach", "lettuce", "celery", "broccoli", "cauliflower", "cabbage", "kale", "bread", "fish",
    "meat", "pasta", "yeast", "honey", "cream", "feta", "tofu", "stock", "broth", "corn", "asparagus",
})
#: adjectives of size that do not change what is bought
_SIZE_WORDS = frozenset({"large", "small", "medium", "big", "extra", "extra-large", "jumbo", "organic"})


def singular(word: str) -> str:
    """The singular of one lower- or mixed-case English noun (``"berries"`` -> ``"berry"``)."""
    lower = word.lower()
    if len(lower) < 3 or lower in _INVARIANT or not lower.isalpha():
        return word
    if lower in _IRREGULAR:
        return _keep_case(word, _IRREGULAR[lower])
    if lower.endswith("ies") and len(lower) > 4:
        return word[:-3] + "y"
    if lower.endswith("oes"):
        return word[:-2]
    if re.search(r"(?:ch|sh|x|z|ss)es$", lower):
        return word[:-2]
    if lower.endswith("s") and not re.search(r"(?:ss|us|is|ys)$", lower):
        return word[:-1]
    return word


def plural(word: str) -> str:
    """The plural of one English noun (``"egg"`` -> ``"eggs"``); a word already plural is kept."""
    lower = word.lower()
    if not lower.isalpha() or lower in _INVARIANT or lower in MASS_NOUNS or singular(word) != word:
        return word
    if lower in _PLURAL_OF:
        return _keep_case(word, _PLURAL_OF[lower])
    if re.search(r"[^aeiou]y$", lower):
        return word[:-1] + "ies"
    if re.search(r"(?:s|x|z|ch|sh)$", lower):
        return word + "es"
    return word + "s"


def inflect_last(phrase: str, many: bool) -> str:
    """``phrase`` with its last word made plural (``many``) or singular: ``"large egg"`` -> ``"large eggs"``."""
    match = re.search(r"([A-Za-z]+)(\W*)$", phrase)
    if not match:
        return phrase
    word = match.group(1)
    new = plural(word) if many else singular(word)
    return phrase[: match.start(1)] + new + match.group(2)


def strip_accents(text: str) -> str:
    """``"crème fraîche"`` -> ``"creme fraiche"``."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def tokens(text: str) -> list[str]:
    """Lower-case singular words of ``text``, accents and punctuation removed, parentheses dropped."""
    text = re.sub(r"\([^)]*\)", " ", strip_accents(text).lower())
    return [singular(w) for w in re.findall(r"[a-z]+", text)]


def item_key(item: str) -> str:
    """The key under which two spellings of one ingredient meet.

    Case, accents, punctuation, plurals, size words (large, small, ...), "organic" and "free-range"
    are ignored:
    ``"Large Eggs"``, ``"egg"`` and ``"eggs"`` share the key ``"egg"``.
    """
    words = [w for w in tokens(re.sub(r"(?i)\bfree[\s-]*range\b", " ", item)) if w not in _SIZE_WORDS]
    return " ".join(words) or " ".join(tokens(item)) or item.strip().lower()


def _keep_case(original: str, new: str) -> str:
    return new.capitalize() if original[:1].isupper() else new
