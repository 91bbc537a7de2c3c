"""The floor app: one page, one state (``state.py``), the app's platform settings and nothing else."""

from __future__ import annotations

import reflex as rx

from floor_app.state import FloorState
from recipe_app.core.gc_tuning import tune_gc
from recipe_app.web.statefiles import throttle_purge

throttle_purge()  # the same expiry scan as the app's: the floor differs only per update


def index() -> rx.Component:
    """The tail and the status, as text."""
    return rx.box(rx.text(FloorState.status), rx.text(FloorState.tail))


app = rx.App()
app.add_page(index, route="/")
tune_gc()  # as the app does at start-up
