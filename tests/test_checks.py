"""Start-up checks: each bad setting gives exactly one line saying what to fix."""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from recipe_app.core import checks
from recipe_app.core.checks import check_settings, ensure_startable
from recipe_app.core.settings import Settings, get_settings

DB_EXAMPLES = "sqlite:///path/to/recipe_studio.db or postgresql+psycopg://user:password@host/dbname"
MODEL_RULE = "a model name uses only letters, digits and . _ : / - (e.g. gpt-4.1-mini)"


@pytest.fixture(autouse=True)
def _fresh_settings_cache() -> Iterator[None]:
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture
def good(tmp_path: Path) -> dict[str, Any]:
    """Settings that start: every checked field set explicitly (the environment cannot interfere)."""
    return {
        "database_url": f"sqlite:///{tmp_path / 'studio.db'}",
        "redis_url": "redis://localhost:6379/0",
        "openai_model": "gpt-4.1-mini",
        "openai_base_url": "https://api.openai.com/v1",
        "prices": {"gpt-4.1-mini": (0.4, 1.6), "demo-chef": (0, 0)},
    }


def problems(good: dict[str, Any], **changes: Any) -> list[str]:
    return check_settings(Settings(_env_file=None, **{**good, **changes}))  # type: ignore[call-arg]


def test_good_settings_start(good: dict[str, Any], tmp_path: Path) -> None:
    settings = Settings(_env_file=None, **good)  # type: ignore[call-arg]
    assert check_settings(settings) == []
    assert ensure_startable(settings) is settings
    fine = [
        {"database_url": "postgresql+psycopg://studio:s3cret@db.internal:5432/recipes"},
        {"database_url": "postgresql://studio@db.internal/recipes"},
        {"database_url": "sqlite://"},  # in memory
        {"database_url": f"sqlite:///{tmp_path / 'exists.db'}"},
        {"redis_url": None},
        {"redis_url": ""},
        {"redis_url": "rediss://:pw@cache.example.com:6380/2"},
        {"redis_url": "unix:///run/redis/redis.sock?db=1"},
        {"openai_model": "llama3.1:8b"},
        {"openai_model": "meta-llama/Llama-3.1-8B-Instruct"},
        {"openai_model": "gpt-4.1-mini-2025-04-14"},
        {"openai_model": "m" * 100},
        {"openai_base_url": None},
        {"openai_base_url": "http://localhost:11434/v1"},
        {"prices": {}},
    ]
    (tmp_path / "exists.db").write_bytes(b"")
    for change in fine:
        assert problems(good, **change) == [], change


def test_database_url_that_does_not_parse(good: dict[str, Any]) -> None:
    assert problems(good, database_url="recipe_studio.db") == [
        f"REFLEX_DB_URL 'recipe_studio.db' is not a database URL: use {DB_EXAMPLES}"
    ]


def test_database_url_password_is_not_repeated(good: dict[str, Any]) -> None:
    assert problems(good, database_url="postgresql+psycopg://me:hunter2@db:notaport/x") == [
        f"REFLEX_DB_URL 'postgresql+psycopg://***@db:notaport/x' is not a database URL: use {DB_EXAMPLES}"
    ]
    assert problems(good, database_url="postgresql+psycopg://me:hun/ter@2@db:notaport/x?sslpassword=zz") == [
        f"REFLEX_DB_URL 'postgresql+psycopg://***@db:notaport/x?…' is not a database URL: use {DB_EXAMPLES}"
    ]


def test_database_of_another_kind(good: dict[str, Any]) -> None:
    assert problems(good, database_url="mysql://me:pw@db/recipes") == [
        f"REFLEX_DB_URL uses 'mysql', which Recipe Studio does not support: use {DB_EXAMPLES}"
    ]
    assert problems(good, database_url="postgres://me:pw@db/recipes") == [  # Heroku's spelling
        f"REFLEX_DB_URL uses 'postgres', which Recipe Studio does not support: use {DB_EXAMPLES}"
    ]


