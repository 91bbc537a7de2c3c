"""Start and stop the production build of the app, exactly as an operator runs it.

`reflex run --env prod --single-port` on a free loopback port serves the page, the websocket
(`/_event`) and `/ping` on one port. Every instance compiles into the project's shared `.web`
directory, so two instances must never run at the same time: callers use one module-scoped fixture
per test module, and :func:`run_prod_app` refuses (in-process) or waits (across processes, through a
lock file) while another instance is up.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BUILD_TIMEOUT_S = 420
STOP_TIMEOUT_S = 20

_running = threading.Lock()  # one instance per test process


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url: str, timeout: float = 5) -> tuple[int, str]:
    """GET ``url``: (status, body text)."""
    with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - loopback only
        return response.status, response.read().decode("utf-8", "replace")


@contextlib.contextmanager
def _build_dir_lock() -> Iterator[None]:
    """Exclusive across processes (two pytest runs of this checkout): they share `.web`."""
    name = "recipe-studio-prodapp-" + hashlib.sha256(str(ROOT).encode()).hexdigest()[:16] + ".lock"
    with open(Path(tempfile.gettempdir()) / name, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def other_reflex_servers() -> list[str]:
    """`reflex run` processes working in this checkout that this test run did not start.

    A dev server (`reflex run` in a terminal) recompiles into the same `.web` on every hot reload,
    and it reloads whenever a file under the project changes (tests and test-artifacts included).
    """
    import psutil

    found = []
    for proc in psutil.process_iter(["pid", "cmdline", "cwd"]):
        cmdline = proc.info.get("cmdline") or []
        try:
            if proc.info.get("cwd") != str(ROOT) or "run" not in cmdline:
                continue
        except (psutil.Error, OSError):
            continue
        if any(Path(part).name == "reflex" for part in cmdline[:3]):
            found.append(f"pid {proc.info['pid']}: {' '.join(cmdline)}")
    return found


@contextlib.contextmanager
def run_prod_app(
    env: Mapping[str, str | None], tmp_path: Path, *, sole_server: bool = False
) -> Iterator[tuple[str, Path]]:
    """Build and serve the app for production; yield ``(base_url, log_path)``, stop it on exit.

    ``env`` is applied on top of this process's environment; a ``None`` value removes a variable.
    The server's output goes to ``tmp_path / "reflex.log"``. Fails the test if the app exits or is
    not serving within ``BUILD_TIMEOUT_S``. With ``sole_server``, fails at once if another `reflex
    run` (e.g. a dev server) works in this checkout: it would rewrite `.web` under the build.
    """
    if not _running.acquire(blocking=False):
        raise RuntimeError("a production app is already running in this process (they share .web)")
    try:
        with _build_dir_lock():
            if sole_server and (others := other_reflex_servers()):
                pytest.fail(
                    "another `reflex run` is working in this checkout and rewrites .web while the production "
                    "build is compiled and served (a dev server also hot-reloads on every file the tests write); "
                    "stop it and run the tests again:\n  " + "\n  ".join(others),
                    pytrace=False,
                )
            yield from _serve(env, tmp_path)
    finally:
        _running.release()


def _serve(env: Mapping[str, str | None], tmp_path: Path) -> Iterator[tuple[str, Path]]:
    port = free_port()
    log = tmp_path / "reflex.log"
    full_env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    for name, value in env.items():
        if value is None:
            full_env.pop(name, None)
        else:
            full_env[name] = value
    command = [sys.executable, "-m", "reflex", "run", "--env", "prod", "--single-port"]
    command += ["--frontend-port", str(port), "--backend-port", str(port), "--backend-host", "127.0.0.1"]
    with log.open("w") as out:
        proc = subprocess.Popen(
            command, cwd=ROOT, env=full_env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + BUILD_TIMEOUT_S
        while True:
            if proc.poll() is not None:
                pytest.fail(f"reflex exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
            try:
                if fetch(f"{base}/ping", timeout=2)[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"app not serving after {BUILD_TIMEOUT_S}s:\n{log.read_text()[-3000:]}")
            time.sleep(0.5)
        yield base, log
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
