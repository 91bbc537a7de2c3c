"""Is a browser tab still there? Used to stop paying for generations nobody will read.

Asks Reflex's token manager, which with Redis also knows tabs connected to other workers. A reload
keeps the tab's token, so a tab that comes back within the grace period keeps its generation.
"""

from __future__ import annotations

import asyncio
import time

from reflex_base.registry import RegistrationContext

POLL_S = 1.0


async def tab_connected(token: str) -> bool:
    """True while the tab with this client token has a live websocket (or nothing can tell)."""
    try:
        namespace = RegistrationContext.get().app.event_namespace
    except Exception:  # noqa: BLE001 - no running app (scripts, unit tests): assume present
        return True
    if namespace is None:
        return True
    # Private API of Reflex 0.10 (pinned): the token manager behind the websocket namespace.
    return await namespace._token_manager.is_token_connected(token)


async def wait_until_gone(token: str, grace_s: float) -> None:
    """Return once the tab has been disconnected for ``grace_s`` seconds without coming back."""
    gone_since: float | None = None
    while True:
        await asyncio.sleep(POLL_S)
        if await tab_connected(token):
            gone_since = None
        elif gone_since is None:
            gone_since = time.monotonic()
        elif time.monotonic() - gone_since >= grace_s:
            return
