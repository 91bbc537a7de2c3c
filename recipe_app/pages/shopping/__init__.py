"""The shopping list built from picked recipes."""

from recipe_app.pages.shopping.page import shopping_page
from recipe_app.pages.shopping.state import ShoppingState

__all__ = ["ShoppingState", "shopping_page"]
