"""The production build compiles and serves, and the key never reaches the frontend bundle.

Starts `reflex run --env prod --single-port` exactly as an operator would, on a free loopback port.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from websockets.sync.client import connect

from tests.conftest import TEST_KEY
from tests.prodapp import ROOT, fetch, run_prod_app


@pytest.fixture(scope="module")
def prod_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The app built and served for production, with a key configured."""
    tmp = tmp_path_factory.mktemp("prod")
    env = {
        "OPENAI_API_KEY": TEST_KEY,
        "OPENAI_BASE_URL": "http://127.0.0.1:9/v1",
        "REFLEX_DB_URL": f"sqlite:///{tmp / 'prod.db'}",
    }
    with run_prod_app(env, tmp) as served:
        yield served


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


def test_the_event_socket_is_compressed_for_browsers(prod_app: tuple[str, Path]) -> None:
    """The production server accepts permessage-deflate (Granian would not): ~13x fewer bytes per recipe.

    Synchronous on purpose: this module runs after the browser tests, whose sync Playwright loop
    leaves no room for an asyncio test.
    """
    base, _ = prod_app
    url = base.replace("http://", "ws://") + f"/_event/?EIO=4&transport=websocket&token={uuid.uuid4()}"
    with connect(url, compression="deflate", open_timeout=30) as ws:
        opening = ws.recv(timeout=30)
        extensions = ws.response.headers.get("Sec-WebSocket-Extensions") or ""
    assert opening.startswith("0{")  # engine.io open packet: the Reflex event socket answered
    assert "permessage-deflate" in extensions
    # Lean compression state (recipe_app/server.py): what each open tab costs in memory.
    assert "server_max_window_bits=11" in extensions and "client_max_window_bits=9" in extensions
    assert "client_no_context_takeover" in extensions


def test_the_operator_routes_answer_beside_the_studio(prod_app: tuple[str, Path]) -> None:
    """/health is the operator's, /ping is Reflex's: both answer on the one port, each from its own app."""
    base, _ = prod_app
    status, body = fetch(f"{base}/health")
    assert (status, json.loads(body)) == (200, {"status": "ok"})
    assert fetch(f"{base}/ping")[0] == 200
    request = urllib.request.Request(f"{base}/health", method="POST")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=5)  # noqa: S310 - loopback only
    assert refused.value.code == 405  # the operator's route, with a method it does not take
