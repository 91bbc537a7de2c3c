"""The structured-output forms a provider is asked for (``response_format``)."""

from __future__ import annotations

from typing import Any

from recipe_app.domain.recipe import recipe_json_schema


def response_format_json_schema() -> dict[str, Any]:
    """`response_format` for providers that support strict structured output."""
    return {
        "type": "json_schema",
        "json_schema": {"name": "recipe", "strict": True, "schema": recipe_json_schema()},
    }
