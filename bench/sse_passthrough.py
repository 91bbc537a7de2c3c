"""Baseline (c): a plain Starlette SSE passthrough, no state, no UI framework.

``GET /stream?tag=X`` reads the upstream with the openai SDK (``stream=True``) and forwards every
token as one SSE event ``data: {"c": "<token>"}``, then ``event: done``. Served by uvicorn:

    OPENAI_BASE_URL=http://127.0.0.1:8011/v1 python -m uvicorn bench.sse_passthrough:app --port 8013
"""

from __future__ import annotations

import json
import os

import httpx
from openai import AsyncOpenAI
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, StreamingResponse
from starlette.routing import Route

_client: AsyncOpenAI | None = None


def client() -> AsyncOpenAI:
    global _client
    if _client is None:
        _client = AsyncOpenAI(
            api_key=os.environ.get("OPENAI_API_KEY", "bench"),
            base_url=os.environ["OPENAI_BASE_URL"],
            max_retries=0,
            http_client=httpx.AsyncClient(timeout=600, limits=httpx.Limits(max_connections=1000)),
        )
    return _client


async def stream(request: Request) -> StreamingResponse:
    tag = request.query_params.get("tag", "")

    async def events():
        upstream = await client().chat.completions.create(
            model="gpt-4.1-mini",
            messages=[{"role": "user", "content": f"A recipe with chickpeas, please ({tag})."}],
            stream=True,
        )
        async for chunk in upstream:
            if chunk.choices and chunk.choices[0].delta.content:
                yield "data: " + json.dumps({"c": chunk.choices[0].delta.content}) + "\n\n"
        yield "event: done\ndata: {}\n\n"

    return StreamingResponse(events(), media_type="text/event-stream")


async def ping(request: Request) -> PlainTextResponse:
    return PlainTextResponse("pong")


app = Starlette(routes=[Route("/stream", stream), Route("/ping", ping)])
