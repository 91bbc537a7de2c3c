"""Shared fixtures: the fake OpenAI server, settings pointing at it, a fresh SQLite database."""

from __future__ import annotations

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