def test_database_driver_unknown_or_missing(good: dict[str, Any]) -> None:
    assert problems(good, database_url="postgresql+nosuchdriver://db/recipes") == [
        f"REFLEX_DB_URL names the unknown driver 'postgresql+nosuchdriver': use {DB_EXAMPLES}"
    ]
    if importlib.util.find_spec("pg8000") is not None:
        pytest.skip("pg8000 is installed here")
    assert problems(good, database_url="postgresql+pg8000://db/recipes") == [
        "REFLEX_DB_URL needs the Python driver 'pg8000', which is not installed: "
        "write postgresql+psycopg://... (psycopg 3 is installed) or install that driver"
    ]


def test_sqlite_directory_missing(good: dict[str, Any], tmp_path: Path) -> None:
    folder = tmp_path / "no" / "such"
    assert problems(good, database_url=f"sqlite:///{folder / 'studio.db'}") == [
        f"REFLEX_DB_URL points to a SQLite file in {folder}, which does not exist: "
        "create that directory or change REFLEX_DB_URL"
    ]


def test_sqlite_directory_is_a_file_or_the_file_a_directory(good: dict[str, Any], tmp_path: Path) -> None:
    (tmp_path / "plain").write_text("")
    assert problems(good, database_url=f"sqlite:///{tmp_path / 'plain' / 'studio.db'}") == [
        f"REFLEX_DB_URL points to a SQLite file in {tmp_path / 'plain'}, which is not a directory: change REFLEX_DB_URL"
    ]
    (tmp_path / "folder.db").mkdir()
    assert problems(good, database_url=f"sqlite:///{tmp_path / 'folder.db'}") == [
        f"REFLEX_DB_URL points to {tmp_path / 'folder.db'}, which is a directory, not a SQLite file: "
        "change REFLEX_DB_URL"
    ]


