"""Reflex's disk state manager, scanned for expired tab states once a minute instead of every 2 s.

Without Redis, Reflex keeps each tab's state in memory and writes it to ``.states/`` (one pickle per
tab and substate), so a restarted server still knows what each tab showed. While any state is
waiting to be written, its write loop runs every 2 s, and each pass also ``stat()``s *every* state
file to delete the ones older than the token expiry (an hour by default). That scan grows with
every tab seen in the last hour: in the capacity benchmark, after 300 tabs, it was 90 % of the
manager's cost and about a fifth of the server's CPU (bench/BENCHMARKS.md).

Files expire after an hour, so checking them once a minute removes them at most a minute later.
The writes themselves are left as they are. This wraps a private method of Reflex, reached through
web/compat.py (when it moves, Reflex's own scan stays and the feature is reported degraded); a test
checks that expired files are still removed.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from typing import Any

from recipe_app.web.compat import disk_purge_method, set_disk_purge_method

#: Seconds between two scans of the state directory for expired states.
PURGE_INTERVAL_S = 60.0

_last_scan: dict[int, float] = {}


def throttle_purge(interval_s: float = PURGE_INTERVAL_S) -> None:
    """Let each disk state manager scan for expired state files at most once per ``interval_s``."""
    original: Callable[[Any], None] | None = disk_purge_method()
    if original is None:
        return  # Reflex's own scan every 2 s; reported degraded

    @functools.wraps(original)
    def purge(self: Any) -> None:
        now = time.monotonic()
        last = _last_scan.get(id(self))
        if last is not None and now - last < interval_s:
            return
        _last_scan[id(self)] = now
        original(self)

    set_disk_purge_method(purge)
