"""The reaches into Reflex's internals, each with its public fallback and a start-up probe.

Same contract as :mod:`recipe_app.core.compat` (which holds the registry, the
``recipe_compat_degraded`` gauge and the reaches into aiohttp, httpx2 and uvicorn): core/ may not
import Reflex, so these live here and register their probes there. Importing this module
registers them; ``recipe_app.py`` imports it before running :func:`recipe_app.core.compat.probe_all`.

* ``reflex_token_manager``: ``EventNamespace._token_manager.is_token_connected`` tells whether a
  tab is still connected (with Redis, on any worker). No public fallback exists: a broken reach
  *raises* :class:`CompatError`, and the caller decides what is safe (web/presence.py).
* ``reflex_disk_state_purge``: ``StateManagerDisk._purge_expired_states`` is throttled to once a
  minute (web/statefiles.py). Fallback: Reflex's own scan every 2 s (more CPU, same result).
* ``reflex_direct_delta``: a streaming card update is sent with ``EventContext.emit_delta`` (what
  Reflex's background-task proxy calls on leaving ``async with self``) without taking the state lock
  (:func:`delta_sender`). Fallback: the lock is taken for every update, as Reflex's docs describe.
* ``reflex_disconnect_log``: the warning Reflex's ``EventNamespace.emit_update`` logs for every
  update meant for a closed tab is let through once per tab (:class:`OncePerTab`). Fallback: the
  warning repeats for each update.
"""

from __future__ import annotations

import inspect
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any

from recipe_app.core.compat import CompatError, degrade, degraded, reach

#: Start of the warning Reflex logs (logger ``reflex.app``) for an update to a disconnected tab.
DISCONNECT_WARNING = "Attempting to send delta to disconnected client"
REFLEX_APP_LOGGER = "reflex.app"


def token_check(namespace: Any) -> Callable[[str], Awaitable[bool]]:
    """``is_token_connected`` of the namespace's token manager. Raises CompatError if it moved."""
    manager = getattr(namespace, "_token_manager", None)
    check = getattr(manager, "is_token_connected", None)
    if check is None or not callable(check):
        degrade("reflex_token_manager", "EventNamespace._token_manager.is_token_connected is missing")
        raise CompatError("Reflex's token manager cannot tell whether a tab is connected")
    return check


@reach("reflex_token_manager", "none: tab presence is unknown, generations of closed tabs are stopped")
def _probe_token_manager() -> None:
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    from reflex.app import EventNamespace
    from reflex.utils.token_manager import LocalTokenManager

    if "_token_manager" not in inspect.getsource(EventNamespace.__init__):
        raise CompatError("EventNamespace.__init__ no longer sets _token_manager")
    namespace = type("Namespace", (), {"_token_manager": LocalTokenManager()})()
    check = token_check(namespace)

    async def exercise() -> tuple[bool, bool]:
        await namespace._token_manager.link_token_to_sid("probe-token", "probe-sid")
        linked = await check("probe-token")
        return linked, await check("other-token")

    with ThreadPoolExecutor(1) as pool:  # its own loop, also when called from a running one
        result = pool.submit(asyncio.run, exercise()).result()
    if result != (True, False):
        raise CompatError("is_token_connected does not tell a linked token from an unknown one")


def disk_purge_method() -> Callable[[Any], None] | None:
    """Reflex's ``StateManagerDisk._purge_expired_states`` (unwrapped), or None if it moved."""
    from reflex.istate.manager.disk import StateManagerDisk

    method = getattr(StateManagerDisk, "_purge_expired_states", None)
    if method is None or not callable(method):
        degrade("reflex_disk_state_purge", "StateManagerDisk._purge_expired_states is missing")
        return None
    return getattr(method, "__wrapped__", method)


def set_disk_purge_method(method: Callable[[Any], None]) -> None:
    """Install ``method`` as the disk state manager's expired-state scan."""
    from reflex.istate.manager.disk import StateManagerDisk

    StateManagerDisk._purge_expired_states = method  # type: ignore[method-assign]


