"""Every reach into a third-party library's internals, in one place, each with its public fallback.

The app uses a few private attributes because the public API costs CPU or loses data (see each
function). A newer library version can move them; nothing here may then fail silently:

* each reach is one function below, which falls back to public behaviour when the attribute is gone;
* each has a *probe* that exercises the private attribute on a real object of the library;
  :func:`probe_all` runs every probe once at start-up (recipe_app.py);
* a failed probe, or a fallback taken at run time, marks its feature *degraded*: one WARNING line
  (once per process), ``recipe_compat_degraded{feature="..."} 1`` in ``/metrics`` and the feature
  listed in an authenticated ``/ready``.

Layers: core/ imports no Reflex, so the reaches into Reflex (token manager, disk state manager,
its disconnect warning) live in ``recipe_app/web/compat.py`` and register their probes here with
:func:`reach`: one registry, one gauge, whichever layer the reach belongs to.

``scripts/check-latest`` installs the newest versions requirements.txt allows in a scratch venv and
runs :func:`probe_all` there, so a maintainer knows before raising an upper bound.
"""

from __future__ import annotations

import asyncio
import bisect
import functools
import inspect
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from prometheus_client import Gauge

logger = logging.getLogger(__name__)

DEGRADED = Gauge(
    "recipe_compat_degraded",
    "1 when a reach into a library's internals failed and its public fallback is in use.",
    ["feature"],
    multiprocess_mode="max",
)


class CompatError(RuntimeError):
    """A private attribute the app relies on is missing or behaves differently."""


@dataclass(frozen=True)
class Reach:
    """One private reach: what it is for, what happens without it, and how to test it."""

    feature: str
    fallback: str
    probe: Callable[[], None]


_reaches: dict[str, Reach] = {}
_degraded: dict[str, str] = {}


def reach(feature: str, fallback: str) -> Callable[[Callable[[], None]], Callable[[], None]]:
    """Register ``probe`` (raises when the reach is broken) under ``feature``."""

    def register(probe: Callable[[], None]) -> Callable[[], None]:
        _reaches[feature] = Reach(feature, fallback, probe)
        return probe

    return register


def degrade(feature: str, reason: str) -> None:
    """Mark ``feature`` as running on its fallback: one WARNING line per process, and the gauge."""
    DEGRADED.labels(feature=feature).set(1)
    if feature in _degraded:
        return
    _degraded[feature] = reason
    fallback = _reaches[feature].fallback if feature in _reaches else "public fallback"
    logger.warning("compatibility: %s degraded (%s); using the fallback: %s", feature, reason, fallback)


def degraded() -> dict[str, str]:
    """Features on their fallback, with the reason: empty when every reach works."""
    return dict(_degraded)


def probe_all() -> dict[str, str]:
    """Run every registered probe once; returns :func:`degraded`."""
    for item in list(_reaches.values()):
        try:
            item.probe()
        except Exception as exc:  # noqa: BLE001 - any failure of a probe is a degraded feature
            degrade(item.feature, f"{type(exc).__name__}: {exc}")
        else:
            if item.feature not in _degraded:
                DEGRADED.labels(feature=item.feature).set(0)
    return degraded()


def features() -> list[str]:
    """Names of every registered reach."""
    return sorted(_reaches)


# --- aiohttp under the openai SDK: reading the body in bulk ----------------------------------------


def aiohttp_body(http_response: Any) -> Any | None:
    """aiohttp's StreamReader under the SDK's httpx2 response, or None to read line by line.

    Why: reading aiohttp's buffer in bulk on the flush clock costs one wake-up per card update
    instead of one per token (bench/reader.py). Reaches: httpx2's ``BoundAsyncStream._stream`` and
    the SDK's vendored ``AiohttpResponseStream._aiohttp_response``. Fallback: None (per-line
    ``iter_lines``, correct but about twice the CPU); taken silently only for the httpx transport,
    whose streams never had an aiohttp response.
    """
    import aiohttp

    inner = getattr(http_response.stream, "_stream", None)
    if inner is None:
        degrade("aiohttp_bulk_read", "httpx2 response stream has no _stream")
        return None
    aio = getattr(inner, "_aiohttp_response", None)
    if aio is None:
        if type(inner).__name__ == "AiohttpResponseStream":
            degrade("aiohttp_bulk_read", "AiohttpResponseStream has no _aiohttp_response")
        return None  # the httpx transport: nothing to read in bulk
    if not isinstance(aio, aiohttp.ClientResponse):
        degrade("aiohttp_bulk_read", f"_aiohttp_response is a {type(aio).__name__}")
        return None
    if http_response.headers.get("content-encoding", "identity").lower() != "identity":
        return None  # compressed: the transport does not decode, httpx's decoders must
    return aio.content


