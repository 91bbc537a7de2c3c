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
from hypothesis import settings as hypothesis_settings

from recipe_app.db import session as db_session
from recipe_app.core.settings import Settings, get_settings
from tests.fake_openai import FakeOpenAI, fake_openai_server

# In CI the property tests draw the same examples every run (a red CI is a real regression, never a
# new draw); locally they explore new ones each run and keep failures in .hypothesis/.
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")

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


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Run the production-build tests last: the fast suite reports first, and the browser suite's
    synchronous Playwright loop can never disturb the asyncio tests."""
    items.sort(key=lambda item: ("browser" in item.path.parts or item.path.name == "test_app_serves.py"))


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
    # The event-processor harness has no websocket, so no tab ever looks connected: tests that are
    # about tab presence set their own grace period and presence check.
    monkeypatch.setenv("TAB_GRACE_S", "3600")
    get_settings.cache_clear()
    yield get_settings()
    get_settings.cache_clear()


# --- PostgreSQL -------------------------------------------------------------------------------------
#
# A throwaway cluster per test session: initdb into a temporary directory, started by pg_ctl on a
# free 127.0.0.1 port with its unix socket in that directory, fsync off, stopped and deleted at the
# end. Debian's `postgresql` package puts initdb/pg_ctl in /usr/lib/postgresql/<version>/bin (not on
# PATH), so that directory is searched too.
#
# initdb and postgres refuse to run as root. As root (containers, CI), the cluster directory is
# created directly under the system temp dir (pytest's own temp dirs are private to root), handed
# to the unprivileged user `nobody` (chown), and initdb/pg_ctl run as that user through
# `runuser -u nobody --` (util-linux), or `setpriv --reuid --regid --clear-groups` where runuser is
# missing. The tests themselves connect over TCP as the `postgres` superuser (trust auth).


def _postgres_bindir() -> Path:
    """Directory holding initdb and pg_ctl: PATH first, else the newest Debian server package."""
    found = shutil.which("initdb")
    if found is None:
        candidates = sorted(
            Path("/usr/lib/postgresql").glob("*/bin/initdb"),
            key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
        )
        found = str(candidates[-1]) if candidates else required_binary("initdb")
    return Path(found).resolve().parent


def _as_cluster_user(command: list[str]) -> list[str]:
    """``command`` run as an unprivileged user when we are root (initdb/postgres refuse root)."""
    if os.geteuid() != 0:
        return command
    if runuser := shutil.which("runuser"):
        return [runuser, "-u", "nobody", "--", *command]
    if setpriv := shutil.which("setpriv"):
        import pwd

        user = pwd.getpwnam("nobody")
        return [setpriv, f"--reuid={user.pw_uid}", f"--regid={user.pw_gid}", "--clear-groups", "--", *command]
    pytest.fail("running as root needs runuser or setpriv (util-linux) to start PostgreSQL as nobody")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _postgres_admin_url(url: str) -> str:
    """The same server's maintenance database (for CREATE/DROP DATABASE)."""
    return url.rsplit("/", 1)[0] + "/postgres"


def _postgres_exec(url: str, statement: str) -> None:
    """Run one statement in autocommit mode (CREATE/DROP DATABASE cannot run in a transaction)."""
    from sqlalchemy import create_engine, pool, text

    engine = create_engine(url, poolclass=pool.NullPool, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(statement))
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A real PostgreSQL server for this test session; yields the URL of a fresh database on it."""
    bindir = _postgres_bindir()
    initdb, pg_ctl = str(bindir / "initdb"), str(bindir / "pg_ctl")
    pytest.importorskip("psycopg", reason="psycopg is in requirements.txt")
    import tempfile

    # Not pytest's tmp dir: as root that lives under a 0700 directory `nobody` cannot enter.
    workdir = Path(tempfile.mkdtemp(prefix="recipe-pg-"))
    if os.geteuid() == 0:
        import pwd

        user = pwd.getpwnam("nobody")
        os.chown(workdir, user.pw_uid, user.pw_gid)
    data, log = workdir / "data", workdir / "postgres.log"
    port = _free_port()

    def run(*args: str, timeout: float = 120) -> None:
        result = subprocess.run(
            _as_cluster_user(list(args)), capture_output=True, text=True, timeout=timeout, cwd=workdir
        )
        if result.returncode != 0:
            server_log = log.read_text(errors="replace")[-3000:] if log.exists() else ""
            pytest.fail(f"{' '.join(args[:2])} failed: {result.stdout}{result.stderr}{server_log}")

    started = False
    try:
        run(initdb, "-D", str(data), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-locale", "--no-sync")
        options = (
            f"-c listen_addresses=127.0.0.1 -p {port} -k {workdir} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=50"
        )
        run(pg_ctl, "-D", str(data), "-l", str(log), "-o", options, "-w", "-t", "60", "start")
        started = True
        server = f"postgresql+psycopg://postgres@127.0.0.1:{port}"
        _postgres_exec(f"{server}/postgres", "CREATE DATABASE recipe_studio_test")
        yield f"{server}/recipe_studio_test"
    finally:
        if started:
            subprocess.run(
                _as_cluster_user([pg_ctl, "-D", str(data), "-m", "immediate", "-w", "stop"]),
                capture_output=True,
                timeout=60,
                cwd=workdir,
            )
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A fresh database migrated to head (SQLite file, or a new database on the session's PostgreSQL
    server); the app's settings point at it for the test."""
    import uuid

    if request.param == "sqlite":
        url, cleanup = f"sqlite:///{tmp_path / 'library.db'}", None
    else:
        server_url = request.getfixturevalue("postgres_url")
        name = f"t_{uuid.uuid4().hex[:16]}"
        _postgres_exec(_postgres_admin_url(server_url), f"CREATE DATABASE {name}")
        url = server_url.rsplit("/", 1)[0] + f"/{name}"
        cleanup = f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"
    monkeypatch.setenv("REFLEX_DB_URL", url)
    get_settings.cache_clear()
    try:
        db_session.migrate_to_head(url)
        yield url
    finally:
        db_session.engine_for(url).dispose()
        get_settings.cache_clear()
        if cleanup is not None:
            _postgres_exec(_postgres_admin_url(url), cleanup)
