"""Shared fixtures: the fake OpenAI server, settings pointing at it, a fresh SQLite database."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from recipe_app.db import session as db_session
from recipe_app.settings import Settings, get_settings
from tests.fake_openai import FakeOpenAI, fake_openai_server

#: A recognisable fake key: tests grep for it everywhere it must never appear.
TEST_KEY = "sk-test-NEVER-SHOW-7f3a9c2e51d84b06"


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    """A real HTTP server on 127.0.0.1 speaking the OpenAI streaming wire format."""
    yield from fake_openai_server()


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A fresh SQLite file for this test, with the tables created."""
    url = f"sqlite:///{tmp_path / 'studio.db'}"
    monkeypatch.setenv("REFLEX_DB_URL", url)
    get_settings.cache_clear()
    db_session.create_tables()
    yield url
    db_session.get_engine().dispose()
    get_settings.cache_clear()


def required_binary(name: str) -> str:
    """Path of a system program the suite needs; skip locally, fail in CI (where .ci/run installs it)."""
    path = shutil.which(name) or (f"/usr/sbin/{name}" if os.path.exists(f"/usr/sbin/{name}") else None)
    if path is None:
        message = f"{name} is not installed (Debian package; .ci/run installs it)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real redis-server on a free loopback port, for this test session."""
    binary = required_binary("redis-server")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    workdir = tmp_path_factory.mktemp("redis")
    proc = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(workdir)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5) as conn:
                    conn.sendall(b"PING\r\n")
                    if conn.recv(16).startswith(b"+PONG"):
                        break
            except OSError:
                pass
            if time.monotonic() > deadline or proc.poll() is not None:
                pytest.fail("redis-server did not start")
            time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture
def configure(monkeypatch: pytest.MonkeyPatch) -> Callable[..., Settings]:
    """Change settings for one test: ``configure(STALL_TIMEOUT_S="0.5")`` returns the new settings."""

    def apply(**env: str) -> Settings:
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        get_settings.cache_clear()
        return get_settings()

    return apply


@pytest.fixture
def settings(fake: FakeOpenAI, database: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    """Settings of a real (non-demo) deployment whose provider is the fake server."""
    monkeypatch.setenv("OPENAI_API_KEY", TEST_KEY)
    monkeypatch.setenv("OPENAI_BASE_URL", fake.base_url)
    monkeypatch.setenv("OPENAI_MODEL", "gpt-test")
    monkeypatch.setenv("STREAM_FLUSH_MS", "50")
    monkeypatch.setenv("OPENAI_MAX_RETRIES", "0")
    get_settings.cache_clear()
    yield get_settings()
    get_settings.cache_clear()