@reach("aiohttp_bulk_read", "per-line reading through the SDK (about twice the CPU per chunk)")
def _probe_aiohttp_bulk_read() -> None:
    import aiohttp
    import httpx2
    from httpx2._client import BoundAsyncStream
    from openai._vendor.httpx_aiohttp.transport import AiohttpResponseStream

    response = object.__new__(aiohttp.ClientResponse)  # never sent: only the wrapping is checked
    stream = BoundAsyncStream(AiohttpResponseStream(response), 0.0)
    http_response = httpx2.Response(200, stream=stream)
    found = getattr(getattr(http_response.stream, "_stream", None), "_aiohttp_response", None)
    if found is not response:
        raise CompatError("Response.stream._stream._aiohttp_response does not lead to the aiohttp response")


# --- aiohttp: the bytes that arrived before a failure -----------------------------------------------


def salvage(body: Any) -> bytes:
    """The bytes aiohttp had buffered, unread, when the connection failed (it raises instead).

    Why: text that reached us before a dropped connection is shown before the error. Reaches:
    ``StreamReader._buffer`` and ``_buffer_offset`` (the part of the first chunk already read).
    Fallback: b"" (those last bytes are lost; the feature is marked degraded).
    """
    buffer = getattr(body, "_buffer", None)
    offset = getattr(body, "_buffer_offset", None)
    if buffer is None or offset is None or not hasattr(buffer, "clear"):
        degrade("aiohttp_salvage", "StreamReader has no _buffer/_buffer_offset")
        return b""
    if not buffer:
        return b""
    data = b"".join(buffer)[offset:]
    buffer.clear()
    body._buffer_offset = 0
    if hasattr(body, "_size"):
        body._size = 0
    return data


@reach("aiohttp_salvage", "bytes buffered before a dropped connection are lost")
def _probe_aiohttp_salvage() -> None:
    import aiohttp

    class _Protocol:
        def pause_reading(self) -> None: ...

        def resume_reading(self) -> None: ...

    loop = asyncio.new_event_loop()
    try:
        body = aiohttp.StreamReader(_Protocol(), 2**16, loop=loop)  # type: ignore[arg-type]
        body.feed_data(b"data: one\n")
        body.feed_data(b"data: two\n")
        if body.read_nowait(6) != b"data: ":
            raise CompatError("StreamReader.read_nowait does not read a prefix")
        body.set_exception(aiohttp.ClientPayloadError("dropped"))
        if (got := salvage(body)) != b"one\ndata: two\n":
            raise CompatError(f"salvage returned {got!r}")
        if "aiohttp_salvage" in _degraded:
            raise CompatError(_degraded["aiohttp_salvage"])
    finally:
        loop.close()


# --- uvicorn: the websocket connection of its sans-I/O protocol -------------------------------------


def sansio_protocol() -> type | None:
    """uvicorn's websockets sans-I/O protocol class, or None (the worker then uses uvicorn's default)."""
    try:
        from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
    except ImportError as exc:
        degrade("uvicorn_lean_deflate", f"ImportError: {exc}")
        return None
    return WebSocketsSansIOProtocol


def replace_connection(protocol: Any, build: Callable[[Any], Any]) -> bool:
    """Swap the websockets ``ServerProtocol`` uvicorn built (``protocol.conn``) for ``build(old)``.

    Why: uvicorn offers no setting for the deflate windows, and its 4 KB windows cost each open tab
    about 30 KB more (recipe_app/web/server.py). Fallback: uvicorn's own connection (False).
    """
    from websockets.server import ServerProtocol

    old = getattr(protocol, "conn", None)
    if not isinstance(old, ServerProtocol):
        degrade("uvicorn_lean_deflate", f"protocol.conn is a {type(old).__name__}, not a ServerProtocol")
        return False
    protocol.conn = build(old)
    return True


@reach("uvicorn_lean_deflate", "uvicorn's default deflate windows (about 30 KB more per open tab)")
def _probe_uvicorn_lean_deflate() -> None:
    from uvicorn.config import Config
    from uvicorn.server import ServerState

    cls = sansio_protocol()
    if cls is None:
        raise CompatError(_degraded.get("uvicorn_lean_deflate", "no sans-I/O protocol"))

    async def app(scope: Any, receive: Any, send: Any) -> None: ...

    loop = asyncio.new_event_loop()
    try:
        config = Config(app=app, ws_per_message_deflate=True, log_config=None)
        config.load()
        protocol = cls(config=config, server_state=ServerState(), app_state={}, _loop=loop)
        swapped: list[Any] = []
        if not replace_connection(protocol, lambda old: swapped.append(old) or old) or not swapped:
            raise CompatError(_degraded.get("uvicorn_lean_deflate", "connection not replaced"))
    finally:
        loop.close()


