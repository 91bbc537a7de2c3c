"""The schema sent to the provider and the validator of the answer agree (one source: recipe.py).

A grammar engine samples only what the schema allows, so whatever the schema lets through must
validate, and whatever the validator refuses, the schema must refuse too.
"""

from __future__ import annotations

import copy
import json

import jsonschema
import pytest
from pydantic import ValidationError

from recipe_app.domain.recipe import ISO_DURATION_PATTERN, Recipe, recipe_json_schema
from tests.recipes import RECIPE


def _with(path: tuple, value: object) -> dict:
    recipe = copy.deepcopy(RECIPE)
    node = recipe
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return recipe


CASES = [
    (("prepTime",), "PT25M", True),
    (("prepTime",), "PT1H10M", True),
    (("prepTime",), "PT1H", True),
    (("prepTime",), "PT90S", True),
    (("prepTime",), "P1DT2H", True),
    (("prepTime",), "P1D", True),
    (("prepTime",), "PT", False),
    (("prepTime",), "P", False),
    (("prepTime",), "P1DT", False),
    (("prepTime",), "25 minutes", False),
    (("prepTime",), "PT25", False),
    (("prepTime",), "pt25m", False),
    (("prepTime",), "PT1M1H", False),
    (("recipeYield",), 4, True),
    (("recipeYield",), 1, True),
    (("recipeYield",), 0, False),
    (("recipeYield",), -2, False),
    (("recipeIngredient", 0, "quantity"), None, True),
    (("recipeIngredient", 0, "quantity"), 0.5, True),
    (("recipeIngredient", 0, "quantity"), -1, False),
    (("recipeIngredient",), [], False),
    (("recipeInstructions",), [], False),
    (("tips",), [], True),
]


@pytest.mark.parametrize(("path", "value", "valid"), CASES, ids=[f"{p[0]}={v!r}" for p, v, _ in CASES])
def test_schema_and_validator_agree(path: tuple, value: object, valid: bool) -> None:
    recipe = _with(path, value)
    schema_ok = jsonschema.Draft202012Validator(recipe_json_schema()).is_valid(recipe)
    try:
        Recipe.model_validate_json(json.dumps(recipe))
        model_ok = True
    except ValidationError:
        model_ok = False
    assert (schema_ok, model_ok) == (valid, valid)


def test_the_schema_uses_only_the_regex_subset_grammar_engines_accept() -> None:
    """llama.cpp's json-schema-to-grammar rejects (?:...) and \\d; OpenAI strict wants anchors."""
    patterns = [p["pattern"] for p in recipe_json_schema()["properties"].values() if "pattern" in p]
    assert patterns == [ISO_DURATION_PATTERN] * 3
    for pattern in patterns:
        assert pattern.startswith("^") and pattern.endswith("$")
        assert "(?" not in pattern and "\\" not in pattern
