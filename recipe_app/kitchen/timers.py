"""Timers a step asks for, read from its text: "simmer for 20 minutes", "bake 25–30 min", "1½ hours".

Pure text work, no I/O. A range gives its lower bound (check then; the label shows the range).
"Every 5 minutes" is a rhythm, not a timer, and days are not kitchen timers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40, "forty-five": 45,
    "sixty": 60, "ninety": 90, "half an": 0.5, "half a": 0.5,
}
_FRACTIONS = {"½": 0.5, "¼": 0.25, "¾": 0.75, "⅓": 1 / 3, "⅔": 2 / 3}
_NUM = r"(?:\d+(?:[.,]\d+)?\s*[½¼¾⅓⅔]?|[½¼¾⅓⅔]|\d+\s+\d/\d|\d/\d|" + "|".join(
    re.escape(w) for w in sorted(_WORDS, key=len, reverse=True)
) + r")"
_UNIT = r"(?P<unit>hours?|hrs?|h|minutes?|mins?|seconds?|secs?|s)\b\.?"  # a bare "m" is a metre
_UNIT_SECONDS = {"h": 3600, "m": 60, "s": 1}
_ONE = rf"(?P<a>{_NUM})(?:\s*(?:-|–|—|to|or)\s*(?P<b>{_NUM}))?\s*-?\s*{_UNIT}"
_PATTERN = re.compile(
    rf"(?<![\w/]){_ONE}(?:\s*(?:and\s+)?(?P<a2>{_NUM})\s*(?P<unit2>minutes?|mins?|seconds?|secs?|s)\b\.?)?",
    re.IGNORECASE,
)
_VERBS = (
    "simmer", "bake", "roast", "boil", "cook", "fry", "sauté", "saute", "grill", "toast", "steam", "braise", "stew",
    "rest", "chill", "marinate", "soak", "rise", "prove", "proof", "knead", "whisk", "stir", "blanch", "poach",
    "reduce", "caramelise", "caramelize", "brown", "sear", "broil", "microwave", "cool", "freeze", "infuse", "steep",
    "leave", "let", "wait", "bubble", "heat", "warm", "melt", "dry", "set",
)
_VERB = re.compile(r"\b(" + "|".join(_VERBS) + r")\w*\b", re.IGNORECASE)
_RHYTHM = re.compile(r"\b(every|each)\s*$", re.IGNORECASE)
#: Longest timer a kitchen needs (a long braise, an overnight rise).
MAX_SECONDS = 24 * 3600


@dataclass(frozen=True)
class StepTimer:
    """One timer of a step: its button label ("Simmer 20 min"), its length, and the words it came from."""

    label: str
    seconds: int
    text: str
    upper_seconds: int = 0  # the top of a range ("25–30 min": 30 min); the same as seconds otherwise


def _number(text: str) -> float | None:
    t = " ".join(text.lower().split())
    if t in _WORDS:
        return float(_WORDS[t])
    if m := re.fullmatch(r"(\d+)\s+(\d)/(\d)", t):
        return int(m[1]) + int(m[2]) / int(m[3])
    if m := re.fullmatch(r"(\d)/(\d)", t):
        return int(m[1]) / int(m[2])
    whole = 0.0
    if t and t[-1] in _FRACTIONS:
        whole, t = _FRACTIONS[t[-1]], t[:-1].strip()
    if not t:
        return whole
    try:
        return float(t.replace(",", ".")) + whole
    except ValueError:
        return None


def _short(seconds: float) -> str:
    if seconds >= 3600:
        hours, rest = divmod(round(seconds), 3600)
        return f"{hours} h {rest // 60} min" if rest >= 60 else f"{hours} h"
    if seconds >= 60:
        minutes, rest = divmod(round(seconds), 60)
        return f"{minutes} min {rest} s" if rest else f"{minutes} min"
    return f"{round(seconds)} s"


def _verb_before(step: str, start: int) -> str:
    """The cooking verb closest before the duration, in the same clause."""
    clause = re.split(r"[.;:!?]", step[:start])[-1]
    verbs = _VERB.findall(clause[-60:])
    return verbs[-1].capitalize() if verbs else ""


def detect_timers(step: str) -> list[StepTimer]:
    """Every timer the step's text asks for, in order of appearance."""
    found: list[StepTimer] = []
    for m in _PATTERN.finditer(step):
        if _RHYTHM.search(step[: m.start()]):
            continue
        low, high = _number(m["a"]), _number(m["b"]) if m["b"] else None
        if low is None or low <= 0:
            continue
        unit = _UNIT_SECONDS[m["unit"][0].lower()]
        seconds = low * unit
        extra = 0.0
        if m["a2"] and m["unit2"] and unit > _UNIT_SECONDS[m["unit2"][0].lower()]:
            extra = (_number(m["a2"]) or 0) * _UNIT_SECONDS[m["unit2"][0].lower()]
        seconds += extra
        if seconds < 1 or seconds > MAX_SECONDS:
            continue
        shown = _short(seconds)
        if high is not None and high > low and not extra:
            shown = f"{_short(seconds).rsplit(' ', 1)[0]}–{_short(high * unit)}"
        verb = _verb_before(step, m.start())
        upper = high * unit if high is not None and high > low and not extra else seconds
        found.append(
            StepTimer(label=f"{verb} {shown}".strip(), seconds=round(seconds), text=m[0].strip().rstrip("."), upper_seconds=round(upper))
        )
    return found
