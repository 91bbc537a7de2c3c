"""A picture of a recipe made offline: a bowl of its main ingredients on a cuisine's colours.

Pure and deterministic (the same recipe gives the same picture): the background and rim come from
the cuisine, and each of the first ingredients becomes a scatter of shapes in its own colour (greens
as leaves, grains as small dots, the rest as pieces). No text of the recipe goes into the SVG, and it
is shown as an image (``data:`` URI), so model text can never become markup.
"""

from __future__ import annotations

import base64
import hashlib
import math
import random

from recipe_app.domain.recipe import Recipe

# cuisine word -> (background, rim) colours
_CUISINE_COLOURS: dict[str, tuple[str, str]] = {
    "italian": ("#f6e7d7", "#2e7d32"), "indian": ("#fbe3c4", "#c2410c"), "mexican": ("#fde2c8", "#b91c1c"),
    "chinese": ("#fde8e8", "#b91c1c"), "japanese": ("#eef2f6", "#1e3a5f"), "thai": ("#e8f5e4", "#15803d"),
    "korean": ("#f3e8ff", "#7e22ce"), "french": ("#eef1fb", "#1d4ed8"), "mediterranean": ("#e6f2f8", "#0e7490"),
    "middle eastern": ("#fbefdc", "#a16207"), "british": ("#eef3ee", "#365314"), "american": ("#fdecec", "#1e40af"),
}
_DEFAULT_COLOURS = ("#f3efe8", "#78716c")
# ingredient word -> (colour, shape): leaf | dot | piece
_FOODS: tuple[tuple[str, str, str], ...] = (
    ("spinach", "#3f8f3a", "leaf"), ("kale", "#2f6f2a", "leaf"), ("basil", "#4caf50", "leaf"), ("rocket", "#5a9e3a", "leaf"),
    ("lettuce", "#8bc34a", "leaf"), ("parsley", "#43a047", "leaf"), ("coriander", "#43a047", "leaf"), ("herb", "#4caf50", "leaf"),
    ("broccoli", "#2e7d32", "piece"), ("pea", "#7cb342", "dot"), ("bean", "#8d6e63", "dot"), ("chickpea", "#d7b377", "dot"),
    ("lentil", "#b5651d", "dot"), ("rice", "#f5f5f0", "dot"), ("quinoa", "#e8d8b0", "dot"), ("couscous", "#ecd9a0", "dot"),
    ("tomato", "#e53935", "piece"), ("pepper", "#f44336", "piece"), ("chilli", "#d32f2f", "piece"), ("carrot", "#fb8c00", "piece"),
    ("squash", "#f59e0b", "piece"), ("sweet potato", "#f97316", "piece"), ("potato", "#e8c872", "piece"),
    ("pumpkin", "#f59e0b", "piece"), ("corn", "#fdd835", "dot"), ("lemon", "#fde047", "piece"), ("lime", "#84cc16", "piece"),
    ("mushroom", "#a1887f", "piece"), ("aubergine", "#6a1b9a", "piece"), ("eggplant", "#6a1b9a", "piece"),
    ("courgette", "#689f38", "piece"), ("zucchini", "#689f38", "piece"), ("avocado", "#9ccc65", "piece"),
    ("onion", "#f3e5f5", "piece"), ("garlic", "#fafafa", "dot"), ("salmon", "#ff8a65", "piece"), ("prawn", "#ff7043", "piece"),
    ("shrimp", "#ff7043", "piece"), ("fish", "#eceff1", "piece"), ("chicken", "#e0b27a", "piece"), ("beef", "#8d3b2f", "piece"),
    ("pork", "#e8a598", "piece"), ("lamb", "#9c4a3c", "piece"), ("tofu", "#fff8e1", "piece"), ("egg", "#ffd54f", "piece"),
    ("cheese", "#ffe082", "piece"), ("feta", "#fffde7", "piece"), ("pasta", "#f3d27a", "piece"), ("spaghetti", "#f3d27a", "piece"),
    ("noodle", "#f3d27a", "piece"), ("bread", "#c68642", "piece"), ("nut", "#a47148", "dot"), ("seed", "#6d4c41", "dot"),
)
MAX_FOODS = 5


def _colours(cuisine: str) -> tuple[str, str]:
    text = cuisine.lower()
    return next((c for word, c in _CUISINE_COLOURS.items() if word in text), _DEFAULT_COLOURS)


def main_foods(recipe: Recipe) -> list[tuple[str, str]]:
    """(colour, shape) of the first ingredients the picture knows, in recipe order, at most five."""
    found: list[tuple[str, str]] = []
    for line in recipe.recipeIngredient:
        item = line.item.lower()
        food = next(((colour, shape) for word, colour, shape in _FOODS if word in item), None)
        if food is not None and food not in found:
            found.append(food)
        if len(found) == MAX_FOODS:
            break
    return found or [("#a5d6a7", "leaf"), ("#ffcc80", "piece")]


def _shape(rng: random.Random, colour: str, shape: str, x: float, y: float) -> str:
    angle = rng.uniform(0, 180)
    if shape == "leaf":
        return (f'<ellipse cx="{x:.0f}" cy="{y:.0f}" rx="16" ry="7" fill="{colour}" '
                f'transform="rotate({angle:.0f} {x:.0f} {y:.0f})"/>')
    if shape == "dot":
        return f'<circle cx="{x:.0f}" cy="{y:.0f}" r="{rng.uniform(3, 5):.1f}" fill="{colour}"/>'
    w, h = rng.uniform(14, 22), rng.uniform(10, 16)
    return (f'<rect x="{x - w / 2:.0f}" y="{y - h / 2:.0f}" width="{w:.0f}" height="{h:.0f}" rx="4" fill="{colour}" '
            f'stroke="#00000022" transform="rotate({angle:.0f} {x:.0f} {y:.0f})"/>')


def illustration_svg(recipe: Recipe) -> str:
    """The SVG picture of ``recipe`` (400 x 240)."""
    background, rim = _colours(recipe.recipeCuisine)
    rng = random.Random(int.from_bytes(hashlib.sha256(recipe.name.encode()).digest()[:8], "big"))
    parts = [
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 400 240" width="400" height="240">',
        f'<rect width="400" height="240" fill="{background}"/>',
        f'<ellipse cx="200" cy="128" rx="150" ry="92" fill="{rim}" opacity="0.9"/>',
        '<ellipse cx="200" cy="124" rx="132" ry="78" fill="#ffffff"/>',
        '<ellipse cx="200" cy="124" rx="112" ry="62" fill="#faf7f2"/>',
    ]
    foods = main_foods(recipe)
    for index, (colour, shape) in enumerate(foods):
        count = {"dot": 26, "leaf": 8}.get(shape, 7)
        for _ in range(count):
            angle = rng.uniform(0, 6.283)
            radius = rng.uniform(0, 1) ** 0.5
            x = 200 + math.cos(angle) * radius * 95
            y = 124 + math.sin(angle) * radius * 50 + (index - len(foods) / 2) * 2
            parts.append(_shape(rng, colour, shape, x, y))
    parts.append("</svg>")
    return "".join(parts)


def illustration_uri(recipe: Recipe) -> str:
    """The picture as a ``data:image/svg+xml;base64,...`` URI for an image element."""
    return "data:image/svg+xml;base64," + base64.b64encode(illustration_svg(recipe).encode()).decode()
