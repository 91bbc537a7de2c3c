"""The production build compiles and serves, and the key never reaches the frontend bundle.

Starts `reflex run --env prod --single-port` exactly as an operator would, on a free loopback port.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import TEST_KEY

ROOT = Path(__file__).resolve().parent.parent
BUILD_TIMEOUT_S = 420


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url: str, timeout: float = 5) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - loopback only
        return response.status, response.read().decode("utf-8", "replace")


@pytest.fixture(scope="module")
def prod_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The app built and served for production, with a key configured."""
    tmp = tmp_path_factory.mktemp("prod")
    port = free_port()
    log = tmp / "reflex.log"
    env = {
        **os.environ,
        "OPENAI_API_KEY": TEST_KEY,
        "OPENAI_BASE_URL": "http://127.0.0.1:9/v1",
        "REFLEX_DB_URL": f"sqlite:///{tmp / 'prod.db'}",
        "PYTHONUNBUFFERED": "1",
    }
    command = [sys.executable, "-m", "reflex", "run", "--env", "prod", "--single-port"]
    command += ["--frontend-port", str(port), "--backend-port", str(port), "--backend-host", "127.0.0.1"]
    with log.open("w") as out:
        proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
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
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def test_the_production_build_serves_the_studio_page(prod_app: tuple[str, Path]) -> None:
    base, _ = prod_app
    status, html = fetch(f"{base}/")
    assert status == 200
    assert "<title>Recipe Studio</title>" in html


def test_the_key_is_not_in_the_compiled_frontend_nor_in_the_server_log(prod_app: tuple[str, Path]) -> None:
    _, log = prod_app
    web = ROOT / ".web"
    scanned = 0
    for path in web.rglob("*"):
        if path.is_file() and "node_modules" not in path.parts and path.stat().st_size < 20_000_000:
            assert TEST_KEY.encode() not in path.read_bytes(), f"key found in {path.relative_to(ROOT)}"
            scanned += 1
    assert scanned > 20  # the build really is there
    assert TEST_KEY not in log.read_text()
