"""Start-up checks of the settings: a bad value stops the app with one line saying what to fix.

Only the *form* of each setting is checked here (and that a SQLite file could be created where it
points): nothing connects to the database, Redis or the provider. Whether those answer is the job
of the readiness probe.
"""

from __future__ import annotations

import math
import os
import re
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import ValidationError
from pydantic_settings import SettingsError
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

from recipe_app.core.settings import Settings, get_settings

MODEL_NAME_MAX = 100
_MODEL_CHARS = re.compile(r"[A-Za-z0-9._:/-]")
_DB_EXAMPLES = "sqlite:///path/to/recipe_studio.db or postgresql+psycopg://user:password@host/dbname"
_REDIS_EXAMPLE = "redis://localhost:6379/0"
#: Settings whose values may hold a secret: never repeated in a message.
_SECRET_FIELDS = {"openai_api_key", "admin_token", "database_url", "redis_url", "openai_base_url"}


def _hide_credentials(url: str) -> str:
    """A URL as a message may show it: ``scheme://user:password@host/x?key=...`` -> ``scheme://***@host/x?…``."""
    url = re.sub(r"(?<=://).*@", "***@", url)  # up to the last @: a password may hold / or @
    return re.sub(r"\?.*", "?…", url)


def _shorten(value: str, limit: int = 60) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _database_problems(url_text: str) -> list[str]:
    try:
        url = make_url(url_text)
    except (ArgumentError, ValueError):
        return [f"REFLEX_DB_URL {_shorten(_hide_credentials(url_text))!r} is not a database URL: use {_DB_EXAMPLES}"]
    backend = url.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        return [f"REFLEX_DB_URL uses {backend!r}, which Recipe Studio does not support: use {_DB_EXAMPLES}"]
    try:
        dialect = url.get_dialect()
    except NoSuchModuleError:
        return [f"REFLEX_DB_URL names the unknown driver {url.drivername!r}: use {_DB_EXAMPLES}"]
    try:
        dialect.import_dbapi()
    except ImportError:
        return [
            f"REFLEX_DB_URL needs the Python driver {dialect.driver!r}, which is not installed: "
            "write postgresql+psycopg://... (psycopg 3 is installed) or install that driver"
        ]
    if backend == "sqlite":
        return _sqlite_file_problems(url.database, dict(url.query))
    return []


def _sqlite_file_problems(database: str | None, query: dict[str, object]) -> list[str]:
    """The directory of a SQLite file must exist and be writable (SQLite also writes its journal there)."""
    if not database or database == ":memory:" or str(query.get("uri", "")).lower() == "true":
        return []
    path = Path(database).expanduser().absolute()
    folder = path.parent
    in_folder = f"REFLEX_DB_URL points to a SQLite file in {folder}, which"
    if not folder.exists():
        return [f"{in_folder} does not exist: create that directory or change REFLEX_DB_URL"]
    if not folder.is_dir():
        return [f"{in_folder} is not a directory: change REFLEX_DB_URL"]
    if path.is_dir():
        return [f"REFLEX_DB_URL points to {path}, which is a directory, not a SQLite file: change REFLEX_DB_URL"]
    if not os.access(folder, os.W_OK | os.X_OK):
        return [f"{in_folder} this user cannot write to: fix its permissions or change REFLEX_DB_URL"]
    if path.exists() and not os.access(path, os.R_OK | os.W_OK):
        return [
            f"REFLEX_DB_URL points to the SQLite file {path}, which this user cannot write to: "
            "fix its permissions or change REFLEX_DB_URL"
        ]
    return []


def _redis_problems(url: str | None) -> list[str]:
    if not url:
        return []  # no Redis: one worker, state in memory
    from redis.connection import parse_url

    if not url.startswith(("redis://", "rediss://", "unix://")):
        return [f"REFLEX_REDIS_URL must start with redis://, rediss:// or unix:// (e.g. {_REDIS_EXAMPLE})"]
    try:
        parse_url(url)
    except ValueError as exc:
        return [f"REFLEX_REDIS_URL is not a valid Redis URL ({str(exc).rstrip('.')}): use e.g. {_REDIS_EXAMPLE}"]
    parts = urlsplit(url)
    if parts.scheme == "unix":
        if not parts.path:
            return ["REFLEX_REDIS_URL unix:// needs the socket's path, e.g. unix:///run/redis/redis.sock"]
        return []
    database = parts.path.strip("/")
    if database and not database.isdigit():
        return [f"REFLEX_REDIS_URL database {database!r} is not a number: use e.g. {_REDIS_EXAMPLE}"]
    return []


