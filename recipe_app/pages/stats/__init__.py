"""Operator statistics (hidden unless ADMIN_TOKEN is set)."""

from recipe_app.pages.stats.page import stats_page
from recipe_app.pages.stats.state import StatsState

__all__ = ["StatsState", "stats_page"]
