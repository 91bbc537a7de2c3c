"""Which worker runs a tab's generation, shared through Redis so another worker can tell it died.

A running generation holds a lease: a Redis key per tab with its run id, refreshed every
:data:`RENEW_S` and expiring after :data:`TTL_S`. A worker that dies stops refreshing, so within a few
seconds any worker can see that the tab's generation has no owner and end it as interrupted.
Without Redis there is one process, and the run registry alone answers the question.
"""

from __future__ import annotations

import asyncio
import logging
import time

from redis.asyncio import Redis

from recipe_app.core.loopcache import per_loop
from recipe_app.core.settings import Settings

logger = logging.getLogger("recipe_app.generation")

TTL_S = 6.0
RENEW_S = 1.0  # the watchdog's poll: a lease is refreshed on each of its rounds

_PREFIX = "recipe:run:"
_STOP_PREFIX = "recipe:stop:"


def _client(settings: Settings) -> Redis:
    return per_loop("lease-redis", settings, lambda s: Redis.from_url(str(s.redis_url)))


async def hold(settings: Settings, token: str, run_id: str) -> None:
    """Take or refresh the lease of ``token``'s generation ``run_id`` for :data:`TTL_S` seconds."""
    if settings.redis_url:
        await _client(settings).set(_PREFIX + token, run_id, px=int(TTL_S * 1000))


async def release(settings: Settings, token: str, run_id: str) -> None:
    """Drop the lease if it is still this run's (a newer run of the tab keeps its own)."""
    if not settings.redis_url:
        return
    client = _client(settings)
    if (await client.get(_PREFIX + token)) == run_id.encode():
        await client.delete(_PREFIX + token)


async def alive(settings: Settings, token: str, run_id: str | None = None) -> bool:
    """Whether some worker still runs ``token``'s generation ``run_id`` (any run of it: None)."""
    if not settings.redis_url:
        return False
    held = await _client(settings).get(_PREFIX + token)
    return held is not None and (run_id is None or held == run_id.encode())


async def request_stop(settings: Settings, token: str, run_id: str) -> None:
    """Ask the worker running ``run_id`` to stop it (its watchdog reads this on its next round)."""
    if settings.redis_url:
        await _client(settings).set(_STOP_PREFIX + token, run_id, px=int(TTL_S * 1000))


async def hold_and_check_stop(settings: Settings, token: str, run_id: str) -> bool:
    """Refresh the lease and tell whether a Stop for ``run_id`` was asked through another worker."""
    if not settings.redis_url:
        return False
    async with _client(settings).pipeline(transaction=False) as pipe:
        pipe.set(_PREFIX + token, run_id, px=int(TTL_S * 1000))
        pipe.get(_STOP_PREFIX + token)
        _, stop = await pipe.execute()
    return stop == run_id.encode()


async def wait_released(settings: Settings, token: str, run_id: str) -> None:
    """Wait until the lease of ``run_id`` is gone: released by its worker, or expired (at most :data:`TTL_S`)."""
    deadline = time.monotonic() + TTL_S + RENEW_S
    while time.monotonic() < deadline and await alive(settings, token, run_id):
        await asyncio.sleep(0.2)
