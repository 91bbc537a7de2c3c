"""A realistic model answer used by several tests."""

from __future__ import annotations

import json

RECIPE = {
    "name": "Chickpea & Spinach Curry",
    "description": "A quick, warming curry with a silky coconut sauce and plenty of greens.",
    "recipeYield": 4,
    "prepTime": "PT10M",
    "cookTime": "PT25M",
    "totalTime": "PT35M",
    "recipeCuisine": "Indian",
    "recipeIngredient": [
        {"quantity": 1.5, "unit": "tbsp", "item": "vegetable oil", "note": ""},
        {"quantity": 1, "unit": "piece", "item": "onion", "note": "finely chopped"},
        {"quantity": 2, "unit": "clove", "item": "garlic", "note": "crushed"},
        {"quantity": 2, "unit": "tbsp", "item": "curry paste", "note": ""},
        {"quantity": 800, "unit": "g", "item": "chickpeas", "note": "drained"},
        {"quantity": 400, "unit": "ml", "item": "coconut milk", "note": ""},
        {"quantity": 200, "unit": "g", "item": "spinach", "note": ""},
        {"quantity": None, "unit": "", "item": "salt", "note": "to taste"},
    ],
    "recipeInstructions": [
        {"text": "Heat the oil in a large pan over a medium heat and soften the onion for 6 minutes."},
        {"text": "Stir in the garlic and curry paste and cook for 1 minute until fragrant."},
        {"text": "Add the chickpeas and coconut milk, bring to a simmer and cook for 15 minutes."},
        {"text": "Stir in the spinach a handful at a time until wilted, then season with salt."},
        {"text": "Serve hot with rice or warm flatbreads."},
    ],
    "tips": ["A squeeze of lime at the end brightens the sauce.", "Keeps for 3 days in the fridge."],
    "nutrition": {"calories": 420, "proteinContent": 14, "fatContent": 22, "carbohydrateContent": 38},
}
RECIPE_TEXT = json.dumps(RECIPE)
