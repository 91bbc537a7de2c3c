"""What the cook asks for: the studio form as a validated request, and the cleaning of cook text."""

from __future__ import annotations

import unicodedata
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

DIETS: tuple[str, ...] = (
    "none",
    "vegetarian",
    "vegan",
    "pescatarian",
    "gluten-free",
    "dairy-free",
    "keto",
    "halal",
    "kosher",
)
Diet = Literal["none", "vegetarian", "vegan", "pescatarian", "gluten-free", "dairy-free", "keto", "halal", "kosher"]

MAX_INGREDIENTS = 30
MAX_ALLERGIES = 15
MAX_EQUIPMENT = 15
MAX_ITEM_CHARS = 60
MAX_TEXT_CHARS = 200
MAX_BASE_RECIPE_CHARS = 12_000

#: control characters that separate words (tab, newlines, the C0/C1 separators): kept as a space
_SPACING = frozenset("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f\x85")


def strip_invisible(value: str) -> str:
    """``value`` without Unicode control (Cc) and format (Cf) characters: NUL, zero-width spaces, BOM,
    soft hyphens, bidi overrides (U+202A-U+202E, U+2066-U+2069). Line breaks and tabs become spaces."""
    if value.isprintable():  # the common case: nothing to remove
        return value
    return "".join(
        " " if c in _SPACING else c for c in value if c in _SPACING or unicodedata.category(c) not in ("Cc", "Cf")
    )


def clean_text(value: str) -> str:
    """Normalise one piece of user text: no control or format characters, NFC, no lone surrogates, single spaces."""
    value = strip_invisible(value)
    value = value.encode("utf-8", "replace").decode("utf-8")  # lone surrogates become '?'
    value = unicodedata.normalize("NFC", value)
    return " ".join(value.split())


class RecipeRequest(BaseModel):
    """The form, validated. Every bound here is also shown next to its field in the page."""

    model_config = ConfigDict(extra="forbid")

    ingredients: list[str] = Field(default_factory=list, max_length=MAX_INGREDIENTS)
    dish: str = Field(default="", max_length=MAX_TEXT_CHARS)
    servings: int = Field(default=2, ge=1, le=12)
    diet: Diet = "none"
    allergies: list[str] = Field(default_factory=list, max_length=MAX_ALLERGIES)
    cuisine: str = Field(default="", max_length=MAX_ITEM_CHARS)
    max_minutes: int | None = Field(default=None, ge=5, le=24 * 60)
    equipment: list[str] = Field(default_factory=list, max_length=MAX_EQUIPMENT)
    # A new version of a saved recipe: what to change, and the recipe (our own validated JSON).
    changes: str = Field(default="", max_length=MAX_TEXT_CHARS)
    base_recipe: str = Field(default="", max_length=MAX_BASE_RECIPE_CHARS)

    @field_validator("dish", "cuisine", "changes", mode="before")
    @classmethod
    def _clean_text(cls, value: Any) -> Any:
        return clean_text(value) if isinstance(value, str) else value

    @field_validator("ingredients", "allergies", "equipment", mode="before")
    @classmethod
    def _clean_items(cls, value: Any) -> Any:
        if not isinstance(value, list):
            return value
        items: list[str] = []
        for raw in value:
            item = clean_text(str(raw))
            if len(item) > MAX_ITEM_CHARS:
                raise ValueError(f"each entry must be at most {MAX_ITEM_CHARS} characters")
            if item and item.lower() not in (i.lower() for i in items):
                items.append(item)
        return items

    @model_validator(mode="after")
    def _something_to_cook(self) -> RecipeRequest:
        if not self.ingredients and not self.dish:
            raise ValueError("add at least one ingredient or a dish idea")
        return self