def _model_problems(model: str) -> list[str]:
    if not model.strip():
        return ["OPENAI_MODEL is empty: set the model name, e.g. gpt-4.1-mini"]
    if len(model) > MODEL_NAME_MAX:
        return [f"OPENAI_MODEL is {len(model)} characters long: a model name has at most {MODEL_NAME_MAX}"]
    bad = next((char for char in model if not _MODEL_CHARS.fullmatch(char)), None)
    if bad is not None:
        return [
            f"OPENAI_MODEL {model!r} contains {bad!r}: a model name uses only letters, digits and . _ : / - "
            "(e.g. gpt-4.1-mini)"
        ]
    return []


def _base_url_problems(base_url: str | None) -> list[str]:
    if not base_url:
        return []
    try:
        parts = urlsplit(base_url.strip())
        ok = parts.scheme in ("http", "https") and bool(parts.hostname)
    except ValueError:
        ok = False
    if not ok:
        return [
            f"OPENAI_BASE_URL {_shorten(_hide_credentials(base_url))!r} is not an http:// or https:// URL: "
            "use e.g. http://localhost:11434/v1"
        ]
    return []


def _price_problems(prices: dict[str, tuple[float, float]]) -> list[str]:
    return [
        f"PRICE_TABLE price of {model!r} must be 0 or more USD per million tokens (got [{price_in}, {price_out}])"
        for model, (price_in, price_out) in prices.items()
        if not all(math.isfinite(p) and p >= 0 for p in (price_in, price_out))
    ]


def check_settings(settings: Settings) -> list[str]:
    """Everything wrong with ``settings``, one line each (empty: good to start)."""
    return [
        *_database_problems(settings.database_url),
        *_redis_problems(settings.redis_url),
        *_model_problems(settings.openai_model),
        *_base_url_problems(settings.openai_base_url),
        *_price_problems(settings.prices),
    ]


def _field_of(name: str) -> str | None:
    """The settings field that ``name`` (a field name or one of its aliases, any case) sets."""
    for field, info in Settings.model_fields.items():
        choices = getattr(info.validation_alias, "choices", None) or []
        if name.lower() in {field, *(str(c).lower() for c in choices)}:
            return field
    return None


def _variable_of(field: str | None) -> str:
    """The environment variable an operator sets for a settings field."""
    info = Settings.model_fields.get(field or "")
    choices = getattr(info.validation_alias, "choices", None) if info else None
    if choices and isinstance(choices[0], str):
        return choices[0]
    return (field or "a setting").upper()


def _unreadable_line(exc: Exception) -> str:
    """Settings that could not even be read, as one line (values of secret fields are not repeated)."""
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        field = _field_of(str(first["loc"][0])) if first.get("loc") else None
        where = "".join(f"[{part!r}]" for part in first["loc"][1:]) if first.get("loc") else ""
        line = f"{_variable_of(field)}{where} is invalid: {first['msg']}"
        if field not in _SECRET_FIELDS and isinstance(first.get("input"), str | int | float):
            line += f" (got {_shorten(str(first['input']))!r})"
        return line
    # pydantic-settings' SettingsError: 'error parsing value for field "prices" from source ...'
    named = re.search(r'field "(\w+)"', str(exc))
    variable = _variable_of(_field_of(named.group(1)) if named else None)
    cause = f": {exc.__cause__}" if exc.__cause__ else ""
    return f"{variable} could not be read{cause}"


def ensure_startable(settings: Settings | None = None) -> Settings:
    """Stop with ``SystemExit("Recipe Studio cannot start: ...")`` on the first problem; else the settings.

    Without ``settings`` the process-wide ones are read here, so a value that does not even parse
    (``OPENAI_TEMPERATURE=hot``) also ends in one line instead of a traceback.
    """
    if settings is None:
        try:
            settings = get_settings()
        except (ValidationError, SettingsError) as exc:
            raise SystemExit(f"Recipe Studio cannot start: {_unreadable_line(exc)}") from None
    problems = check_settings(settings)
    if problems:
        raise SystemExit(f"Recipe Studio cannot start: {problems[0]}")
    return settings


__all__ = ["check_settings", "ensure_startable"]