# --- limits: expiring the in-process moving windows --------------------------------------------------

#: How often the in-process rate limits drop their expired entries. Only memory depends on it: a
#: window's answer reads the entries' times, never whether old ones were dropped yet.
LIMITS_EXPIRY_EVERY_S = 60.0


@functools.lru_cache(maxsize=1)
def _lean_limit_storage_class() -> type:
    from limits.aio.storage import MemoryStorage

    class LeanMemoryStorage(MemoryStorage):  # type: ignore[misc]
        """limits' in-process storage, dropping expired entries in the event loop once a minute."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.next_expiry = 0.0
            self.expiry_passes = 0

        # The hook every hit of the library awaits (``self.__schedule_expiry()`` inside MemoryStorage).
        async def _MemoryStorage__schedule_expiry(self) -> None:
            now = time.monotonic()
            if now >= self.next_expiry:
                self.next_expiry = now + LIMITS_EXPIRY_EVERY_S
                self.expire_now()

        def expire_now(self) -> None:
            """One pass over every key, with no await: no hit of the library can run in between."""
            self.expiry_passes += 1
            now = time.time()
            for key, events in list(self.events.items()):
                # Entries are newest first: the ones still in force come before the first expired one.
                kept = bisect.bisect_left(events, -now, key=lambda entry: -entry.expiry)
                del events[kept:]
                if not events:
                    self.events.pop(key, None)
                    self._drop_lock(key)
            for key, expiry in list(self.expirations.items()):
                if expiry <= now:
                    self.storage.pop(key, None)
                    self.expirations.pop(key, None)
                    self._drop_lock(key)

        def _drop_lock(self, key: str) -> None:
            lock = self.locks.get(key)
            if lock is not None and not lock.locked():
                self.locks.pop(key, None)

    return LeanMemoryStorage


def memory_limit_storage() -> Any:
    """The storage of the in-process rate limits (no Redis): limits' MemoryStorage, expiring lean.

    Why: the library's MemoryStorage starts an expiry pass on every hit that hands each key holding
    entries to a thread (``asyncio.to_thread``), one key after another. 250 browsers starting a
    recipe within 2 s cost 1.1 s of CPU that way (bench/BENCHMARKS.md), and since the 50/day window
    keeps a browser's entries for 24 h, every generation of a busy day would pass over all of that
    day's browsers. Here one pass a minute runs in the event loop. Reaches: the name-mangled hook
    ``MemoryStorage.__schedule_expiry`` and the ``events``, ``expirations``, ``storage`` and
    ``locks`` tables. Fallback: the library's own MemoryStorage (correct, at that CPU).
    """
    from limits.aio.storage import MemoryStorage

    if "limits_lean_expiry" in _degraded:
        return MemoryStorage()
    return _lean_limit_storage_class()()


@reach("limits_lean_expiry", "limits' own expiry: every hit hands each key with entries to a thread")
def _probe_limits_lean_expiry() -> None:
    from limits import parse
    from limits.aio.storage import MemoryStorage
    from limits.aio.storage.memory import Entry
    from limits.aio.strategies import MovingWindowRateLimiter

    if not inspect.iscoroutinefunction(getattr(MemoryStorage, "_MemoryStorage__schedule_expiry", None)):
        raise CompatError("MemoryStorage has no __schedule_expiry coroutine")
    storage = _lean_limit_storage_class()()

    async def exercise() -> None:
        limiter = MovingWindowRateLimiter(storage)
        item = parse("2/minute")
        if not (await limiter.hit(item, "probe") and await limiter.hit(item, "probe")):
            raise CompatError("a moving window refused its first two hits")
        if await limiter.hit(item, "probe"):
            raise CompatError("a moving window let a third hit through")
        if storage.expiry_passes != 1:
            raise CompatError(f"the expiry hook ran {storage.expiry_passes} times for three hits, not once")
        storage.events["gone"] = [Entry(-5)]  # an entry that expired 5 s ago
        storage.locks["gone"]
        storage.expire_now()
        if "gone" in storage.locks or [len(events) for events in storage.events.values()] != [2]:
            raise CompatError("the expiry pass did not drop exactly the expired entries")

    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:  # its own loop, also when probed from a running one
        pool.submit(asyncio.run, exercise()).result()
