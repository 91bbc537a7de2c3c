"""Limits that protect the operator's bill: generations per browser and per address.

Counters live in Redis when it is configured (so they hold across workers), otherwise in process.
Moving windows from the `limits` library: "5/minute;50/day" means at most 5 in any 60 s and 50 in
any 24 h.

Taking one generation is atomic: every window of the browser and of the address is tested, and
only if all allow it are they all hit, with no other admission of the same browser or address in
between (one asyncio lock in process; with Redis, redis-py locks on the browser's and the
address's keys, taken in a fixed order, each asked for by one admission of a process at a time).
So two tabs pressing Generate together cannot both pass the last slot, and a refused generation
uses up no budget. Browser ids are stored hashed: the id is the key to a browser's library.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import math
import time
from collections.abc import AsyncIterator
from typing import Any

from limits import RateLimitItem, parse_many
from limits.aio.storage import RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter

from recipe_app.core import compat
from recipe_app.core.loopcache import per_loop
from recipe_app.core.settings import Settings

KEY_PREFIX = "recipe_studio"
#: Longest a worker may hold an admission lock (a crashed worker's lock expires after this).
LOCK_TIMEOUT_S = 5.0
#: Longest an admission waits for another admission of the same browser or address.
LOCK_WAIT_S = 5.0


class QuotaBusy(Exception):
    """Another admission of the same browser or address held its lock for longer than LOCK_WAIT_S.

    No limit was reached: the cook is told the studio is busy, not that they used up their quota.
    Cooks behind one proxy share one address, so under load their admissions queue on its lock.
    """


class _Queue:
    """This process's admissions of one Redis lock: their turn, how many there are, the lock held."""

    __slots__ = ("held", "lock", "since", "users")

    def __init__(self) -> None:
        self.lock = asyncio.Lock()
        self.users = 0
        self.held: Any = None  # the Redis lock, while this process holds it
        self.since = 0.0  # when it was taken


def _hashed(value: str) -> str:
    return hashlib.sha256(f"{KEY_PREFIX}:{value}".encode()).hexdigest()[:32]


