"""What a page reads from the browser: form text, route segments, browser storage, cookies.

All of it can be edited by whoever holds the browser, so each value is parsed with bounds here and a
bad one is treated as absent (a not-found page, an empty list), never as an exception. Text goes
through ``clean_text`` (the same cleaning as the studio form) before it reaches state, database or model.
"""

from __future__ import annotations

import json
from typing import Any

from recipe_app.domain.request import clean_text

#: Largest row id the database hands out (a signed 32-bit integer on PostgreSQL).
MAX_ID = 2**31 - 1
#: Longest route segment or stored value looked at; anything longer is rejected unread.
MAX_TEXT = 64_000


def parse_id(text: Any) -> int | None:
    """A row id from a URL segment or storage key: ASCII digits only, 1..MAX_ID; else None."""
    if isinstance(text, bool):
        return None
    if isinstance(text, int):
        return text if 1 <= text <= MAX_ID else None
    if not isinstance(text, str) or not text.isascii() or not text.isdigit() or len(text) > 10:
        return None  # isdigit() alone accepts '²' and other digits int() refuses
    value = int(text)
    return value if 1 <= value <= MAX_ID else None


def bounded_int(value: Any, low: int, high: int) -> int | None:
    """An integer within ``low..high`` from a stored or submitted value; None when it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str):
        text = value.strip()
        if not text.isascii() or not text.lstrip("-").isdigit() or len(text) > 6:
            return None
        value = int(text)
    if not isinstance(value, int):
        return None
    return min(max(value, low), high)


def load_json(text: Any, kind: type) -> Any:
    """A stored JSON value of ``kind`` (dict or list); an empty one for anything else."""
    if not isinstance(text, str) or len(text) > MAX_TEXT:
        return kind()
    try:
        value = json.loads(text or "null")
    except (ValueError, RecursionError):
        return kind()
    return value if isinstance(value, kind) else kind()


def clean_lines(text: Any, max_lines: int, max_chars: int) -> list[str]:
    """Non-empty lines of a multi-line field, each through ``clean_text`` and cut to ``max_chars``."""
    if not isinstance(text, str):
        return []
    lines = (clean_text(line)[:max_chars] for line in text[:MAX_TEXT].splitlines())
    return [line for line in lines if line][:max_lines]


def clean_paragraphs(text: Any, max_chars: int) -> str:
    """A multi-line note: each line through ``clean_text``, single blank lines kept, cut to ``max_chars``."""
    if not isinstance(text, str):
        return ""
    lines = [clean_text(line) for line in text[: max_chars * 2].splitlines()]
    kept: list[str] = []
    for line in lines:
        if line or (kept and kept[-1]):
            kept.append(line)
    return "\n".join(kept).strip()[:max_chars]


def typing_text(value: Any, max_chars: int) -> str:
    """A field bound as it is typed: ``clean_text``, keeping one trailing space (the next word comes)."""
    if not isinstance(value, str):
        return ""
    cleaned = clean_text(value[: max_chars * 2])[:max_chars]
    return cleaned + " " if cleaned and value[-1:].isspace() and len(cleaned) < max_chars else cleaned
