"""The floor app: one page, one state (``state.py``), the app's platform settings and nothing else."""

from __future__ import annotations

import os

import reflex as rx

from floor_app.state import FloorState
from recipe_app.core.gc_tuning import tune_gc
from recipe_app.web.statefiles import throttle_purge

throttle_purge()  # the same expiry scan as the app's: the floor differs only per update

if os.environ.get("FLOOR_APP_STATES"):
    # Design floor-appstates: every state of Recipe Studio registered in this app's state tree too
    # (their pages are not added), so the floor's updates run through a tree the app's size.
    import recipe_app.components.cook_mode  # noqa: F401
    import recipe_app.pages.library.state  # noqa: F401
    import recipe_app.pages.recipe.ask  # noqa: F401
    import recipe_app.pages.recipe.state  # noqa: F401
    import recipe_app.pages.shared  # noqa: F401
    import recipe_app.pages.shopping.state  # noqa: F401
    import recipe_app.pages.stats.state  # noqa: F401
    import recipe_app.pages.studio.ask  # noqa: F401
    import recipe_app.pages.studio.state  # noqa: F401


def index() -> rx.Component:
    """The tail and the status, as text."""
    return rx.box(rx.text(FloorState.status), rx.text(FloorState.tail))


app = rx.App()
app.add_page(index, route="/")
tune_gc()  # as the app does at start-up
