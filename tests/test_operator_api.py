"""/health, /ready, /metrics and the admin sign-in: what an operator's probes, scraper and browser see."""

from __future__ import annotations

import base64
import re
import secrets
import string
from collections.abc import Callable
from types import SimpleNamespace

import httpx
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from recipe_app.core import compat
from recipe_app.web import admin
from recipe_app.web.api import in_front_of, operator_api
from recipe_app.pages.studio import StudioState
from recipe_app.core.settings import Settings
from recipe_app.db import pictures, recipes
from recipe_app.domain.recipe import Recipe
from recipe_app.state import OWNER_COOKIE
from tests.fake_openai import FakeOpenAI, Reply
from tests.pages.harness import Browser, DeltaRecorder, make_processor
from tests.recipes import RECIPE, RECIPE_TEXT

ADMIN = "op-metrics-token-5Vq8"


@pytest.fixture(autouse=True)
def fresh_sign_in_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts with no wrong sign-ins counted against its address."""
    from limits.storage import MemoryStorage
    from limits.strategies import MovingWindowRateLimiter

    monkeypatch.setattr(admin, "_failures", MovingWindowRateLimiter(MemoryStorage()))
BEARER = {"Authorization": f"Bearer {ADMIN}"}


async def get(path: str, headers: dict[str, str] | None = None, base_url: str = "http://studio.test") -> httpx.Response:
    transport = httpx.ASGITransport(app=operator_api)
    async with httpx.AsyncClient(transport=transport, base_url=base_url) as client:
        return await client.get(path, headers=headers)


async def post(path: str, data: dict[str, str], base_url: str = "http://studio.test", **headers: str) -> httpx.Response:
    transport = httpx.ASGITransport(app=operator_api)
    async with httpx.AsyncClient(transport=transport, base_url=base_url) as client:
        return await client.post(path, data=data, headers=headers)


async def test_only_the_operator_routes_enter_its_app_and_the_event_socket_goes_straight_to_reflex() -> None:
    """What the running app sees: its routes answer, the rest reaches Reflex untouched (no wrapped send)."""
    seen: list[tuple[str, str, bool]] = []

    async def server_send(message: dict) -> None:
        sent.append(message)

    async def reflex_backend(scope: dict, receive: object, send: Callable) -> None:
        seen.append((scope["type"], scope["path"], send is server_send))
        if scope["type"] == "http":
            await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
            await send({"type": "http.response.body", "body": b"reflex"})

    app = in_front_of(reflex_backend)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://studio.test") as client:
        health = await client.get("/health")
        ping = await client.get("/ping")
        wrong_method = await client.post("/health")
        picture = await client.get("/pictures/12345")
        preflight = await client.options(admin.SIGN_IN_PATH, headers={
            "Origin": "http://localhost:3000", "Access-Control-Request-Method": "POST"})
    assert (health.status_code, health.json()) == (200, {"status": "ok"})
    assert (ping.status_code, ping.text) == (200, "reflex")
    assert wrong_method.status_code == 405  # the operator's path, as when its app was mounted in front
    assert picture.status_code == 404 and picture.text == "Not found"  # the pictures route, not Reflex
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "http://localhost:3000"
    assert [path for _, path, _ in seen] == ["/ping"]

    sent: list[dict] = []

    async def receive() -> dict:
        return {"type": "websocket.connect"}

    await app({"type": "websocket", "path": "/_event/", "headers": []}, receive, server_send)
    assert seen[-1] == ("websocket", "/_event/", True)  # the socket's own send: no frames in between


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
    assert body == {
        "status": "ready",
        "checks": {"database": "ok", "upstream": "configured", "compatibility": "ok"},
    }  # no model name, no details, for anyone
    configure(REFLEX_REDIS_URL=redis_url)
    body = (await get("/ready")).json()
    assert body["checks"]["redis"] == "ok"
    configure(REFLEX_REDIS_URL="redis://127.0.0.1:9/0")
    response = await get("/ready")
    assert response.status_code == 503 and response.json()["checks"]["redis"].startswith("unreachable")


async def test_ready_names_the_model_and_degraded_features_only_to_the_operator(
    database: str, configure: Callable[..., Settings], monkeypatch
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    configure(ADMIN_TOKEN=ADMIN)
    monkeypatch.setattr(compat, "_degraded", {"aiohttp_salvage": "StreamReader has no _buffer"})
    public = (await get("/ready")).json()
    assert public["checks"]["upstream"] == "demo model" and public["checks"]["compatibility"] == "degraded"
    assert "model" not in public and "degraded" not in public and "_buffer" not in str(public)
    wrong = (await get("/ready", {"Authorization": "Bearer nope"})).json()
    assert "model" not in wrong
    body = (await get("/ready", BEARER)).json()
    assert body["status"] == "ready"  # a fallback works: still ready
    assert body["model"] == "demo-chef" and body["degraded"] == {"aiohttp_salvage": "StreamReader has no _buffer"}
    cookie = {"Cookie": f"{admin.COOKIE}={admin.session_value(ADMIN)}"}
    assert (await get("/ready", cookie)).json()["model"] == "demo-chef"


async def test_metrics_need_the_admin_token_as_a_bearer_header(database: str, configure: Callable[..., Settings]) -> None:
    configure(ADMIN_TOKEN="")
    assert (await get("/metrics")).status_code == 404
    assert (await get("/metrics", BEARER)).status_code == 404  # no token configured: nothing opens it
    configure(ADMIN_TOKEN=ADMIN)
    for headers in (None, {"Authorization": "Bearer wrong"}, {"Authorization": f"Basic {ADMIN}"}, {"Authorization": f"Bearer {ADMIN}x"}):
        response = await get("/metrics", headers)
        assert response.status_code == 401 and "recipe_" not in response.text
        assert response.headers["www-authenticate"] == "Bearer"
    cookie = {"Cookie": f"{admin.COOKIE}={admin.session_value(ADMIN)}"}
    assert (await get("/metrics", cookie)).status_code == 401  # a browser session is not a scraper
    response = await get("/metrics", BEARER)
    assert response.status_code == 200 and "recipe_compat_degraded" in response.text


def _set_cookie(response: httpx.Response) -> str:
    return response.headers.get("set-cookie", "")


async def test_sign_in_sets_a_signed_httponly_strict_cookie_and_goes_back_to_stats(
    database: str, configure: Callable[..., Settings]
) -> None:
    configure(ADMIN_TOKEN=ADMIN)
    response = await post(admin.SIGN_IN_PATH, {"token": f" {ADMIN}\x07"}, origin="http://studio.test")
    assert response.status_code == 303 and response.headers["location"] == "http://studio.test/stats"
    cookie = _set_cookie(response)
    assert cookie.startswith(f"{admin.COOKIE}=") and ADMIN not in cookie
    attributes = {part.strip().split("=")[0].lower() for part in cookie.split(";")}
    assert {"httponly", "max-age", "path", "samesite"} <= attributes and "secure" not in attributes
    assert "samesite=strict" in cookie.lower() and f"max-age={admin.SESSION_S}" in cookie.lower()
    value = cookie.split(";")[0].split("=", 1)[1]
    assert admin.valid_session(value)

    # Over https (TLS at the proxy, forwarded scheme): Secure too.
    secure = await post(admin.SIGN_IN_PATH, {"token": ADMIN}, base_url="https://studio.test")
    assert "secure" in {part.strip().lower() for part in _set_cookie(secure).split(";")}
    # TLS ended by a proxy on another host (scheme not forwarded), public address https: Secure too.
    import reflex_base.config

    deploy = SimpleNamespace(deploy_url="https://recipes.example")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(reflex_base.config, "get_config", lambda: deploy)
        behind_proxy = await post(admin.SIGN_IN_PATH, {"token": ADMIN})
    assert "secure" in {part.strip().lower() for part in _set_cookie(behind_proxy).split(";")}
    # From the development frontend (another port of the same host): back to that page.
    dev = await post(admin.SIGN_IN_PATH, {"token": ADMIN}, origin="http://studio.test:3000")
    assert dev.headers["location"] == "http://studio.test:3000/stats"

    signed_out = await post(admin.SIGN_OUT_PATH, {}, origin="http://studio.test")
    assert signed_out.status_code == 303 and 'max-age=0' in _set_cookie(signed_out).lower()


async def test_a_wrong_token_a_foreign_page_or_no_admin_token_sets_nothing(
    database: str, configure: Callable[..., Settings]
) -> None:
    configure(ADMIN_TOKEN=ADMIN)
    for token in ("", "guess", ADMIN[:-1], ADMIN + "x", "x" * 10_000):
        response = await post(admin.SIGN_IN_PATH, {"token": token})
        assert response.status_code == 303 and response.headers["location"] == "/stats?signin=failed"
        assert _set_cookie(response) == ""
    foreign = await post(admin.SIGN_IN_PATH, {"token": ADMIN}, origin="https://evil.example")
    assert foreign.status_code == 403 and _set_cookie(foreign) == ""
    configure(ADMIN_TOKEN="")
    hidden = await post(admin.SIGN_IN_PATH, {"token": ""})
    assert hidden.status_code == 404 and _set_cookie(hidden) == ""
    assert (await get(admin.SIGN_IN_PATH)).status_code == 405  # never a GET with the token in the URL


async def test_metrics_count_generations_failures_tokens_and_updates(
    settings: Settings, fake: FakeOpenAI, configure: Callable[..., Settings]
) -> None:
    configure(ADMIN_TOKEN=ADMIN)
    before = (await get("/metrics", BEARER)).text
    fake.script(Reply(content=RECIPE_TEXT), Reply(status=401))
    async with make_processor(DeltaRecorder()) as processor:
        tab = Browser(processor)
        await (await tab.send(StudioState.add_item, field="ingredients", form={"item": "rice"}))
        await (await tab.send(StudioState.generate))
        await (await tab.send(StudioState.generate))
    response = await get("/metrics", BEARER)
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


async def test_guessing_the_token_is_paused_after_ten_wrong_tries(database: str, configure: Callable[..., Settings]) -> None:
    configure(ADMIN_TOKEN=ADMIN)
    statuses = [(await post(admin.SIGN_IN_PATH, {"token": f"guess-{n}"})).status_code for n in range(11)]
    assert statuses == [303] * 10 + [429]
    paused = await post(admin.SIGN_IN_PATH, {"token": ADMIN})
    assert paused.status_code == 429 and _set_cookie(paused) == "" and "wait a minute" in paused.text


# --- recipe pictures ---------------------------------------------------------------------------

PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"a kept picture " * 200
PICTURE = "data:image/png;base64," + base64.b64encode(PNG_BYTES).decode()


def _browser(owner: str) -> dict[str, str]:
    """The request headers of a browser holding this owner cookie."""
    return {"Cookie": f"{OWNER_COOKIE}={owner}"}


@pytest.fixture
def kept(database: str) -> tuple[str, int]:
    """An owner and one of their saved recipes with a kept picture."""
    owner = secrets.token_urlsafe(32)
    row = recipes.save_recipe(owner, Recipe.model_validate(RECIPE))
    assert pictures.keep_picture(owner, row.id, PICTURE, "gpt-image-1")
    return owner, row.id


async def test_a_kept_picture_is_served_to_its_owner_with_its_type_an_etag_and_revalidation(kept: tuple[str, int]) -> None:
    owner, recipe_id = kept
    response = await get(f"/pictures/{recipe_id}?v=1", _browser(owner))
    assert response.status_code == 200 and response.content == PNG_BYTES
    assert response.headers["content-type"] == "image/png"
    assert response.headers["cache-control"] == "private, no-cache"  # a revoked link or a delete stops it at once
    etag = response.headers["etag"]
    again = await get(f"/pictures/{recipe_id}", {**_browser(owner), "If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    newer = "data:image/jpeg;base64," + base64.b64encode(b"\xff\xd8 a new picture").decode()
    version = pictures.keep_picture(owner, recipe_id, newer, "gpt-image-1")  # New picture
    fresh = await get(f"/pictures/{recipe_id}?v={version}", {**_browser(owner), "If-None-Match": etag})
    assert fresh.status_code == 200 and fresh.content == b"\xff\xd8 a new picture"
    assert fresh.headers["content-type"] == "image/jpeg" and fresh.headers["etag"] != etag


async def test_another_browser_no_cookie_or_a_deleted_recipe_gets_not_found(kept: tuple[str, int]) -> None:
    owner, recipe_id = kept
    stranger = secrets.token_urlsafe(32)
    recipes.save_recipe(stranger, Recipe.model_validate(RECIPE))  # a library of its own
    for headers in (_browser(stranger), {}, _browser(owner[:-1] + "!"), _browser(owner + "x")):
        response = await get(f"/pictures/{recipe_id}", headers)
        assert response.status_code == 404 and response.content == b"Not found", headers
    assert (await get(f"/pictures/{recipe_id + 1}", _browser(owner))).status_code == 404  # no picture kept
    recipes.delete_recipe(owner, recipe_id)
    assert (await get(f"/pictures/{recipe_id}", _browser(owner))).status_code == 404
    recipes.restore_recipe(owner, recipe_id)  # Undo brings it back
    assert (await get(f"/pictures/{recipe_id}", _browser(owner))).content == PNG_BYTES


async def test_a_shared_picture_is_served_through_a_live_link_only(kept: tuple[str, int]) -> None:
    owner, recipe_id = kept
    slug = recipes.share_recipe(owner, recipe_id)
    response = await get(f"/pictures/shared/{slug}")  # anyone with the link, no cookie
    assert response.status_code == 200 and response.content == PNG_BYTES
    assert response.headers["cache-control"] == "private, no-cache"
    assert recipes.revoke_share(owner, recipe_id)
    assert (await get(f"/pictures/shared/{slug}")).status_code == 404  # revoked: gone at once
    revalidated = await get(f"/pictures/shared/{slug}", {"If-None-Match": response.headers["etag"]})
    assert revalidated.status_code == 404  # not a 304 either
    new_slug = recipes.share_recipe(owner, recipe_id)
    assert (await get(f"/pictures/shared/{new_slug}")).content == PNG_BYTES
    recipes.delete_recipe(owner, recipe_id)
    assert (await get(f"/pictures/shared/{new_slug}")).status_code == 404


_COOKIE_CHARS = string.ascii_letters + string.digits + "-_"


# A cookie: the owner's own, the owner's with one character changed, or any string of cookie characters.
_COOKIES = st.one_of(
    st.just(None),
    st.tuples(st.integers(0, 42), st.sampled_from(_COOKIE_CHARS)),
    st.text(_COOKIE_CHARS, max_size=50),
)


@given(cookie=_COOKIES, slug=st.text(_COOKIE_CHARS + ".~", max_size=70))
@hypothesis_settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_no_cookie_or_link_but_the_right_one_reaches_a_picture(
    kept: tuple[str, int], cookie: object, slug: str
) -> None:
    owner, recipe_id = kept
    if cookie is None:
        cookie = owner
    elif isinstance(cookie, tuple):
        cookie = owner[: cookie[0]] + cookie[1] + owner[cookie[0] + 1 :]
    with TestClient(operator_api, base_url="http://studio.test") as client:
        by_cookie = client.get(f"/pictures/{recipe_id}", headers=_browser(cookie))
        by_link = client.get(f"/pictures/shared/{slug}") if slug else None
    assert by_cookie.status_code == (200 if cookie == owner else 404)
    assert by_cookie.content == (PNG_BYTES if cookie == owner else b"Not found")
    assert by_link is None or by_link.status_code == 404  # nothing is shared
