"""/health, /ready and /metrics: what an operator's probes and scraper read."""

from __future__ import annotations

import re
from collections.abc import Callable

import httpx

from recipe_app.web.api import operator_api
from recipe_app.pages.studio import StudioState
from recipe_app.core.settings import Settings
from tests.fake_openai import FakeOpenAI, Reply
from tests.pages.harness import Browser, DeltaRecorder, make_processor
from tests.recipes import RECIPE_TEXT


async def get(path: str) -> httpx.Response:
    transport = httpx.ASGITransport(app=operator_api)
    async with httpx.AsyncClient(transport=transport, base_url="http://studio.test") as client:
        return await client.get(path)


def sample(text: str, name: str, labels: str = "") -> float:
    match = re.search(rf"^{re.escape(name)}{re.escape(labels)} ([0-9.e+-]+)$", text, re.M)
    return float(match.group(1)) if match else 0.0


async def test_health_answers() -> None:
    response = await get("/health")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


async def test_ready_reports_database_redis_and_upstream(
    settings: Settings, configure: Callable[..., Settings], redis_url: str
) -> None:
    body = (await get("/ready")).json()
    assert body["status"] == "ready" and body["checks"] == {"database": "ok", "upstream": "configured"}
    configure(REFLEX_REDIS_URL=redis_url)
    body = (await get("/ready")).json()
    assert body["checks"]["redis"] == "ok"
    configure(REFLEX_REDIS_URL="redis://127.0.0.1:9/0")
    response = await get("/ready")
    assert response.status_code == 503 and response.json()["checks"]["redis"].startswith("unreachable")


async def test_ready_reports_demo_mode(database: str, configure: Callable[..., Settings], monkeypatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    configure()
    body = (await get("/ready")).json()
    assert body["checks"]["upstream"] == "demo model" and body["model"] == "demo-chef"


async def test_metrics_count_generations_failures_tokens_and_updates(settings: Settings, fake: FakeOpenAI) -> None:
    before = (await get("/metrics")).text
    fake.script(Reply(content=RECIPE_TEXT), Reply(status=401))
    async with make_processor(DeltaRecorder()) as processor:
        tab = Browser(processor)
        await (await tab.send(StudioState.add_item, field="ingredients", form={"item": "rice"}))
        await (await tab.send(StudioState.generate))
        await (await tab.send(StudioState.generate))
    response = await get("/metrics")
    assert response.headers["content-type"].startswith("text/plain")
    after = response.text

    def grew(name: str, labels: str = "") -> float:
        return sample(after, name, labels) - sample(before, name, labels)

    assert grew("recipe_generations_total", '{outcome="complete"}') == 1
    assert grew("recipe_generations_total", '{outcome="failed"}') == 1
    assert grew("recipe_upstream_errors_total", '{error_type="CredentialsRejected"}') == 1
    assert grew("recipe_tokens_total", '{direction="out"}') == fake.requests[0].chunks_sent
    assert grew("recipe_time_to_first_token_seconds_count") == 1
    assert grew("recipe_card_updates_total") >= 2 and grew("recipe_card_update_bytes_total") > 500
    assert sample(after, "recipe_active_streams") == 0
