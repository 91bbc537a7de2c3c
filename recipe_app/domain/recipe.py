"""The recipe the model writes, following schema.org/Recipe names.

The same pydantic models give the strict JSON Schema sent to the provider and the validation of
the final answer, so the two can never drift apart. Field order matters: strict structured output
emits keys in schema order, and the card relies on that order to know which parts are finished.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta
from functools import lru_cache
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, field_validator

_DURATION = TypeAdapter(timedelta)
ISO_DURATION_PATTERN = r"^P(?:\d+D)?(?:T(?:\d+H)?(?:\d+M)?(?:\d+S)?)?$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Ingredient(_Strict):
    """One line of recipeIngredient, split so it can be scaled without another model call."""

    quantity: float | None = Field(description="Amount as a number, null for 'to taste' or 'a pinch'.")
    unit: str = Field(description="Unit such as g, ml, cup, tbsp, tsp, piece, pinch; empty if none.")
    item: str = Field(description="The ingredient itself, e.g. 'red onion'.")
    note: str = Field(description="Preparation note such as 'finely chopped'; empty if none.")


class HowToStep(_Strict):
    """One numbered instruction (schema.org HowToStep)."""

    text: str


class Nutrition(_Strict):
    """Estimated nutrition per serving (schema.org NutritionInformation, numbers in kcal / grams)."""

    calories: float
    proteinContent: float
    fatContent: float
    carbohydrateContent: float


class Recipe(_Strict):
    """A complete recipe. Keys are in the order the card fills in."""

    name: str
    description: str
    recipeYield: int = Field(description="Number of servings.")
    prepTime: str = Field(description="ISO-8601 duration, e.g. PT15M.")
    cookTime: str = Field(description="ISO-8601 duration, e.g. PT1H10M.")
    totalTime: str = Field(description="ISO-8601 duration, e.g. PT1H25M.")
    recipeCuisine: str
    recipeIngredient: list[Ingredient]
    recipeInstructions: list[HowToStep]
    tips: list[str]
    nutrition: Nutrition

    @field_validator("prepTime", "cookTime", "totalTime")
    @classmethod
    def _iso_duration(cls, value: str) -> str:
        if not re.match(ISO_DURATION_PATTERN, value) or value in ("P", "PT"):
            raise ValueError(f"not an ISO-8601 duration: {value!r}")
        return value

    @field_validator("recipeYield")
    @classmethod
    def _positive_yield(cls, value: int) -> int:
        if value < 1:
            raise ValueError("recipeYield must be at least 1")
        return value


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
        if "anyOf" in node and all(set(o) <= {"type"} for o in node["anyOf"]):
            node["type"] = [o["type"] for o in node.pop("anyOf")]
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
