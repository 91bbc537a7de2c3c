"""HTTP endpoints beside the app: liveness, readiness, Prometheus metrics, the admin sign-in and
the recipe pictures.

Put in front of Reflex's own backend (`rx.App(api_transformer=in_front_of)`), so they answer on the
backend port, and on the single port of `reflex run --env prod --single-port`. Only an HTTP request
for one of these routes enters this Starlette app; everything else, the event socket above all, goes
straight to Reflex. A tab's websocket then holds no frames of this app's routing and middleware for
as long as it is open (about 2.8 KB per tab, measured with tracemalloc and 200 idle tabs), and its
messages pass through none of them.

``/health`` and ``/ready`` are public (load balancers), but ``/ready`` names the model and the
degraded compatibility features only to the operator; ``/metrics`` needs the operator
(``Authorization: Bearer $ADMIN_TOKEN``, web/admin.py) and is not found without ``ADMIN_TOKEN``.
``/pictures/...`` serves a saved recipe's kept picture to its owner or through its live share
link (web/pictures.py).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client import multiprocess
from sqlalchemy import text
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.middleware.cors import CORSMiddleware
from starlette.routing import Match, Route
from starlette.types import ASGIApp, Receive, Scope, Send

import reflex as rx

from recipe_app.core import compat, metrics  # noqa: F401 - registers the metrics
from recipe_app.web import admin, pictures
from recipe_app.db.session import get_engine
from recipe_app.core.settings import get_settings


async def health(_: Request) -> JSONResponse:
    """Liveness: the process answers."""
    return JSONResponse({"status": "ok"})


def _database_ok() -> bool:
    with get_engine().connect() as connection:
        connection.execute(text("SELECT 1"))
    return True


async def _redis_ok(url: str) -> bool:
    import redis.asyncio as aioredis

    client = aioredis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
    try:
        return bool(await client.ping())
    finally:
        await client.aclose()


async def ready(request: Request) -> JSONResponse:
    """Readiness: database (and Redis when configured) reachable, upstream configured.

    A degraded compatibility feature (core/compat.py) is reported, but still ready: its fallback works.
    """
    settings = get_settings()
    checks: dict[str, str] = {}
    try:
        await asyncio.wait_for(asyncio.to_thread(_database_ok), 5)
        checks["database"] = "ok"
    except Exception as exc:  # noqa: BLE001 - reported, not raised
        checks["database"] = f"unreachable: {type(exc).__name__}"
    if settings.redis_url:
        try:
            await asyncio.wait_for(_redis_ok(settings.redis_url), 5)
            checks["redis"] = "ok"
        except Exception as exc:  # noqa: BLE001
            checks["redis"] = f"unreachable: {type(exc).__name__}"
    checks["upstream"] = "demo model" if settings.demo_mode else "configured"
    healthy = all(value in ("ok", "demo model", "configured") for value in checks.values())
    degraded = compat.degraded()
    checks["compatibility"] = "degraded" if degraded else "ok"
    body: dict[str, object] = {"status": "ready" if healthy else "not ready", "checks": checks}
    if admin.operator(request):
        body["model"] = settings.model_name
        body["degraded"] = degraded
    return JSONResponse(body, status_code=200 if healthy else 503)


async def metrics_endpoint(request: Request) -> Response:
    """Prometheus text format (summed over workers when PROMETHEUS_MULTIPROC_DIR is set), for the operator."""
    if admin.configured_token() is None:
        return Response("Not found", status_code=404, media_type="text/plain")
    if not admin.bearer_ok(request):
        return Response("Unauthorized", status_code=401, media_type="text/plain", headers={"WWW-Authenticate": "Bearer"})
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        body = generate_latest(registry)
    else:
        body = generate_latest()
    return Response(body, media_type=CONTENT_TYPE_LATEST)


operator_api = Starlette(
    routes=[
        Route("/health", health),
        Route("/ready", ready),
        Route("/metrics", metrics_endpoint),
        Route(admin.SIGN_IN_PATH, admin.sign_in, methods=["POST"]),
        Route(admin.SIGN_OUT_PATH, admin.sign_out, methods=["POST"]),
        *pictures.routes,
    ]
)


def in_front_of(backend: ASGIApp) -> ASGIApp:
    """Reflex's backend with the routes above in front: theirs go here, every other request to Reflex.

    The routes get the CORS policy Reflex gives a mounted Starlette app (its allowed origins, with
    credentials), so the sign-in posted from the frontend's own port in development still works.
    """
    operator = CORSMiddleware(
        operator_api,
        allow_credentials=True,
        allow_methods=["*"],
        allow_headers=["*"],
        allow_origins=rx.config.get_config().cors_allowed_origins,
    )
    routes = operator_api.routes

    def dispatch(scope: Scope, receive: Receive, send: Send) -> Awaitable[None]:
        # A path that matches with another method is the operator's too: it answers 405, as it did
        # when this app was mounted in front. Not a coroutine itself: it hands over the chosen app's,
        # so an open socket keeps no frame of it either.
        if scope["type"] == "http" and any(route.matches(scope)[0] is not Match.NONE for route in routes):
            return operator(scope, receive, send)
        return backend(scope, receive, send)

    return dispatch
