"""Limits that protect the operator's bill: generations per browser and per address.

Counters live in Redis when it is configured (so they hold across workers), otherwise in process.
Moving windows from the `limits` library: "5/minute;50/day" means at most 5 in any 60 s and 50 in
any 24 h.
"""

from __future__ import annotations

import math
import time

from limits import RateLimitItem, parse_many
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter

from recipe_app.core.loopcache import per_loop
from recipe_app.core.settings import Settings


class GenerationQuota:
    """Checks and consumes one generation for a browser and an address."""

    def __init__(self, settings: Settings) -> None:
        storage: Storage = (
            RedisStorage(settings.redis_url, implementation="redispy", key_prefix="recipe_studio")
            if settings.redis_url
            else MemoryStorage()
        )
        self._limiter = MovingWindowRateLimiter(storage)
        self._rules: list[tuple[str, RateLimitItem]] = [
            *(("browser", item) for item in parse_many(settings.rate_limit_per_browser)),
            *(("ip", item) for item in parse_many(settings.rate_limit_per_ip)),
        ]

    async def take(self, browser_id: str, ip: str) -> float | None:
        """Consume one generation; None when allowed, else the seconds until one is allowed again."""
        keys = {"browser": browser_id, "ip": ip or "unknown"}
        wait = 0.0
        for scope, item in self._rules:
            if not await self._limiter.test(item, scope, keys[scope]):
                stats = await self._limiter.get_window_stats(item, scope, keys[scope])
                wait = max(wait, stats.reset_time - time.time())
        if wait > 0:
            return float(max(1, math.ceil(wait)))
        for scope, item in self._rules:
            await self._limiter.hit(item, scope, keys[scope])
        return None


def get_quota(settings: Settings) -> GenerationQuota:
    """The quota of the running event loop (its Redis connections are bound to that loop)."""
    return per_loop("quota", settings, GenerationQuota)


def wait_text(seconds: float) -> str:
    """'42 s', '3 min', '5 h' for a wait."""
    if seconds < 90:
        return f"{int(seconds)} s"
    if seconds < 90 * 60:
        return f"{math.ceil(seconds / 60)} min"
    return f"{math.ceil(seconds / 3600)} h"
