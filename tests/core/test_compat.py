"""Private reaches into aiohttp, httpx2, uvicorn and limits: probed once, loud when broken, with a working fallback."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import aiohttp
import pytest
from openai._vendor.httpx_aiohttp import transport as sdk_transport
from prometheus_client import generate_latest
from uvicorn.config import Config
from uvicorn.protocols.websockets import websockets_sansio_impl
from uvicorn.server import ServerState

from recipe_app.core import compat
from recipe_app.core.settings import Settings
from recipe_app.domain.request import RecipeRequest
from recipe_app.llm.batching import Pace
from recipe_app.llm.client import get_client
from recipe_app.llm.stream import StreamMeta, stream_recipe_text
from recipe_app.web import compat as web_compat  # noqa: F401 - registers the Reflex reaches too
from tests.fake_openai import FakeOpenAI, Reply
from tests.recipes import RECIPE_TEXT


@pytest.fixture(autouse=True)
def fresh_registry(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each test starts with nothing degraded, and leaves the process's record as it was."""
    monkeypatch.setattr(compat, "_degraded", {})
    yield
    monkeypatch.undo()
    compat.probe_all()


def gauge(feature: str) -> float | None:
    text = generate_latest().decode()
    for line in text.splitlines():
        if line.startswith(f'recipe_compat_degraded{{feature="{feature}"}} '):
            return float(line.rsplit(" ", 1)[1])
    return None


def warnings_about(caplog: pytest.LogCaptureFixture, feature: str) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING and feature in r.getMessage()]


def rename_sdk_response_attribute(monkeypatch: pytest.MonkeyPatch) -> None:
    """The SDK's aiohttp stream as a release that renamed ``_aiohttp_response`` would ship it."""
    cls = sdk_transport.AiohttpResponseStream

    def __init__(self: Any, aiohttp_response: Any) -> None:
        self._response = aiohttp_response

    async def __aiter__(self: Any) -> Any:
        with sdk_transport.map_aiohttp_exceptions():
            async for chunk in self._response.content.iter_chunked(cls.CHUNK_SIZE):
                yield chunk

    async def aclose(self: Any) -> None:
        with sdk_transport.map_aiohttp_exceptions():
            await self._response.__aexit__(None, None, None)

    for name, function in (("__init__", __init__), ("__aiter__", __aiter__), ("aclose", aclose)):
        monkeypatch.setattr(cls, name, function)


def test_every_reach_works_on_the_installed_versions() -> None:
    assert compat.probe_all() == {}
    assert set(compat.features()) >= {
        "aiohttp_bulk_read",
        "aiohttp_salvage",
        "uvicorn_lean_deflate",
        "reflex_token_manager",
        "reflex_disk_state_purge",
        "reflex_disconnect_log",
        "reflex_direct_delta",
        "limits_lean_expiry",
    }
    assert all(gauge(feature) == 0 for feature in compat.features())


