"""Generation limits: per browser and per address, in process or shared through a real Redis."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest
import redis
from limits.aio.storage import MemoryStorage

from recipe_app.core import compat
from recipe_app.core.ratelimit import GenerationQuota, wait_text
from recipe_app.core.settings import Settings


async def test_the_sixth_generation_in_a_minute_is_refused_with_the_wait(configure: Callable[..., Settings]) -> None:
    quota = GenerationQuota(configure(RATE_LIMIT_PER_BROWSER="5/minute;50/day", RATE_LIMIT_PER_IP="100/minute"))
    assert [await quota.take("browser-a", "10.0.0.1") for _ in range(5)] == [None] * 5
    wait = await quota.take("browser-a", "10.0.0.1")
    assert wait is not None and 1 <= wait <= 60
    assert await quota.take("browser-b", "10.0.0.1") is None  # another browser has its own budget


async def test_an_address_limit_holds_across_browsers(configure: Callable[..., Settings]) -> None:
    quota = GenerationQuota(configure(RATE_LIMIT_PER_BROWSER="5/minute", RATE_LIMIT_PER_IP="3/minute"))
    results = [await quota.take(f"browser-{i}", "10.0.0.9") for i in range(4)]
    assert results[:3] == [None] * 3 and results[3] is not None


async def test_a_refused_generation_does_not_use_up_other_budgets(configure: Callable[..., Settings]) -> None:
    quota = GenerationQuota(configure(RATE_LIMIT_PER_BROWSER="1/minute", RATE_LIMIT_PER_IP="3/minute"))
    assert await quota.take("b1", "ip") is None
    for _ in range(5):
        assert await quota.take("b1", "ip") is not None  # refused: must not charge the address
    assert await quota.take("b2", "ip") is None
    assert await quota.take("b3", "ip") is None
    assert await quota.take("b4", "ip") is not None


async def test_with_redis_the_limit_holds_across_workers(configure: Callable[..., Settings], redis_url: str) -> None:
    redis.Redis.from_url(redis_url).flushdb()
    settings = configure(REFLEX_REDIS_URL=redis_url, RATE_LIMIT_PER_BROWSER="4/minute", RATE_LIMIT_PER_IP="100/minute")
    worker_a, worker_b = GenerationQuota(settings), GenerationQuota(settings)  # two processes' views
    assert await worker_a.take("browser", "ip") is None
    assert await worker_b.take("browser", "ip") is None
    assert await worker_a.take("browser", "ip") is None
    assert await worker_b.take("browser", "ip") is None
    assert await worker_a.take("browser", "ip") is not None
    assert await worker_b.take("browser", "ip") is not None
    assert any(key.startswith(b"recipe_studio") for key in redis.Redis.from_url(redis_url).keys())


def test_waits_read_naturally() -> None:
    assert [wait_text(s) for s in (5, 89, 300, 7200)] == ["5 s", "89 s", "5 min", "2 h"]


async def test_tabs_pressing_generate_together_cannot_overrun_the_limit(configure: Callable[..., Settings]) -> None:
    quota = GenerationQuota(configure(RATE_LIMIT_PER_BROWSER="5/minute", RATE_LIMIT_PER_IP="100/minute"))
    results = await asyncio.gather(*(quota.take("browser", "10.0.0.1") for _ in range(30)))
    assert results.count(None) == 5


async def test_with_redis_workers_admitting_together_cannot_overrun_the_limit(
    configure: Callable[..., Settings], redis_url: str
) -> None:
    redis.Redis.from_url(redis_url).flushdb()
    settings = configure(REFLEX_REDIS_URL=redis_url, RATE_LIMIT_PER_BROWSER="4/minute", RATE_LIMIT_PER_IP="6/minute")
    workers = [GenerationQuota(settings) for _ in range(3)]  # three processes' views of one Redis
    try:
        results = await asyncio.gather(*(workers[i % 3].take("browser-a", "ip") for i in range(24)))
        assert results.count(None) == 4
        others = await asyncio.gather(*(workers[i % 3].take(f"browser-{i}", "ip") for i in range(10)))
        assert others.count(None) == 2  # the address had 6: 4 went to browser-a, refusals cost nothing
    finally:
        for worker in workers:
            await worker.aclose()
    keys = b" ".join(redis.Redis.from_url(redis_url).keys())
    assert b"browser-a" not in keys and b"quota-lock" not in keys  # ids hashed; every lock released


async def test_admitting_hands_no_work_to_threads_however_many_browsers_the_limits_hold(
    configure: Callable[..., Settings], monkeypatch: pytest.MonkeyPatch
) -> None:
    # limits' own MemoryStorage hands every key to a thread on every hit: 300 browsers starting a
    # recipe together cost tens of thousands of thread hops, in the seconds the cooks wait for text.
    handed: list[object] = []
    real_to_thread = asyncio.to_thread

    async def counting_to_thread(func: Callable[..., object], /, *args: object, **kwargs: object) -> object:
        handed.append(func)
        return await real_to_thread(func, *args, **kwargs)

    monkeypatch.setattr(asyncio, "to_thread", counting_to_thread)
    quota = GenerationQuota(configure(RATE_LIMIT_PER_BROWSER="5/minute;50/day", RATE_LIMIT_PER_IP="1000/minute"))
    results = await asyncio.gather(*(quota.take(f"browser-{i}", "10.0.0.1") for i in range(300)))
    assert results == [None] * 300 and handed == []
    assert [await quota.take("browser-7", "10.0.0.1") for _ in range(5)][-1] is not None  # the windows still count


async def test_the_entries_of_browsers_whose_windows_passed_are_dropped(configure: Callable[..., Settings]) -> None:
    quota = GenerationQuota(configure(RATE_LIMIT_PER_BROWSER="1/minute", RATE_LIMIT_PER_IP="1000/minute"))
    for i in range(50):
        assert await quota.take(f"gone-{i}", "10.0.0.1") is None
    storage = quota._limiter.storage
    assert isinstance(storage, MemoryStorage) and len(storage.events) == 51  # 50 browsers and the address
    for events in storage.events.values():
        for entry in events:
            entry.expiry -= 120  # two minutes later: every window above has passed
    storage.next_expiry = 0.0  # and a minute since the last pass
    assert await quota.take("new", "10.0.0.1") is None
    assert len(storage.events) == 2  # the new browser and the address: memory does not grow with the day
    assert await quota.take("new", "10.0.0.1") is not None


async def test_without_the_lean_expiry_the_library_storage_still_limits(
    configure: Callable[..., Settings], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(compat, "_degraded", {})
    monkeypatch.delattr(MemoryStorage, "_MemoryStorage__schedule_expiry")  # a release that renamed the hook
    assert "limits_lean_expiry" in compat.probe_all()
    monkeypatch.undo()  # the library as installed again; the feature stays degraded for this process
    monkeypatch.setattr(compat, "_degraded", {"limits_lean_expiry": "renamed"})
    try:
        quota = GenerationQuota(configure(RATE_LIMIT_PER_BROWSER="2/minute", RATE_LIMIT_PER_IP="1000/minute"))
        assert type(quota._limiter.storage) is MemoryStorage
        assert [await quota.take("browser", "10.0.0.1") for _ in range(3)][2] is not None
    finally:
        monkeypatch.undo()
        compat.probe_all()  # the gauge back to what the installed library gives, for later tests


async def test_an_admission_that_cannot_get_its_turn_says_busy_not_limit_and_costs_nothing(
    configure: Callable[..., Settings], redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Cooks behind one proxy share an address: under load their admissions queue on its lock. One
    that waits too long is told the studio is busy (no countdown), and is charged nothing."""
    from recipe_app.core import ratelimit
    from recipe_app.generation.session import BUSY_MESSAGE, admit

    redis.Redis.from_url(redis_url).flushdb()
    settings = configure(REFLEX_REDIS_URL=redis_url, RATE_LIMIT_PER_BROWSER="2/minute", RATE_LIMIT_PER_IP="100/minute")
    monkeypatch.setattr(ratelimit, "LOCK_WAIT_S", 0.2)
    stuck = redis.Redis.from_url(redis_url).lock(f"{ratelimit.KEY_PREFIX}:quota-lock:ip:10.0.0.7", timeout=30)
    assert stuck.acquire(blocking=False)  # another worker's admission of the same address, stuck
    try:
        assert await admit(settings, "cook", "10.0.0.7") == BUSY_MESSAGE
    finally:
        stuck.release()
    first, second, third = [await admit(settings, "cook", "10.0.0.7") for _ in range(3)]
    assert first == second == "" and third.startswith("You have reached the recipe limit")  # both still there
    await ratelimit.get_quota(settings).aclose()


