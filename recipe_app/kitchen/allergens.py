"""Read the allergies a cook typed, and find them in ingredient lines.

``allergy_report(["basil pesto", "2 tbsp butter"], ["nut allergy", "kiwi"])`` answers a report whose
``flagged`` says "Basil pesto may contain tree nuts (you listed 'nut allergy')" (and peanuts), whose
``groups`` are ``["tree nuts", "peanuts"]`` and whose ``unchecked`` is ``["kiwi"]``: an allergy that
maps to no known group is said, never passed silently (its own word is still looked for).

Recognition (:func:`recognise`): text is lower-cased, accents and punctuation removed, hyphens made
spaces, each word singular; one entry may name several allergies ("dairy and eggs", "nuts/sesame").
Each part is looked up, filler words removed ("allergic to", "intolerance", "disease", "no",
"free"...), in :data:`recipe_app.kitchen.allergy_groups.NAMES`; then read as a food of a group
("walnut" stands for tree nuts, "tomato" only for itself); then matched against close misspellings.

Matching a line is whole-word, plural-tolerant and case- and accent-insensitive. A group's false
friends are removed first ("coconut milk" for milk, "water chestnut" for tree nuts), and
"<group>-free" anywhere in the line clears it ("spaghetti (gluten-free)"). Pure: no I/O, no state.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from recipe_app.kitchen.allergy_groups import BY_NAME, GROUPS, NAMES, Group

#: words that say how, not what: removed before an allergy is looked up
FILLER = frozenset(
    "allergy allergie allergic allergique allergisch alergia alergico alergica allergia allergico allergen "
    "intolerance intolerant intolerancia intolerante intolleranza intollerante unvertraglichkeit sensitivity "
    "sensitive disease free no not non avoid without severe mild strict anaphylaxis anaphylactic i im am to a an "
    "the any of from diet please reaction react can cant cannot eat have dont do sans sin senza ohne kein keine "
    "gegen contre aux au al de du des la le les el los las il di protein trace food product".split()
)
_SPLIT = re.compile(r"\s*(?:[,;/&+]|\band\b|\bor\b|\bet\b|\bund\b|\by\b|\bplus\b)\s*")
_LIGATURES = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss"})
_MESSAGE = "{line} may contain {group} (you listed '{allergy}')"


@dataclass(frozen=True)
class Recognition:
    """What one typed allergy stands for."""

    groups: tuple[str, ...] = ()  # names in :data:`allergy_groups.GROUPS`
    foods: tuple[tuple[str, str], ...] = ()  # (word, group or "") looked for as themselves
    unknown: tuple[str, ...] = ()  # parts as typed that map to nothing known


@dataclass
class AllergyReport:
    """The allergy check of one recipe: warnings, allergies that could not be checked, groups checked."""

    flagged: list[str] = field(default_factory=list)
    unchecked: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)


@lru_cache(maxsize=4096)
def normalise(text: str) -> str:
    """Lower-case, accent-free, single-spaced text with straight apostrophes."""
    text = unicodedata.normalize("NFKD", str(text).replace("\u2019", "'").translate(_LIGATURES))
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
    if term.startswith("re:"):
        return term[3:]
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


def mentions(text: str, terms: Iterable[str]) -> bool:
    """Whether ``text`` contains any of ``terms`` as whole words (plural-tolerant, case-insensitive)."""
    terms = tuple(terms)
    return bool(terms) and _pattern(terms).search(normalise(text)) is not None


def _key(text: str, drop_filler: bool) -> str:
    words = re.sub(r"[^\w\s]|_", " ", re.sub(r"'s\b|'", "", normalise(text).replace("-", " "))).split()
    return " ".join(singular(w) for w in words if not (drop_filler and (w in FILLER or singular(w) in FILLER)))


@lru_cache(maxsize=1)
def _index() -> dict[str, tuple[str, ...]]:
    index: dict[str, tuple[str, ...]] = {}
    for name, groups in NAMES.items():
        for drop in (False, True):
            index.setdefault(_key(name, drop), groups)
    index.pop("", None)
    return index


@lru_cache(maxsize=1)
def _spellings() -> dict[str, tuple[str, ...]]:
    """Names and single-word foods of whole groups: what a misspelling is compared with."""
    words = {_key(f, False): (g.name,) for g in GROUPS if g.whole for f in g.foods if " " not in f and len(f) >= 5}
    return {**words, **_index()}


@lru_cache(maxsize=1)
def _food_rules() -> tuple[tuple[Group, re.Pattern[str], tuple[re.Pattern[str], ...]], ...]:
    return tuple((g, _pattern(g.foods), tuple(re.compile(s) for s in g.safe)) for g in GROUPS)


def _read_part(part: str) -> Recognition:
    """One allergy (no separators left) as groups, single foods, or unknown."""
    index = _index()
    for drop in (False, True):
        if (key := _key(part, drop)) in index:
            return Recognition(groups=index[key])
    key = _key(part, True)
    if not key:
        return Recognition()
    words, named, start = key.split(), [], 0
    while start < len(words):  # longest names first, left to right: "tree nut oil" is tree nuts only
        end = next((e for e in range(len(words), start, -1) if " ".join(words[start:e]) in index), start)
        if end > start:
            named.append(index[" ".join(words[start:end])])
        start = max(end, start + 1)
    if named:  # "severe reaction to shellfish" names shellfish among other words
        return Recognition(groups=tuple(dict.fromkeys(g for groups in named for g in groups)))
    groups: list[str] = []
    foods: list[tuple[str, str]] = []
    for group, foods_pattern, safe in _food_rules():
        checked = key
        for pattern in safe:
            checked = pattern.sub(" ; ", checked)
        for hit in foods_pattern.finditer(checked):
            if group.whole:
                groups.append(group.name)
            else:
                foods.append((hit.group(0), group.name))
    if groups or foods:
        return Recognition(groups=tuple(dict.fromkeys(groups)), foods=tuple(dict.fromkeys(foods)))
    if len(key) >= 5 and (close := difflib.get_close_matches(key, list(_spellings()), n=1, cutoff=0.82)):
        return Recognition(groups=_spellings()[close[0]], foods=((key, ""),))  # a misspelling; its word too
    return Recognition(foods=((key, ""),), unknown=(" ".join(part.split()),))


@lru_cache(maxsize=1024)
def recognise(allergy: str) -> Recognition:
    """What a typed allergy stands for: groups, foods looked for as themselves, parts not understood.

    >>> recognise("tree-nut allergy").groups
    ('tree nuts',)
    >>> recognise("lactose intolerant").groups
    ('milk',)
    """
    text = " ".join(str(allergy or "").split())
    if (key := _key(text, True)) in _index():  # a name that holds a separator: "fruits à coque"
        return Recognition(groups=_index()[key])
    parts = [p for p in _SPLIT.split(text) if p.strip(" .!?")]
    groups: list[str] = []
    foods: list[tuple[str, str]] = []
    unknown: list[str] = []
    for part in parts:
        found = _read_part(part.strip(" .!?"))
        groups += found.groups
        foods += found.foods
        unknown += found.unknown
    return Recognition(tuple(dict.fromkeys(groups)), tuple(dict.fromkeys(foods)), tuple(dict.fromkeys(unknown)))


@lru_cache(maxsize=64)
def _free_pattern(words: tuple[str, ...]) -> re.Pattern[str] | None:
    alternatives = []
    for word in words:
        if " " not in word and word in ("vegan",):
            alternatives.append(r"\bvegan\b")
        elif word == "plant based":
            alternatives.append(r"\bplant[\s-]*based\b")
        else:
            term = _term_regex(word)
            alternatives.append(rf"(?<![\w'])(?:{term})[\s-]*free\b|\b(?:free\s+from|without|no)\s+(?:{term})(?![\w'])")
    return re.compile("|".join(alternatives)) if alternatives else None


@lru_cache(maxsize=64)
def _group_rules(name: str) -> tuple[re.Pattern[str], tuple[re.Pattern[str], ...], re.Pattern[str] | None]:
    group = BY_NAME[name]
    return _pattern(group.foods + group.hidden), tuple(re.compile(s) for s in group.safe), _free_pattern(group.free)


@lru_cache(maxsize=512)
def _literal_rules(word: str, group: str) -> tuple[re.Pattern[str], tuple[re.Pattern[str], ...], re.Pattern[str] | None]:
    """A single food looked for as itself, with its group's prepared foods and false friends ("pesto" for garlic)."""
    hidden = BY_NAME[group].hidden if group else ()
    safe = _group_rules(group)[1] if group else ()
    return _pattern((word, *hidden)), safe, _free_pattern((word,))


