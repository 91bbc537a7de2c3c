"""The studio page: form, live recipe card and the state behind them."""

from recipe_app.pages.studio.page import studio_page
from recipe_app.pages.studio.state import StudioState

__all__ = ["StudioState", "studio_page"]
