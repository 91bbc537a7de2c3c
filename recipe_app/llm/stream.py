"""Read one streaming chat completion as text pieces, straight from the SSE lines.

The SDK still builds the request, authenticates, retries failed connects and maps error statuses;
we only skip its per-chunk object building (``with_streaming_response`` + ``iter_lines``), which is
the dominant CPU cost per stream. Leaving the generator early closes the HTTP response, which is
what stops the provider generating (and billing) tokens.

Over the SDK's aiohttp transport the body is read in bulk: with a :class:`Pace`, the reader sleeps
until the next flush is due and then takes everything aiohttp buffered meanwhile, one wake-up per
batch instead of one per token. aiohttp keeps receiving (and its stall timer keeps running) while
we sleep; see bench/reader.py for what that saves.
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from typing import Any

import aiohttp
import httpx
import httpx2  # the openai SDK's own httpx fork: its aiohttp transport raises these
import jiter
import openai
from openai import AsyncOpenAI

from recipe_app.llm.batching import Pace
from recipe_app.llm.errors import GenerationError, Interrupted, UnreadableRecipe, UpstreamServerError, from_openai
from recipe_app.domain.request import RecipeRequest
from recipe_app.llm.prompts import build_messages, continuation_messages
from recipe_app.domain.recipe import recipe_json_schema
from recipe_app.llm.structured import response_format_json_schema
from recipe_app.core.settings import Settings

# Servers that answered "json_schema not supported" once get json_object from then on.
_json_schema_unsupported: set[str] = set()


@dataclass
class StreamMeta:
    """What the stream said besides the text."""

    finish_reason: str | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    refusal: str = ""
    response_format: str = "json_schema"
    content_chunks: int = 0  # ~ completion tokens when the stream ends before its usage chunk

    @property
    def billed_out(self) -> int:
        """Completion tokens: the provider's count, or the chunks received when it sent none."""
        return self.completion_tokens or self.content_chunks


def request_kwargs(
    settings: Settings, request: RecipeRequest, json_schema: bool, prefix: str = "", seed: int | None = None
) -> dict[str, Any]:
    """Arguments of ``chat.completions.create`` for one recipe (or the rest of one, after ``prefix``)."""
    kwargs: dict[str, Any] = {
        "model": settings.model_name,
        "stream": True,
        "stream_options": {"include_usage": True},
        "temperature": settings.openai_temperature,
        "max_tokens": settings.openai_max_tokens,
        # A fresh seed per recipe (Regenerate gives another one, also from the demo model); a
        # continuation reuses its recipe's seed.
        "seed": secrets.randbelow(2**31) if seed is None else seed,
    }
    if prefix:
        # A continuation is the tail of a JSON text, not a whole object: no response_format.
        kwargs["messages"] = continuation_messages(request, prefix)
    else:
        kwargs["messages"] = build_messages(request, None if json_schema else recipe_json_schema())
        kwargs["response_format"] = response_format_json_schema() if json_schema else {"type": "json_object"}
    return kwargs


def _rejects_json_schema(exc: openai.BadRequestError) -> bool:
    text = f"{getattr(exc, 'param', '')} {exc.message}".lower()
    return "response_format" in text or "json_schema" in text


def _pieces(payload: dict[str, Any], meta: StreamMeta) -> str:
    """The content of one chunk; records finish reason, usage and refusal text on ``meta``."""
    if error := payload.get("error"):
        raise UpstreamServerError(detail=f"error event in stream: {str(error)[:200]}")
    if usage := payload.get("usage"):
        meta.prompt_tokens = int(usage.get("prompt_tokens") or 0)
        meta.completion_tokens = int(usage.get("completion_tokens") or 0)
    choices = payload.get("choices") or ()
    if not choices:
        return ""
    choice = choices[0]
    if reason := choice.get("finish_reason"):
        meta.finish_reason = reason
    delta = choice.get("delta") or {}
    if refusal := delta.get("refusal"):
        meta.refusal += refusal
    return delta.get("content") or ""


def _aiohttp_body(response: Any) -> aiohttp.StreamReader | None:
    """aiohttp's buffer under the SDK's response, when the body can be read from it as is."""
    # Private attributes of httpx2's bound stream and of the SDK's vendored aiohttp transport
    # (openai pinned below 4; tests/llm/test_transports.py notices if they move).
    stream = getattr(response.http_response.stream, "_stream", None)
    aio = getattr(stream, "_aiohttp_response", None)
    if not isinstance(aio, aiohttp.ClientResponse):
        return None
    if response.http_response.headers.get("content-encoding", "identity").lower() != "identity":
        return None  # compressed: the transport does not decode, httpx's decoders must
    return aio.content


