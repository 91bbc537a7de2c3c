"""A real llama.cpp server (llama-cpp-python's OpenAI-compatible server) for the provider tier.

It runs from its own environment, whose Python is ``LLAMA_SERVER_PYTHON`` (``scripts/provider-tier``
sets it up); without it these tests are skipped, so the main suite stays quick. The model is
written here (tests/provider/tinymodel.py): nothing is downloaded.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from recipe_app.core.settings import Settings
from recipe_app.llm import structured
from tests.provider.tinymodel import write_tiny_llama

MODEL = "tiny-chef"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Without a llama.cpp server environment the whole tier is one skip reason."""
    if os.environ.get("LLAMA_SERVER_PYTHON"):
        return
    skip = pytest.mark.skip(reason="provider tier not requested (run scripts/provider-tier)")
    for item in items:
        if "provider" in item.path.parts:
            item.add_marker(skip)


@dataclass
class LlamaServer:
    """One running llama-cpp-python server process."""

    process: subprocess.Popen[bytes]
    port: int
    log: Path

    @property
    def base_url(self) -> str:
        """The OpenAI base URL of this server."""
        return f"http://127.0.0.1:{self.port}/v1"

    def stop(self) -> None:
        """End the server (SIGKILL when it does not stop in time)."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(model: Path, workdir: Path, n_ctx: int, *extra: str) -> LlamaServer:
    """Start a server on a free loopback port; returns once it lists the model."""
    python = os.environ["LLAMA_SERVER_PYTHON"]
    port = _free_port()
    log = workdir / f"llama-{port}.log"
    command = [python, "-m", "llama_cpp.server", "--model", str(model), "--model_alias", MODEL,
               "--host", "127.0.0.1", "--port", str(port), "--n_ctx", str(n_ctx), "--n_threads", "1", *extra]
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
    server = LlamaServer(process, port, log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"llama.cpp server exited: {log.read_text()[-2000:]}")
        try:
            if httpx.get(f"{server.base_url}/models", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    server.stop()
    pytest.fail(f"llama.cpp server did not start in 60 s: {log.read_text()[-2000:]}")


@pytest.fixture(scope="session")
def tiny_models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The fast model (a recipe in well under a second) and a slower one (a second or two)."""
    folder = tmp_path_factory.mktemp("models")
    return {
        "fast": write_tiny_llama(folder / "tiny.gguf"),
        "slow": write_tiny_llama(folder / "tiny-slow.gguf", layers=16),
    }


@pytest.fixture(scope="session")
def llama(tiny_models: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Iterator[LlamaServer]:
    """The shared server: context 4096 (the prompt plus OPENAI_MAX_TOKENS fit)."""
    server = start_server(tiny_models["fast"], tmp_path_factory.mktemp("llama"), 4096)
    yield server
    server.stop()


@pytest.fixture
def point_at(configure: Callable[..., Settings], database: str, monkeypatch: pytest.MonkeyPatch) -> Callable[[LlamaServer], Settings]:
    """Settings of a deployment whose provider is ``server``: a base URL and no API key."""

    def apply(server: LlamaServer, **env: str) -> Settings:
        monkeypatch.delenv("OPENAI_API_KEY", raising=False)
        structured.forget()
        return configure(
            OPENAI_BASE_URL=server.base_url, OPENAI_MODEL=MODEL, OPENAI_TEMPERATURE="0",
            OPENAI_MAX_RETRIES="1", RETRY_BACKOFF_S="0.05", STREAM_FLUSH_MS="50", TAB_GRACE_S="3600", **env,
        )

    return apply