def _hits(text: str, rules: tuple[re.Pattern[str], tuple[re.Pattern[str], ...], re.Pattern[str] | None]) -> bool:
    trigger, safe, free = rules
    if free is not None and free.search(text):
        return False
    for pattern in safe:
        text = pattern.sub(" ; ", text)
    return trigger.search(text) is not None


def _checks(recognition: Recognition) -> list[tuple[str, tuple[re.Pattern[str], tuple[re.Pattern[str], ...], re.Pattern[str] | None]]]:
    """(what is named in a warning, its rules) for every group and food of one allergy."""
    checks = [(name, _group_rules(name)) for name in recognition.groups]
    return checks + [(word, _literal_rules(word, group)) for word, group in recognition.foods]


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
        if allergy in found:
            continue
        if any(_hits(text, rules) for _, rules in _checks(recognise(allergy))):
            found.append(allergy)
    return found


def allergy_report(ingredient_lines: list[str], allergies: list[str]) -> AllergyReport:
    """Warnings for every (line, group) hit, allergies that could not be checked, and groups checked."""
    report = AllergyReport()
    checks: list[tuple[str, str, tuple[re.Pattern[str], tuple[re.Pattern[str], ...], re.Pattern[str] | None]]] = []
    for allergy in allergies:
        typed = " ".join(str(allergy or "").split())
        if not typed:
            continue
        recognition = recognise(typed)
        report.unchecked += [u for u in recognition.unknown if u not in report.unchecked]
        report.groups += [g for g in recognition.groups if g not in report.groups]
        report.groups += [w for w, group in recognition.foods if group and w not in report.groups]
        checks += [(typed, named, rules) for named, rules in _checks(recognition)]
    flagged: set[str] = set()
    for line in ingredient_lines:
        shown = " ".join(str(line or "").split()).strip(" ,;")
        text = normalise(shown)
        seen: set[str] = set()
        for typed, named, rules in checks:
            if named not in seen and _hits(text, rules):
                seen.add(named)
                flagged.add(_MESSAGE.format(line=shown[:1].upper() + shown[1:], group=named, allergy=typed))
    report.flagged = sorted(flagged)
    return report