class GenerationQuota:
    """Checks and consumes one generation for a browser and an address, atomically."""

    def __init__(self, settings: Settings, kind: str = "recipe") -> None:
        self._redis = None
        # Questions, swaps and pictures have their own windows (and keys) besides the recipes'.
        own = kind != "recipe"
        per_browser = settings.rate_limit_questions_per_browser if own else settings.rate_limit_per_browser
        per_ip = settings.rate_limit_questions_per_ip if own else settings.rate_limit_per_ip
        self._prefix = f"{kind}:" if own else ""
        if settings.redis_url:
            import redis.asyncio as aioredis

            storage: Storage = RedisStorage(settings.redis_url, implementation="redispy", key_prefix=KEY_PREFIX)
            self._redis = aioredis.from_url(settings.redis_url, socket_connect_timeout=2, socket_timeout=5)
        else:
            storage = compat.memory_limit_storage()  # limits' MemoryStorage, expiring once a minute
        self._local = asyncio.Lock()
        self._queues: dict[str, _Queue] = {}  # with Redis: this process's admissions waiting per lock
        self._limiter = MovingWindowRateLimiter(storage)
        self._rules: list[tuple[str, RateLimitItem]] = [
            *(("browser", item) for item in parse_many(per_browser)),
            *(("ip", item) for item in parse_many(per_ip)),
        ]

    @contextlib.asynccontextmanager
    async def _exclusive(self, keys: dict[str, str]) -> AsyncIterator[bool]:
        """No other admission of these keys runs meanwhile; yields False if that could not be had in time."""
        if self._redis is None:
            async with self._local:
                yield True
            return
        deadline = asyncio.get_running_loop().time() + LOCK_WAIT_S
        async with contextlib.AsyncExitStack() as held:
            for scope, ident in sorted(keys.items()):  # a fixed order: no two admissions wait on each other
                turn = self._turn(f"{KEY_PREFIX}:quota-lock:{scope}:{ident}", deadline)
                if not await held.enter_async_context(turn):
                    yield False
                    return
            yield True

    @contextlib.asynccontextmanager
    async def _turn(self, name: str, deadline: float) -> AsyncIterator[bool]:
        """The Redis lock ``name`` (True), or False once ``deadline`` passed.

        The admissions of this process wait for it in a queue of their own (one asyncio lock per
        name), and the lock passes from one to the next without going back to Redis while it is
        young (under half its timeout): a burst of cooks behind one address costs the worker two
        round trips per admission (its windows), not four, and no polling. Without the queue every
        waiter asked Redis ten times a second (860 lock requests for a burst of 40), and the lock
        went to whichever poll came first. Another worker's admission gets the lock when this
        worker's queue is empty or the lock has been held for half its timeout.
        """
        queue = self._queues.get(name)
        if queue is None:
            queue = self._queues[name] = _Queue()
        queue.users += 1
        loop = asyncio.get_running_loop()
        try:
            try:
                async with asyncio.timeout_at(deadline):
                    await queue.lock.acquire()
            except TimeoutError:
                yield False
                return
            try:
                if queue.held is None:
                    lock = self._redis.lock(name, timeout=LOCK_TIMEOUT_S,
                                            blocking_timeout=max(0.0, deadline - loop.time()))
                    if not await lock.acquire():
                        yield False
                        return
                    queue.held, queue.since = lock, loop.time()
                yield True
            finally:
                try:
                    old = loop.time() - queue.since > LOCK_TIMEOUT_S / 2
                    if queue.held is not None and (queue.users <= 1 or old):
                        held, queue.held = queue.held, None
                        with contextlib.suppress(Exception):  # expired meanwhile: nothing to release
                            await held.release()
                finally:
                    queue.lock.release()  # even when cancelled in the release: the next one's turn
        finally:
            queue.users -= 1
            if not queue.users:
                del self._queues[name]

    async def take(self, browser_id: str, ip: str) -> float | None:
        """Consume one generation; None when allowed, else the seconds until one is allowed again.

        Raises :class:`QuotaBusy` when the admission could not be had in time (nothing is consumed).
        """
        keys = {"browser": self._prefix + _hashed(browser_id), "ip": self._prefix + (ip or "unknown")}
        async with self._exclusive(keys) as exclusive:
            if not exclusive:
                raise QuotaBusy(f"no admission lock within {LOCK_WAIT_S:g} s")
            # The windows are asked together (with Redis: one round trip's wait for all, not one each),
            # while the lock is held: the next admission of this address waits for that time.
            allowed = await asyncio.gather(
                *(self._limiter.test(item, scope, keys[scope]) for scope, item in self._rules))
            if not all(allowed):
                refused = [(scope, item) for (scope, item), ok in zip(self._rules, allowed) if not ok]
                stats = await asyncio.gather(*(self._limiter.get_window_stats(item, scope, keys[scope])
                                               for scope, item in refused))
                wait = max(s.reset_time - time.time() for s in stats)
                return float(max(1, math.ceil(wait)))
            await asyncio.gather(*(self._limiter.hit(item, scope, keys[scope]) for scope, item in self._rules))
            return None

    async def aclose(self) -> None:
        """Close the lock connection (the limiter's own pool closes with its loop)."""
        if self._redis is not None:
            await self._redis.aclose()


def get_quota(settings: Settings, kind: str = "recipe") -> GenerationQuota:
    """The quota of ``kind`` ("recipe", or "question" for questions, swaps and pictures) on the
    running event loop (its Redis connections are bound to that loop)."""
    if kind == "recipe":
        return per_loop("quota", settings, GenerationQuota)
    return per_loop(f"quota-{kind}", settings, lambda s: GenerationQuota(s, kind))


def wait_text(seconds: float) -> str:
    """'42 s', '3 min', '5 h' for a wait."""
    if seconds < 90:
        return f"{int(seconds)} s"
    if seconds < 90 * 60:
        return f"{math.ceil(seconds / 60)} min"
    return f"{math.ceil(seconds / 3600)} h"
