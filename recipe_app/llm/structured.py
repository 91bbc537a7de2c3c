"""The structured-output forms a provider is asked for (``response_format``), and which one it takes.

Three forms, best first:

- ``json_schema``: strict JSON Schema (OpenAI, vLLM, Ollama, LM Studio, newer llama.cpp servers);
- ``json_object+schema``: ``{"type": "json_object", "schema": ...}``, llama.cpp's own form
  (llama-cpp-python, older ``llama-server`` builds): sampling is still constrained to the schema;
- ``json_object``: any JSON object, with the schema in the prompt.

A server that refuses a form before the stream opens gets the next one. What it took is remembered
per base URL and model for :data:`REMEMBER_S`, so one error does not pin a server to a weaker form
for the life of the process, and a server that was upgraded is asked for the best form again.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

import openai

from recipe_app.domain.recipe import recipe_json_schema

logger = logging.getLogger("recipe_app.llm")

FORMS: tuple[str, ...] = ("json_schema", "json_object+schema", "json_object")
#: How long a server's refusal of a form is remembered.
REMEMBER_S = 600.0

# (base URL, model) -> (index into FORMS, monotonic time the memory ends)
_accepted: dict[tuple[str, str], tuple[int, float]] = {}
_lock = threading.Lock()  # several event loops (workers' threads, tests) share the memory


def response_format(form: str) -> dict[str, Any]:
    """The ``response_format`` request field of ``form``."""
    if form == "json_schema":
        return {"type": "json_schema", "json_schema": {"name": "recipe", "strict": True, "schema": recipe_json_schema()}}
    if form == "json_object+schema":
        return {"type": "json_object", "schema": recipe_json_schema()}
    return {"type": "json_object"}


def response_format_json_schema() -> dict[str, Any]:
    """`response_format` for providers that support strict structured output."""
    return response_format("json_schema")


def schema_in_prompt(form: str) -> bool:
    """Whether the prompt must carry the schema (the server does not constrain to it)."""
    return form == "json_object"


def form_for(base_url: str, model: str) -> str:
    """The best form this server has not refused recently."""
    with _lock:
        index, until = _accepted.get((base_url, model), (0, 0.0))
        if until <= time.monotonic():
            _accepted.pop((base_url, model), None)
            return FORMS[0]
        return FORMS[index]


def refused(base_url: str, model: str, form: str, reason: str) -> str | None:
    """Remember that the server refused ``form``; the next form to try, or None after the last.

    Logged once per server and form while it is remembered.
    """
    index = FORMS.index(form)
    if index + 1 >= len(FORMS):
        return None
    following = FORMS[index + 1]
    with _lock:
        known, until = _accepted.get((base_url, model), (0, 0.0))
        fresh = until <= time.monotonic() or known <= index
        if fresh:
            _accepted[(base_url, model)] = (index + 1, time.monotonic() + REMEMBER_S)
    if fresh:
        logger.warning(
            "%s (model %s) refused response_format %s (%s): using %s for the next %d minutes",
            base_url, model, form, reason[:200], following, REMEMBER_S // 60,
        )
    return following


def forget() -> None:
    """Drop everything remembered (tests; a changed configuration)."""
    with _lock:
        _accepted.clear()


def refuses_response_format(exc: openai.APIStatusError) -> bool:
    """Whether an error answer (400, 422 or 500) is the server refusing the ``response_format``.

    The SDK's parsed ``param`` and ``code`` first; the message text when the server gave neither
    (llama-cpp-python answers a 500 whose text names ``response_format``).
    """
    if exc.status_code not in (400, 422, 500):
        return False
    param, code = str(getattr(exc, "param", "") or ""), str(getattr(exc, "code", "") or "")
    if param.startswith("response_format") or code in ("unsupported_response_format", "response_format_unsupported"):
        return True
    text = f"{param} {code} {exc.message} {exc.body}".lower()
    return "response_format" in text or "json_schema" in text
