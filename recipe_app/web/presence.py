"""Is a browser tab still there? Used to stop paying for generations nobody will read.

Asks Reflex's token manager, which with Redis also knows tabs connected to other workers. A reload
keeps the tab's token, so a tab that comes back within the grace period keeps its generation.

That is a private reach (web/compat.py): when it breaks, :func:`tab_connected` raises
:class:`~recipe_app.core.compat.CompatError` instead of guessing, so the caller can apply the safe
behaviour (a presence check that cannot run never means "keep billing forever").
"""

from __future__ import annotations

from reflex_base.registry import RegistrationContext

from recipe_app.web.compat import token_check


async def tab_connected(token: str) -> bool:
    """True while the tab with this client token has a live websocket; True without a running app.

    Raises CompatError when Reflex's token manager moved (the feature is reported degraded).
    """
    try:
        namespace = RegistrationContext.get().app.event_namespace
    except Exception:  # noqa: BLE001 - no running app (scripts, unit tests): assume present
        return True
    if namespace is None:
        return True
    return await token_check(namespace)(token)
