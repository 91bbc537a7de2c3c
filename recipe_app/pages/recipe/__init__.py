"""One saved recipe."""

from recipe_app.pages.recipe.page import recipe_page
from recipe_app.pages.recipe.state import RecipeState

__all__ = ["RecipeState", "recipe_page"]
