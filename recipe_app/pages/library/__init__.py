"""My recipes: the saved recipes of this browser."""

from recipe_app.pages.library.page import library_page
from recipe_app.pages.library.state import LibraryState

__all__ = ["LibraryState", "library_page"]
