"""The Reflex app: pages and start-up. Nothing else lives here."""

from __future__ import annotations

import reflex as rx

from recipe_app.db.session import create_tables
from recipe_app.pages.studio import StudioState, studio_page

app = rx.App()
app.add_page(studio_page, route="/", title="Recipe Studio", on_load=StudioState.on_page_load)
app.register_lifespan_task(create_tables)