def _salvage(body: aiohttp.StreamReader) -> bytes:
    """The bytes that arrived before the connection failed: aiohttp raises instead of handing them out."""
    buffer = getattr(body, "_buffer", None)  # private (aiohttp 3); test_transports notices a change
    if not buffer:
        return b""
    data = b"".join(buffer)
    buffer.clear()
    return data


async def _drained_lines(body: aiohttp.StreamReader, pace: Pace) -> AsyncIterator[list[bytes]]:
    """The complete lines aiohttp buffered by the time the next flush is due."""
    rest = b""
    while True:
        await pace.due()
        failure: Interrupted | None = None
        cause: BaseException | None = None
        try:
            data = await body.readany()
        except TimeoutError as exc:  # aiohttp.ServerTimeoutError: no bytes for the stall time
            cause, failure = exc, Interrupted("The AI stopped responding.", detail=type(exc).__name__)
            data = _salvage(body)
        except aiohttp.ClientError as exc:
            cause, failure = exc, Interrupted("The connection to the AI service dropped.", detail=type(exc).__name__)
            data = _salvage(body)
        if failure is None and not data:
            if rest:
                yield [rest]
            return
        lines = (rest + data).split(b"\n")
        rest = lines.pop()
        if lines:
            yield lines  # what arrived before a failure is shown before its message
        if failure is not None:
            raise failure from cause


async def _line_batches(response: Any, pace: Pace | None) -> AsyncIterator[Iterable[str | bytes]]:
    body = _aiohttp_body(response) if pace is not None else None
    if body is not None:
        pace.followed = True  # the pieces are whole batches now
        async for lines in _drained_lines(body, pace):
            yield lines
        return
    async for line in response.iter_lines():
        yield (line,)


def _content(lines: Iterable[str | bytes], meta: StreamMeta) -> tuple[str, bool, GenerationError | None]:
    """The text in some SSE lines, whether ``[DONE]`` was among them, and what stopped the reading.

    The events' JSON is parsed in one call per batch; an unreadable event ends the text before it.
    """
    datas: list[bytes] = []
    done = False
    for line in lines:
        raw = line.encode() if isinstance(line, str) else line
        if not raw.startswith(b"data:"):
            continue  # blank separators, comments, event names
        data = raw[5:].strip()
        if data == b"[DONE]":
            done = True
            break
        datas.append(data)
    try:
        payloads = jiter.from_json(b"[" + b",".join(datas) + b"]") if datas else []
    except ValueError:
        payloads = None
    text: list[str] = []
    try:
        for payload in payloads if payloads is not None else map(_event, datas):
            if piece := _pieces(payload, meta):
                meta.content_chunks += 1
                text.append(piece)
    except GenerationError as exc:
        return "".join(text), True, exc
    return "".join(text), done, None


def _event(data: bytes) -> Any:
    try:
        return jiter.from_json(data)
    except ValueError as exc:
        raise UnreadableRecipe(detail=f"malformed chunk: {data[:80]!r}") from exc


async def stream_recipe_text(
    client: AsyncOpenAI,
    settings: Settings,
    request: RecipeRequest,
    meta: StreamMeta,
    prefix: str = "",
    seed: int | None = None,
    pace: Pace | None = None,
) -> AsyncIterator[str]:
    """Yield the recipe JSON text (after ``prefix``) as it arrives. Raises :class:`GenerationError`.

    ``pace``: the flush clock of the consumer; reading in bulk waits for it (aiohttp transport only).
    """
    server = str(client.base_url)
    json_schema = server not in _json_schema_unsupported
    while True:
        opened = False
        meta.response_format = "continuation" if prefix else ("json_schema" if json_schema else "json_object")
        try:
            async with client.chat.completions.with_streaming_response.create(
                **request_kwargs(settings, request, json_schema, prefix, seed)
            ) as response:
                opened = True
                async for lines in _line_batches(response, pace):
                    text, done, failure = _content(lines, meta)
                    if text:
                        yield text
                    if failure is not None:
                        raise failure
                    if done:
                        return
            return
        except openai.BadRequestError as exc:
            if json_schema and not prefix and _rejects_json_schema(exc):
                _json_schema_unsupported.add(server)
                json_schema = False
                continue
            raise from_openai(exc) from exc
        except GenerationError:
            raise
        except (httpx.TimeoutException, httpx2.TimeoutException, openai.APITimeoutError) as exc:
            if not opened:
                raise from_openai(exc) from exc
            raise Interrupted("The AI stopped responding.", detail=type(exc).__name__) from exc
        except (httpx.TransportError, httpx2.TransportError, openai.APIConnectionError) as exc:
            if not opened:
                raise from_openai(exc) from exc
            raise Interrupted("The connection to the AI service dropped.", detail=type(exc).__name__) from exc
        except openai.APIError as exc:
            raise from_openai(exc) from exc
