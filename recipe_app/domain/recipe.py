"""The recipe the model writes, following schema.org/Recipe names.

The same pydantic models give the strict JSON Schema sent to the provider and the validation of
the final answer, so the two can never drift apart: every constraint the validator checks is a
schema keyword (``pattern``, ``minimum``, ``minItems``) in the subset that grammar engines turn into
sampling rules (llama.cpp's json-schema-to-grammar, OpenAI strict mode, vLLM/xgrammar, Ollama), so
a grammar-constrained answer is also a valid one. Field order matters: strict structured output
emits keys in schema order, and the card relies on that order to know which parts are finished.
"""

from __future__ import annotations

import json
from datetime import timedelta
from functools import lru_cache
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

_DURATION = TypeAdapter(timedelta)
# Hours, minutes or seconds after T, at least one of them: "PT", "P" and "P1DT" are not durations.
_TIME_PART = "([0-9]{1,3}H([0-9]{1,3}M)?([0-9]{1,3}S)?|[0-9]{1,3}M([0-9]{1,3}S)?|[0-9]{1,3}S)"
#: An ISO-8601 duration of days, hours, minutes and seconds (PT25M, PT1H10M, P1DT2H). Written in the
#: regex subset every grammar engine accepts: plain groups and [0-9], no (?:...), \\d or lookahead.
ISO_DURATION_PATTERN = f"^P([0-9]{{1,3}}D(T{_TIME_PART})?|T{_TIME_PART})$"


#: Bounds on the numbers a model writes. Anything outside is not a recipe a cook can use, so the
#: answer is refused at validation (a message on the card) instead of reaching the kitchen maths:
#: grammar-constrained local models write 1e999 (infinity), and any model can write 83 888 servings.
MAX_QUANTITY = 100_000.0  # 100 kg in grams, 100 l in ml: past any home recipe
MAX_SERVINGS = 100
MAX_KCAL = 10_000.0  # per serving
MAX_GRAMS = 2_000.0  # protein, fat or carbohydrate per serving


class _Strict(BaseModel):
    # allow_inf_nan=False: NaN, Infinity and 1e999 (which JSON parsers read as infinity) are refused.
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class Ingredient(_Strict):
    """One line of recipeIngredient, split so it can be scaled without another model call."""

    quantity: float | None = Field(
        ge=0, le=MAX_QUANTITY, description="Amount as a number, null for 'to taste' or 'a pinch'."
    )
    unit: str = Field(description="Unit such as g, ml, cup, tbsp, tsp, piece, pinch; empty if none.")
    item: str = Field(description="The ingredient itself, e.g. 'red onion'.")
    note: str = Field(description="Preparation note such as 'finely chopped'; empty if none.")


class HowToStep(_Strict):
    """One numbered instruction (schema.org HowToStep)."""

    text: str


class Nutrition(_Strict):
    """Estimated nutrition per serving (schema.org NutritionInformation, numbers in kcal / grams)."""

    calories: float = Field(ge=0, le=MAX_KCAL)
    proteinContent: float = Field(ge=0, le=MAX_GRAMS)
    fatContent: float = Field(ge=0, le=MAX_GRAMS)
    carbohydrateContent: float = Field(ge=0, le=MAX_GRAMS)


class Recipe(_Strict):
    """A complete recipe. Keys are in the order the card fills in."""

    name: str
    description: str
    recipeYield: int = Field(ge=1, le=MAX_SERVINGS, description="Number of servings.")
    prepTime: str = Field(pattern=ISO_DURATION_PATTERN, description="ISO-8601 duration, e.g. PT15M.")
    cookTime: str = Field(pattern=ISO_DURATION_PATTERN, description="ISO-8601 duration, e.g. PT1H10M.")
    totalTime: str = Field(pattern=ISO_DURATION_PATTERN, description="ISO-8601 duration, e.g. PT1H25M.")
    recipeCuisine: str
    recipeIngredient: list[Ingredient] = Field(min_length=1)
    recipeInstructions: list[HowToStep] = Field(min_length=1)
    tips: list[str]
    nutrition: Nutrition


#: Key order of a recipe, used to tell finished fields from the one still streaming.
RECIPE_KEYS: tuple[str, ...] = tuple(Recipe.model_fields)


def _strictify(node: Any) -> Any:
    """Make a pydantic JSON Schema acceptable to strict structured output.

    Strict mode wants every property required, no defaults/titles, and nullable types spelled
    as a type list.
    """
    if isinstance(node, dict):
        node = {k: _strictify(v) for k, v in node.items() if k not in ("title", "default")}
        if node.get("type") == "object":
            node["required"] = list(node.get("properties", {}))
            node["additionalProperties"] = False
        if "anyOf" in node and all(set(o) <= {"type", "minimum", "maximum"} for o in node["anyOf"]):
            # A nullable number: one type list, its bounds beside it (bounds apply to numbers only).
            for option in node.pop("anyOf"):
                node.setdefault("type", []).append(option.pop("type"))
                node.update(option)
        return node
    if isinstance(node, list):
        return [_strictify(v) for v in node]
    return node


def recipe_json_schema() -> dict[str, Any]:
    """The strict JSON Schema of :class:`Recipe`, with definitions inlined under $defs (a fresh copy)."""
    return json.loads(_recipe_schema_text())


@lru_cache(maxsize=1)
def _recipe_schema_text() -> str:
    # Built once: pydantic's schema generation took ~1.5 % of the server's CPU when it ran per request.
    return json.dumps(_strictify(Recipe.model_json_schema()))


@lru_cache(maxsize=1024)
def duration_minutes(value: str) -> int | None:
    """Minutes in an ISO-8601 duration such as ``PT1H20M``; None when it cannot be read.

    Cached: the card asks again on every batch while the recipe streams (and a partial value such as
    ``PT1`` fails validation, which is the expensive path).
    """
    try:
        return int(_DURATION.validate_python(value).total_seconds() // 60)
    except Exception:  # noqa: BLE001 - a malformed duration just isn't shown
        return None


def format_duration(value: str) -> str:
    """Human text for an ISO-8601 duration: ``PT1H20M`` -> ``1 h 20 min``."""
    minutes = duration_minutes(value)
    if minutes is None:
        return ""
    hours, mins = divmod(minutes, 60)
    if hours and mins:
        return f"{hours} h {mins} min"
    return f"{hours} h" if hours else f"{mins} min"