async def test_cooks_behind_one_address_wait_their_turn_in_the_worker_not_by_polling_redis(
    configure: Callable[..., Settings], redis_url: str
) -> None:
    """A burst from one address (an office, a proxy) is admitted in turn: the worker asks Redis for
    the address's lock once and passes it on, instead of every waiter asking ten times a second."""
    from recipe_app.core import ratelimit

    server = redis.Redis.from_url(redis_url)
    server.flushdb()
    settings = configure(REFLEX_REDIS_URL=redis_url, RATE_LIMIT_PER_BROWSER="5/minute", RATE_LIMIT_PER_IP="1000/minute")
    quota = ratelimit.GenerationQuota(settings)
    cooks = 40

    def lock_requests() -> int:  # redis-py asks for a lock with SET NX
        return int(server.info("commandstats").get("cmdstat_set", {}).get("calls", 0))

    try:
        before = lock_requests()
        results = await asyncio.gather(*(quota.take(f"cook-{i}", "203.0.113.5") for i in range(cooks)))
        asked = lock_requests() - before
    finally:
        await quota.aclose()
    assert results == [None] * cooks  # every cook admitted, none told the studio is busy
    assert asked == cooks + 1  # each browser's lock, and the address's once
    assert not quota._queues  # nothing left waiting in the worker
    assert not server.keys(b"*quota-lock*")


