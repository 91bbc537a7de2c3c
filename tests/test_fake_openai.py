"""Tests proving FakeOpenAI speaks the wire format the real ``openai`` SDK expects."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import openai
import pytest
import pytest_asyncio
from openai.types.chat import ChatCompletionChunk

from tests.fake_openai import FakeOpenAI, Reply

MESSAGES = [{"role": "user", "content": "Give me a pancake recipe."}]
LONG = "Whisk the flour, eggs and milk together until smooth. " * 10


@pytest_asyncio.fixture
async def client(fake: FakeOpenAI) -> AsyncIterator[openai.AsyncOpenAI]:
    async with openai.AsyncOpenAI(base_url=fake.base_url, api_key="test", max_retries=0) as c:
        yield c


async def _stream(client: openai.AsyncOpenAI, **kwargs: Any) -> openai.AsyncStream[ChatCompletionChunk]:
    """Start a streaming chat completion with the shared test messages."""
    return await client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES, stream=True, **kwargs)


@pytest.mark.asyncio
async def test_stream_reassembles_content_with_usage(fake: FakeOpenAI, client: openai.AsyncOpenAI) -> None:
    fake.script(Reply(content="Pancakes:\n  1 cup flour, 2 eggs."))
    stream = await _stream(client, stream_options={"include_usage": True})
    text, finish, usage = "", None, None
    async for chunk in stream:
        if chunk.choices:
            text += chunk.choices[0].delta.content or ""
            finish = chunk.choices[0].finish_reason or finish
        if chunk.usage:
            usage = chunk.usage
    assert text == "Pancakes:\n  1 cup flour, 2 eggs."
    assert finish == "stop"
    assert usage is not None and usage.completion_tokens == 8
    assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens
    rec = await fake.await_closed()
    assert rec.completed and not rec.client_closed and rec.chunks_sent == 8
    assert rec.body["messages"] == MESSAGES and rec.headers["authorization"] == "Bearer test"


@pytest.mark.asyncio
async def test_raw_lines_match_wire_format(fake: FakeOpenAI, client: openai.AsyncOpenAI) -> None:
    fake.script(Reply(tokens=["Hi", " there"], finish_reason="length"))
    async with client.chat.completions.with_streaming_response.create(
        model="my-model", messages=MESSAGES, stream=True, stream_options={"include_usage": True}
    ) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        lines = [line async for line in response.iter_lines() if line]
    assert all(line.startswith("data: ") for line in lines) and lines[-1] == "data: [DONE]"
    chunks = [json.loads(line[6:]) for line in lines[:-1]]
    assert len({c["id"] for c in chunks}) == 1 and chunks[0]["id"].startswith("chatcmpl-")
    for c in chunks:
        assert c["object"] == "chat.completion.chunk" and c["model"] == "my-model" and c["created"] > 0
    for c in chunks[:-1]:
        assert c["choices"][0]["index"] == 0 and c["choices"][0]["logprobs"] is None and c["usage"] is None
    assert chunks[0]["choices"][0]["delta"] == {"role": "assistant", "content": ""}
    assert [c["choices"][0]["delta"]["content"] for c in chunks[1:3]] == ["Hi", " there"]
    assert chunks[3]["choices"][0]["delta"] == {} and chunks[3]["choices"][0]["finish_reason"] == "length"
    assert chunks[4]["choices"] == [] and chunks[4]["usage"]["completion_tokens"] == 2


@pytest.mark.asyncio
async def test_early_close_is_detected(fake: FakeOpenAI, client: openai.AsyncOpenAI) -> None:
    fake.script(Reply(content=LONG, tokens_per_s=50))
    stream = await _stream(client)
    seen = 0
    async for chunk in stream:
        seen += bool(chunk.choices[0].delta.content)
        if seen == 3:
            break
    closed_at = time.monotonic()
    await stream.close()
    rec = await fake.await_closed(timeout=2)
    assert rec.client_closed and not rec.completed
    assert 3 <= rec.chunks_sent < 10
    assert rec.closed_at is not None and rec.closed_at - closed_at < 1.0


@pytest.mark.asyncio
async def test_stall_then_client_close_is_detected(fake: FakeOpenAI, client: openai.AsyncOpenAI) -> None:
    fake.script(Reply(content=LONG, stall_after=2))
    async with client.chat.completions.with_streaming_response.create(
        model="gpt-4o-mini", messages=MESSAGES, stream=True
    ) as response:
        lines, seen = (line async for line in response.iter_lines() if line), 0
        while seen < 3:  # the role chunk and 2 content chunks all carry '"content":"'
            seen += '"content":"' in await anext(lines)
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(anext(lines), 0.3)
        closed_at = time.monotonic()
    rec = await fake.await_closed(timeout=2)
    assert rec.client_closed and rec.chunks_sent == 2 and not rec.completed
    assert rec.closed_at is not None and rec.closed_at - closed_at < 1.0


@pytest.mark.asyncio
async def test_rate_limit_and_auth_errors(fake: FakeOpenAI, client: openai.AsyncOpenAI) -> None:
    fake.script(Reply(status=429, headers={"Retry-After": "7"}), Reply(status=429, error_code="insufficient_quota"),
                Reply(status=401))
    with pytest.raises(openai.RateLimitError) as err:
        await _stream(client)
    assert err.value.response.headers["retry-after"] == "7" and err.value.code == "rate_limit_exceeded"
    with pytest.raises(openai.RateLimitError) as quota:
        await _stream(client)
    assert quota.value.code == "insufficient_quota"
    with pytest.raises(openai.AuthenticationError):
        await client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
    assert [r.status for r in fake.requests] == [429, 429, 401]


@pytest.mark.asyncio
@pytest.mark.parametrize(("status", "exc"), [(400, openai.BadRequestError), (403, openai.PermissionDeniedError),
                                             (404, openai.NotFoundError), (500, openai.InternalServerError),
                                             (503, openai.InternalServerError)])
async def test_status_maps_to_sdk_error(fake: FakeOpenAI, client: openai.AsyncOpenAI, status: int,
                                        exc: type[openai.APIStatusError]) -> None:
    fake.default = Reply(status=status)
    with pytest.raises(exc) as err:
        await _stream(client)
    assert err.value.status_code == status and isinstance(err.value.body, dict) and err.value.body["message"]


@pytest.mark.asyncio
async def test_drop_after_raises_while_reading(fake: FakeOpenAI, client: openai.AsyncOpenAI) -> None:
    fake.script(Reply(content=LONG, drop_after=3))
    stream = await _stream(client)
    text = ""
    with pytest.raises((httpx.HTTPError, openai.APIError)):
        async for chunk in stream:
            text += chunk.choices[0].delta.content or ""
    assert text == LONG[:12]
    rec = await fake.await_closed()
    assert rec.dropped and rec.chunks_sent == 3 and not rec.completed and not rec.client_closed


@pytest.mark.asyncio
async def test_tokens_per_s_pacing(fake: FakeOpenAI, client: openai.AsyncOpenAI) -> None:
    fake.script(Reply(tokens=[f"t{i} " for i in range(20)], tokens_per_s=100))
    stream = await _stream(client)
    assert "".join([c.choices[0].delta.content or "" async for c in stream]).split() == [f"t{i}" for i in range(20)]
    rec = await fake.await_closed()
    gaps = [b - a for a, b in zip(rec.token_times, rec.token_times[1:])]
    assert len(rec.token_times) == 20 and min(gaps) >= 0.009
    assert rec.token_times[-1] - rec.token_times[0] >= 0.15


@pytest.mark.asyncio
async def test_reject_json_schema_only(fake: FakeOpenAI, client: openai.AsyncOpenAI) -> None:
    fake.default = Reply(content='{"ok": true}', reject_json_schema=True)
    schema = {"type": "json_schema", "json_schema": {"name": "r", "schema": {"type": "object"}}}
    with pytest.raises(openai.BadRequestError) as err:
        await _stream(client, response_format=schema)
    assert err.value.param == "response_format" and "json_schema" in err.value.message
    for extra in ({"response_format": {"type": "json_object"}}, {}):
        out = await client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES, **extra)
        assert out.choices[0].message.content == '{"ok": true}'
    assert [r.status for r in fake.requests] == [400, 200, 200]


@pytest.mark.asyncio
async def test_non_stream_models_refusal_and_malformed(fake: FakeOpenAI, client: openai.AsyncOpenAI) -> None:
    fake.script(Reply(content="Soup."), Reply(refusal="I can't help with that."),
                Reply(content=LONG, malformed_after=1))
    out = await client.chat.completions.create(model="gpt-4o", messages=MESSAGES)
    assert out.object == "chat.completion" and out.choices[0].message.content == "Soup." and out.usage is not None
    stream = await _stream(client)
    refusal = "".join([getattr(c.choices[0].delta, "refusal", None) or "" async for c in stream])
    assert refusal == "I can't help with that."
    async with client.chat.completions.with_streaming_response.create(
        model="gpt-4o-mini", messages=MESSAGES, stream=True
    ) as response:
        lines = [line async for line in response.iter_lines() if line]
    assert lines[2] == "data: {not json" and lines[-1] == "data: [DONE]"
    assert [m.id for m in (await client.models.list()).data] == fake.models
    assert fake.request_count == 3 and not fake.errors


@pytest.mark.asyncio
async def test_many_concurrent_streams(fake: FakeOpenAI, client: openai.AsyncOpenAI) -> None:
    fake.default = Reply(content="abcd" * 10, tokens_per_s=20)  # ~0.5 s per stream

    async def consume() -> str:
        return "".join([c.choices[0].delta.content or "" async for c in await _stream(client)])

    results = await asyncio.gather(*(consume() for _ in range(30)))
    assert results == ["abcd" * 10] * 30
    records = await fake.await_requests(30)
    assert all(r.completed for r in records)
    assert max(r.started_at for r in records) < min(r.closed_at or 0 for r in records)  # all overlapped


@pytest.mark.asyncio
async def test_stop_is_quick_with_stalled_stream() -> None:
    fake = FakeOpenAI(default=Reply(content=LONG, stall_after=1)).start()
    async with openai.AsyncOpenAI(base_url=fake.base_url, api_key="test", max_retries=0) as client:
        stream = await _stream(client)
        await anext(stream)
        started = time.monotonic()
        await asyncio.to_thread(fake.stop)
        assert time.monotonic() - started < 1.0
        with pytest.raises((httpx.HTTPError, openai.APIError)):
            async for _ in stream:
                pass
    rec = fake.requests[0]
    assert rec.closed_at is not None and not rec.completed and rec.chunks_sent == 1


def test_wait_helpers_time_out() -> None:
    with FakeOpenAI() as fake:
        with pytest.raises(TimeoutError):
            fake.wait_for_requests(1, timeout=0.05)
        with pytest.raises(TimeoutError):
            fake.wait_closed(timeout=0.05)
