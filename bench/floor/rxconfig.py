"""The floor design: the smallest Reflex app doing per update what Recipe Studio must (benchmark only).

Served like the app: gunicorn + uvicorn on uvloop with the app's lean permessage-deflate worker, so
the two differ only in what each card update does.
"""

import os

import reflex as rx
from reflex_base.plugins.sitemap import SitemapPlugin

os.environ.setdefault("REFLEX_USE_GRANIAN", "0")
os.environ.setdefault("REFLEX_STATE_MANAGER_DISK_DEBOUNCE", "10s")  # the app's disk write debounce
os.environ.setdefault("REFLEX_OPLOCK_ENABLED", "1")  # the app's Redis setting: a worker keeps a held state in memory
os.environ["GUNICORN_CMD_ARGS"] = (os.environ.get("GUNICORN_CMD_ARGS", "")
                                   + " --worker-class recipe_app.web.server.Worker").strip()

config = rx.Config(app_name="floor_app", telemetry_enabled=False, show_built_with_reflex=False,
                   disable_plugins=[SitemapPlugin])