async def test_a_tab_closed_in_the_middle_of_its_admission_leaves_the_address_to_the_next_cooks(
    configure: Callable[..., Settings], redis_url: str
) -> None:
    """The admission holding the address's turn is cancelled (its tab closed): the cooks queued
    behind it are admitted, and no lock is left in the worker or in Redis."""
    from recipe_app.core import ratelimit

    server = redis.Redis.from_url(redis_url)
    server.flushdb()
    settings = configure(REFLEX_REDIS_URL=redis_url, RATE_LIMIT_PER_BROWSER="5/minute", RATE_LIMIT_PER_IP="1000/minute")
    quota = ratelimit.GenerationQuota(settings)
    holding = asyncio.Event()
    real_test, calls = quota._limiter.test, 0

    async def test(*args: object) -> bool:
        nonlocal calls
        calls += 1
        if calls == 1:  # the first admission's windows never answer: its tab closes meanwhile
            holding.set()
            await asyncio.Event().wait()
        return await real_test(*args)

    quota._limiter.test = test  # type: ignore[method-assign]
    try:
        closing = asyncio.create_task(quota.take("closing-tab", "203.0.113.7"))
        await asyncio.wait_for(holding.wait(), 10)
        queued = [asyncio.create_task(quota.take(f"cook-{i}", "203.0.113.7")) for i in range(3)]
        closing.cancel()
        assert await asyncio.wait_for(asyncio.gather(*queued), 10) == [None, None, None]
        with pytest.raises(asyncio.CancelledError):
            await closing
    finally:
        await quota.aclose()
    assert not quota._queues
    assert not server.keys(b"*quota-lock*")