def test_a_broken_reach_is_one_warning_and_a_gauge_however_often_it_is_probed(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    rename_sdk_response_attribute(monkeypatch)
    with caplog.at_level(logging.WARNING):
        for _ in range(3):
            degraded = compat.probe_all()
    assert list(degraded) == ["aiohttp_bulk_read"]
    assert len(warnings_about(caplog, "aiohttp_bulk_read")) == 1
    assert gauge("aiohttp_bulk_read") == 1 and gauge("aiohttp_salvage") == 0


async def test_without_the_bulk_reach_the_recipe_still_arrives_line_by_line(
    monkeypatch: pytest.MonkeyPatch, fake: FakeOpenAI, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    rename_sdk_response_attribute(monkeypatch)
    fake.script(Reply(content=RECIPE_TEXT, tokens_per_s=800))
    pace = Pace()
    with caplog.at_level(logging.WARNING):
        pieces = [
            piece
            async for piece in stream_recipe_text(
                get_client(settings), settings, RecipeRequest(ingredients=["rice"]), StreamMeta(), pace=pace
            )
        ]
    assert "".join(pieces) == RECIPE_TEXT
    assert not pace.followed  # read line by line: the fallback
    assert "aiohttp_bulk_read" in compat.degraded()
    assert len(warnings_about(caplog, "aiohttp_bulk_read")) == 1


def _reader(loop: Any) -> aiohttp.StreamReader:
    class Protocol:
        def pause_reading(self) -> None: ...

        def resume_reading(self) -> None: ...

    return aiohttp.StreamReader(Protocol(), 2**16, loop=loop)  # type: ignore[arg-type]


async def test_salvage_returns_exactly_the_unread_bytes_after_a_partial_read() -> None:
    import asyncio

    body = _reader(asyncio.get_running_loop())
    body.feed_data(b'data: {"a": 1}\n\n')
    body.feed_data(b'data: {"b": 2}\n\n')
    assert body.read_nowait(5) == b"data:"  # part of the first chunk was read already
    body.set_exception(aiohttp.ClientPayloadError("connection dropped"))
    with pytest.raises(aiohttp.ClientPayloadError):
        await body.readany()
    assert compat.salvage(body) == b' {"a": 1}\n\ndata: {"b": 2}\n\n'
    assert compat.salvage(body) == b""  # taken once
    assert compat.degraded() == {}


_REAL_READER = aiohttp.StreamReader


class _RenamedReader:
    """aiohttp's public reader API over a real reader, without its private attributes (a new release)."""

    def __init__(self, protocol: Any, limit: int, *, loop: Any = None) -> None:
        self._inner = _REAL_READER(protocol, limit, loop=loop)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self._inner, name)


def test_without_the_buffer_reach_salvage_gives_nothing_and_says_so(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(aiohttp, "StreamReader", _RenamedReader)
    with caplog.at_level(logging.WARNING):
        degraded = compat.probe_all()
    assert "aiohttp_salvage" in degraded and gauge("aiohttp_salvage") == 1
    assert len(warnings_about(caplog, "aiohttp_salvage")) == 1
    import asyncio

    loop = asyncio.new_event_loop()
    try:
        body = _RenamedReader(type("P", (), {"resume_reading": lambda s: None})(), 2**16, loop=loop)
        body.feed_data(b"data: x\n")
        assert compat.salvage(body) == b""  # the fallback: those bytes are lost, nothing raises
    finally:
        loop.close()


def _protocol(cls: type) -> Any:
    async def app(scope: Any, receive: Any, send: Any) -> None: ...

    import asyncio

    config = Config(app=app, ws_per_message_deflate=True, log_config=None)
    config.load()
    loop = asyncio.new_event_loop()
    try:
        return cls(config=config, server_state=ServerState(), app_state={}, _loop=loop)
    finally:
        loop.close()


def test_the_worker_negotiates_lean_deflate_windows() -> None:
    from recipe_app.web.server import SERVER_WINDOW_BITS, CompactDeflateProtocol

    protocol = _protocol(CompactDeflateProtocol)
    (factory,) = protocol.conn.available_extensions
    assert factory.server_max_window_bits == SERVER_WINDOW_BITS and factory.client_no_context_takeover


def test_without_uvicorns_connection_the_worker_keeps_uvicorns_defaults(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from recipe_app.web.server import CompactDeflateProtocol

    original = websockets_sansio_impl.WebSocketsSansIOProtocol.__init__

    def renamed(self: Any, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        self.connection = self.__dict__.pop("conn")

    monkeypatch.setattr(websockets_sansio_impl.WebSocketsSansIOProtocol, "__init__", renamed)
    with caplog.at_level(logging.WARNING):
        assert "uvicorn_lean_deflate" in compat.probe_all()
        protocol = _protocol(CompactDeflateProtocol)  # still a working protocol
    (factory,) = protocol.connection.available_extensions
    assert factory.server_max_window_bits == 12  # uvicorn's own
    assert len(warnings_about(caplog, "uvicorn_lean_deflate")) == 1 and gauge("uvicorn_lean_deflate") == 1


def test_check_latest_runs_the_probes_and_fails_when_one_breaks() -> None:
    import subprocess
    import sys
    from pathlib import Path

    script = Path(__file__).resolve().parents[2] / "scripts" / "check-latest"
    ok = subprocess.run([sys.executable, str(script), "--here"], capture_output=True, text=True, timeout=120)
    assert ok.returncode == 0, ok.stderr
    assert "aiohttp_salvage: ok" in ok.stdout and "\naiohttp " in "\n" + ok.stdout
    broken = (
        "import runpy, sys, aiohttp.streams as s; del s.StreamReader._buffer_offset; "
        f"sys.argv = [{str(script)!r}, '--here']; runpy.run_path({str(script)!r}, run_name='__main__')"
    )
    result = subprocess.run([sys.executable, "-c", broken], capture_output=True, text=True, timeout=120)
    assert result.returncode == 1 and "aiohttp_salvage: DEGRADED" in result.stdout


@pytest.mark.parametrize("transport", ["aiohttp", "httpx"])
async def test_either_transport_reads_a_recipe_without_reporting_anything_degraded(
    fake: FakeOpenAI, settings: Settings, configure: Any, transport: str
) -> None:
    settings = configure(UPSTREAM_HTTP=transport)
    fake.script(Reply(content=RECIPE_TEXT, tokens_per_s=800))
    pace = Pace()
    request = RecipeRequest(ingredients=["rice"])
    text = "".join([p async for p in stream_recipe_text(get_client(settings), settings, request, StreamMeta(), pace=pace)])
    assert text == RECIPE_TEXT and pace.followed is (transport == "aiohttp")
    assert compat.degraded() == {}
