"""The naive streaming pattern, as a separate tiny Reflex app (benchmark baseline, not the product)."""

import reflex as rx
from reflex_base.plugins.sitemap import SitemapPlugin

config = rx.Config(app_name="naive_app", telemetry_enabled=False, show_built_with_reflex=False,
                   disable_plugins=[SitemapPlugin])