def test_sqlite_directory_not_writable(good: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "readonly"
    folder.mkdir()
    folder.chmod(0o555)
    if os.geteuid() == 0:  # root writes anywhere: answer as an ordinary user would
        real = os.access
        monkeypatch.setattr(checks.os, "access", lambda path, mode: False if Path(path) == folder else real(path, mode))
    try:
        assert problems(good, database_url=f"sqlite:///{folder / 'studio.db'}") == [
            f"REFLEX_DB_URL points to a SQLite file in {folder}, which this user cannot write to: "
            "fix its permissions or change REFLEX_DB_URL"
        ]
    finally:
        folder.chmod(0o755)


def test_redis_url_scheme(good: dict[str, Any]) -> None:
    for url in ("localhost:6379", "http://cache:6379/0", "redis:/cache"):
        assert problems(good, redis_url=url) == [
            "REFLEX_REDIS_URL must start with redis://, rediss:// or unix:// (e.g. redis://localhost:6379/0)"
        ], url


def test_redis_url_port(good: dict[str, Any]) -> None:
    assert problems(good, redis_url="redis://:s3cret@cache:63790000/0") == [
        "REFLEX_REDIS_URL is not a valid Redis URL (Port out of range 0-65535): use e.g. redis://localhost:6379/0"
    ]


def test_redis_url_database(good: dict[str, Any]) -> None:
    assert problems(good, redis_url="redis://cache:6379/sessions") == [
        "REFLEX_REDIS_URL database 'sessions' is not a number: use e.g. redis://localhost:6379/0"
    ]


def test_redis_unix_socket_without_path(good: dict[str, Any]) -> None:
    assert problems(good, redis_url="unix://") == [
        "REFLEX_REDIS_URL unix:// needs the socket's path, e.g. unix:///run/redis/redis.sock"
    ]


def test_model_name_empty(good: dict[str, Any]) -> None:
    for name in ("", "   "):
        assert problems(good, openai_model=name) == ["OPENAI_MODEL is empty: set the model name, e.g. gpt-4.1-mini"]


def test_model_name_with_whitespace(good: dict[str, Any]) -> None:
    assert problems(good, openai_model="gpt 4.1") == [f"OPENAI_MODEL 'gpt 4.1' contains ' ': {MODEL_RULE}"]
    assert problems(good, openai_model="gpt-4.1-mini\n") == [
        f"OPENAI_MODEL 'gpt-4.1-mini\\n' contains '\\n': {MODEL_RULE}"
    ]


def test_model_name_with_other_characters(good: dict[str, Any]) -> None:
    assert problems(good, openai_model="gpt-4o;rm") == [f"OPENAI_MODEL 'gpt-4o;rm' contains ';': {MODEL_RULE}"]
    assert problems(good, openai_model="gpt-4o-mini\u2013x") == [
        f"OPENAI_MODEL 'gpt-4o-mini\u2013x' contains '\u2013': {MODEL_RULE}"
    ]


def test_model_name_too_long(good: dict[str, Any]) -> None:
    assert problems(good, openai_model="m" * 101) == [
        "OPENAI_MODEL is 101 characters long: a model name has at most 100"
    ]


def test_base_url_not_http(good: dict[str, Any]) -> None:
    for url in ("localhost:11434/v1", "ftp://models.example.com/v1", "http://"):
        assert problems(good, openai_base_url=url) == [
            f"OPENAI_BASE_URL {url!r} is not an http:// or https:// URL: use e.g. http://localhost:11434/v1"
        ], url
    assert problems(good, openai_base_url="ws://user:pw@host/v1") == [
        "OPENAI_BASE_URL 'ws://***@host/v1' is not an http:// or https:// URL: use e.g. http://localhost:11434/v1"
    ]


def test_negative_prices(good: dict[str, Any]) -> None:
    assert problems(good, prices={"gpt-4.1-mini": (0.4, 1.6), "cheap": (-0.1, 0.2), "odd": (0.1, -2)}) == [
        "PRICE_TABLE price of 'cheap' must be 0 or more USD per million tokens (got [-0.1, 0.2])",
        "PRICE_TABLE price of 'odd' must be 0 or more USD per million tokens (got [0.1, -2.0])",
    ]


def test_ensure_startable_stops_on_the_first_problem(good: dict[str, Any]) -> None:
    bad = {**good, "openai_model": "", "redis_url": "http://x"}
    settings = Settings(_env_file=None, **bad)  # type: ignore[call-arg]
    assert len(check_settings(settings)) == 2
    with pytest.raises(SystemExit) as stopped:
        ensure_startable(settings)
    assert str(stopped.value) == (
        "Recipe Studio cannot start: REFLEX_REDIS_URL must start with redis://, rediss:// or unix:// "
        "(e.g. redis://localhost:6379/0)"
    )


def test_ensure_startable_reads_the_environment(
    good: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # no .env here
    for name in ("REFLEX_REDIS_URL", "REDIS_URL", "OPENAI_BASE_URL", "OPENAI_MODEL", "PRICE_TABLE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("REFLEX_DB_URL", good["database_url"])
    assert ensure_startable().database_url == good["database_url"]

    monkeypatch.setenv("OPENAI_MODEL", "gpt 5")
    get_settings.cache_clear()
    with pytest.raises(SystemExit, match=r"^Recipe Studio cannot start: OPENAI_MODEL 'gpt 5' contains ' ': "):
        ensure_startable()


def test_settings_that_do_not_even_parse_give_one_line(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    cases = {
        "OPENAI_TEMPERATURE": (
            "hot",
            "OPENAI_TEMPERATURE is invalid: Input should be a valid number, unable to parse string as a number "
            "(got 'hot')",
        ),
        "PRICE_TABLE": (
            "{gpt: 1}",
            "PRICE_TABLE could not be read: "
            "Expecting property name enclosed in double quotes: line 1 column 2 (char 1)",
        ),
    }
    for name, (value, line) in cases.items():
        with monkeypatch.context() as patch:
            patch.setenv(name, value)
            get_settings.cache_clear()
            with pytest.raises(SystemExit) as stopped:
                ensure_startable()
            assert str(stopped.value) == f"Recipe Studio cannot start: {line}"
    monkeypatch.setenv("PRICE_TABLE", '{"gpt-4.1-mini": [0.4]}')
    get_settings.cache_clear()
    with pytest.raises(SystemExit) as stopped:
        ensure_startable()
    assert str(stopped.value) == "Recipe Studio cannot start: PRICE_TABLE['gpt-4.1-mini'][1] is invalid: Field required"