@reach("reflex_disk_state_purge", "Reflex scans every state file every 2 s (more CPU with many tabs)")
def _probe_disk_purge() -> None:
    from reflex.istate.manager.disk import StateManagerDisk

    method = disk_purge_method()
    if method is None:
        raise CompatError("StateManagerDisk._purge_expired_states is missing")
    if list(inspect.signature(method).parameters) != ["self"]:
        raise CompatError("StateManagerDisk._purge_expired_states takes other arguments now")
    if "_purge_expired_states" not in inspect.getsource(StateManagerDisk):
        raise CompatError("StateManagerDisk no longer calls _purge_expired_states")


#: A sender of one tab's view-only delta: changed values, each under a key of the sender's ``names``.
DeltaSender = Callable[[dict[str, Any]], Awaitable[None]]


def delta_sender(state_cls: Any, names: dict[str, str]) -> DeltaSender | None:
    """Send the tab's changed vars of ``state_cls`` to its browser without the state lock, or None.

    ``names`` maps each key the sender will be given to the var it sets (a card field to its var).
    Inside a background task, ``EventContext.get().emit_delta`` is what Reflex's own proxy calls on
    leaving ``async with self``, with ``{state's full name: {var + FIELD_MARKER: value}}``. The
    streaming card sends most of its updates this way (pages/studio/state.py). None, and the feature
    degraded, when the reach is gone: the caller then takes the lock for every update, as before.
    """
    if "reflex_direct_delta" in degraded():  # its start-up probe failed: Reflex keys deltas otherwise
        return None
    try:
        from reflex_base.constants.state import FIELD_MARKER
        from reflex_base.event.context import EventContext

        emit = EventContext.get().emit_delta
    except (ImportError, AttributeError, LookupError) as exc:
        degrade("reflex_direct_delta", f"no event context to emit a delta from: {exc}")
        return None
    full_name = state_cls.get_full_name()
    keys = {key: var + FIELD_MARKER for key, var in names.items()}  # once, not per update

    async def send(values: dict[str, Any]) -> None:
        await emit({full_name: {keys[key]: value for key, value in values.items()}})

    return send


@reach("reflex_direct_delta", "every streaming update takes the tab's state lock (more CPU per update)")
def _probe_direct_delta() -> None:
    from reflex.state import State
    from reflex_base.constants.state import FIELD_MARKER
    from reflex_base.event.context import EventContext

    if "delta" not in inspect.signature(EventContext.emit_delta).parameters:
        raise CompatError("EventContext.emit_delta no longer takes a delta")
    # Reflex's own delta for a changed var has the shape the sender builds.
    state = State(_reflex_internal_init=True)
    state.is_hydrated = True
    delta = state.get_delta().get(State.get_full_name(), {})
    if delta.get("is_hydrated" + FIELD_MARKER) is not True:
        raise CompatError(f"Reflex's delta for a changed var is keyed otherwise: {sorted(delta)[:5]}")


class OncePerTab(logging.Filter):
    """Lets Reflex's "send delta to disconnected client 'token'" through once per token."""

    def __init__(self, remember: int = 10_000) -> None:
        super().__init__()
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._remember = remember

    def filter(self, record: logging.LogRecord) -> bool:
        """False for a repeat of a disconnected tab's warning; True for anything else."""
        if not isinstance(record.msg, str) or not record.msg.startswith(DISCONNECT_WARNING):
            return True
        message = record.getMessage()  # the warning names the tab's token
        if message in self._seen:
            self._seen.move_to_end(message)
            return False
        self._seen[message] = None
        if len(self._seen) > self._remember:
            self._seen.popitem(last=False)
        return True


def quiet_disconnect_warnings() -> OncePerTab:
    """Install :class:`OncePerTab` on Reflex's app logger (once); returns it."""
    logger = logging.getLogger(REFLEX_APP_LOGGER)
    for existing in logger.filters:
        if isinstance(existing, OncePerTab):
            return existing
    installed = OncePerTab()
    logger.addFilter(installed)
    return installed


@reach("reflex_disconnect_log", "one warning per update sent to a closed tab")
def _probe_disconnect_log() -> None:
    import reflex.app

    if getattr(reflex.app, "logger", None) is None or reflex.app.logger.name != REFLEX_APP_LOGGER:
        raise CompatError(f"reflex.app no longer logs through the {REFLEX_APP_LOGGER!r} logger")
    if DISCONNECT_WARNING not in inspect.getsource(reflex.app.EventNamespace.emit_update):
        raise CompatError("EventNamespace.emit_update no longer logs the disconnected-client warning")
