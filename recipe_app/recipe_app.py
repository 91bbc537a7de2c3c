"""The Reflex app: pages and start-up. Nothing else lives here."""

from __future__ import annotations

import reflex as rx

from recipe_app.web.api import in_front_of
from recipe_app.core.checks import ensure_startable
from recipe_app.core.compat import probe_all
from recipe_app.db.session import migrate_to_head
from recipe_app.core.gc_tuning import tune_gc
from recipe_app.core.logs import configure_logging
from recipe_app.pages.library import LibraryState, library_page
from recipe_app.pages.recipe import RecipeState, recipe_page
from recipe_app.pages.recipe.ask import RecipeAskState
from recipe_app.pages.shared import SharedState, shared_page
from recipe_app.pages.shopping import ShoppingState, shopping_page
from recipe_app.pages.stats import StatsState, stats_page
from recipe_app.pages.studio import StudioState, studio_page
from recipe_app.web.compat import quiet_disconnect_warnings
from recipe_app.web.statefiles import throttle_purge

configure_logging(ensure_startable())
probe_all()  # every private reach of a library, once: a broken one is a WARNING line and a gauge
quiet_disconnect_warnings()  # one "disconnected client" line per closed tab, not one per update
throttle_purge()  # Reflex's disk state manager: scan for expired tab states once a minute, not every 2 s

# toaster=None: each page carries its own (components/layout.py), so a toast never outlives its page.
app = rx.App(
    stylesheets=["/studio.css", "/print.css"],
    head_components=[rx.el.script(src="/studio.js", defer=True)],
    toaster=None,
    api_transformer=in_front_of,
)
app.add_page(studio_page, route="/", title="Recipe Studio", on_load=StudioState.on_page_load)
app.add_page(library_page, route="/recipes", title="My recipes · Recipe Studio", on_load=LibraryState.load)
app.add_page(recipe_page, route="/recipes/[recipe_id]", title="Recipe · Recipe Studio", on_load=[RecipeState.load, RecipeAskState.load])
app.add_page(shared_page, route="/r/[slug]", title="Shared recipe · Recipe Studio", on_load=SharedState.load)
app.add_page(shopping_page, route="/shopping", title="Shopping list · Recipe Studio", on_load=ShoppingState.load)
# A neutral title: the operator page does not advertise itself (not found unless ADMIN_TOKEN is set).
app.add_page(stats_page, route="/stats", title="Recipe Studio", on_load=StatsState.load)
app.register_lifespan_task(migrate_to_head)  # alembic upgrade head: fresh and existing databases
tune_gc()  # last: freeze the start-up heap so the collector stops walking it (gc_tuning.py)
