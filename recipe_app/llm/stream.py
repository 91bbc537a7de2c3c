"""Read one streaming chat completion as text pieces, straight from the SSE bytes.

The SDK still builds the request, authenticates, retries failed connects and maps error statuses;
we only skip its per-chunk object building (``with_streaming_response``), which is the dominant CPU
cost per stream. Leaving the generator early closes the HTTP response, which is what stops the
provider generating (and billing) tokens.

Over the SDK's aiohttp transport the body is read in bulk: with a :class:`Pace`, the reader sleeps
until the next flush is due and then takes everything aiohttp buffered meanwhile, one wake-up per
batch instead of one per token. aiohttp keeps receiving (and its stall timer keeps running) while
we sleep; see bench/reader.py for what that saves.

How the stream ended is recorded on :class:`StreamMeta` (``finish_reason``, ``done``); what that
means for the recipe is decided by ``generation/run.py``.
"""

from __future__ import annotations

import json
import math
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import aiohttp
import httpx
import httpx2  # the openai SDK's own httpx fork: its aiohttp transport raises these
import jiter
import openai
from openai import AsyncOpenAI

from recipe_app.core import compat
from recipe_app.core.settings import Settings
from recipe_app.domain.recipe import recipe_json_schema
from recipe_app.domain.request import RecipeRequest
from recipe_app.llm import structured
from recipe_app.llm.batching import Pace
from recipe_app.llm.errors import (
    EmptyAnswer,
    GenerationError,
    Interrupted,
    NotAStream,
    UnreadableRecipe,
    UpstreamServerError,
    from_openai,
    safe_fields,
)
from recipe_app.llm.prompts import build_messages, continuation_messages
from recipe_app.llm.sse import Event, SSEDecoder

#: Characters per token when the provider sends no usage: OpenAI's rule of thumb for English text
#: (its tokenizers ship no offline vocabulary). Recipe JSON runs a little denser; it is an estimate.
CHARS_PER_TOKEN = 4.0
#: Tokens a chat message costs besides its text (role and separators), as in OpenAI's cookbook.
TOKENS_PER_MESSAGE = 4


@dataclass
class StreamMeta:
    """What the stream said besides the text."""

    finish_reason: str | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    refusal: str = ""
    response_format: str = "json_schema"
    content_chunks: int = 0  # ~ completion tokens when the stream ends before its usage chunk
    done: bool = False  # the stream ended with data: [DONE] (not a bare end of body)
    prompt_chars: int = 0  # size of the last request's messages, for the estimate
    prompt_messages: int = 0
    usage_estimated: bool = False  # some token count is ours, not the provider's

    @property
    def billed_out(self) -> int:
        """Completion tokens: the provider's count, or the chunks received when it sent none."""
        return self.completion_tokens or self.content_chunks

    def estimate_missing_usage(self) -> None:
        """Fill in counts the provider did not send (no usage chunk, or the stream ended early).

        The prompt is billed whenever a request reached the provider; the answer's tokens are the
        content chunks received (one token per chunk on llama.cpp, vLLM and Ollama).
        """
        if self.prompt_tokens == 0 and self.prompt_chars:
            self.prompt_tokens = math.ceil(self.prompt_chars / CHARS_PER_TOKEN) + TOKENS_PER_MESSAGE * self.prompt_messages
            self.usage_estimated = True
        if self.completion_tokens == 0 and self.content_chunks:
            self.usage_estimated = True


def request_kwargs(
    settings: Settings, request: RecipeRequest, form: str, prefix: str = "", seed: int | None = None
) -> dict[str, Any]:
    """Arguments of ``chat.completions.create`` for one recipe (or the rest of one, after ``prefix``).

    ``form`` is the structured-output form (:data:`structured.FORMS`).
    """
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
        schema = recipe_json_schema() if structured.schema_in_prompt(form) else None
        kwargs["messages"] = build_messages(request, schema)
        kwargs["response_format"] = structured.response_format(form)
    return kwargs


@dataclass(frozen=True)
class PlainAsk:
    """Messages asked as they are (no response_format), with their own upper bound on the answer."""

    messages: list[dict[str, str]]
    max_tokens: int

    def kwargs(self, settings: Settings, seed: int | None) -> dict[str, Any]:
        """Arguments of ``chat.completions.create`` for these messages."""
        return {
            "model": settings.model_name,
            "stream": True,
            "stream_options": {"include_usage": True},
            "temperature": settings.openai_temperature,
            "max_tokens": self.max_tokens,
            "seed": secrets.randbelow(2**31) if seed is None else seed,
            "messages": self.messages,
        }


def _pieces(payload: dict[str, Any], meta: StreamMeta) -> str:
    """The content of one chunk; records finish reason, usage and refusal text on ``meta``."""
    if error := payload.get("error"):
        fields = safe_fields(error) if isinstance(error, dict) else ""  # never its message text
        raise UpstreamServerError(detail=f"error event in stream {fields}".strip())
    if usage := payload.get("usage"):
        meta.prompt_tokens = int(usage.get("prompt_tokens") or 0)
        meta.completion_tokens = int(usage.get("completion_tokens") or 0)
    choices = payload.get("choices") or ()
    if not choices:
        return ""
    choice = choices[0]
    if reason := choice.get("finish_reason"):
        meta.finish_reason = reason
    delta = choice.get("delta") or choice.get("message") or {}  # "message": a whole JSON answer
    if refusal := delta.get("refusal"):
        meta.refusal += refusal
    return delta.get("content") or ""


def _aiohttp_body(response: Any) -> aiohttp.StreamReader | None:
    """aiohttp's buffer under the SDK's response, when the body can be read from it as is (a private
    reach, with its fallback and start-up probe, in core/compat.py)."""
    return compat.aiohttp_body(response.http_response)


def _salvage(body: aiohttp.StreamReader) -> bytes:
    """The bytes that arrived before the connection failed (core/compat.py: aiohttp raises instead)."""
    return compat.salvage(body)


async def _bulk_reads(body: aiohttp.StreamReader, pace: Pace) -> AsyncIterator[tuple[bytes, GenerationError | None]]:
    """What aiohttp buffered by the time the next flush is due; the failure that ended it, last."""
    while True:
        await pace.due()
        try:
            data = await body.readany()
        except TimeoutError as exc:  # aiohttp.ServerTimeoutError: no bytes for the stall time
            yield _salvage(body), Interrupted("The AI stopped responding.", detail=type(exc).__name__)
            return
        except aiohttp.ClientError as exc:
            yield _salvage(body), Interrupted("The connection to the AI service dropped.", detail=type(exc).__name__)
            return
        if not data:
            return
        yield data, None


async def _reads(response: Any, pace: Pace | None) -> AsyncIterator[tuple[bytes, GenerationError | None]]:
    body = _aiohttp_body(response) if pace is not None else None
    if body is not None:
        pace.followed = True  # the pieces are whole batches now
        async for read in _bulk_reads(body, pace):
            yield read
        return
    async for data in response.iter_bytes():
        yield data, None


def _content(events: list[Event], meta: StreamMeta) -> tuple[str, GenerationError | None]:
    """The text in some SSE events and what stopped the reading; sets ``meta.done`` at ``[DONE]``.

    The events' JSON is parsed in one call per batch; an unreadable event ends the text before it.
    """
    datas: list[bytes] = []
    failure: GenerationError | None = None
    for event in events:
        if event.data == b"[DONE]":
            meta.done = True
            break
        if event.event == "error":  # a named error event (some servers send one mid-stream)
            failure = UpstreamServerError(detail="named error event in stream")  # its text is not logged
            break
        datas.append(event.data)
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
        return "".join(text), exc
    return "".join(text), failure


def _event(data: bytes) -> Any:
    try:
        return jiter.from_json(data)
    except ValueError as exc:
        raise UnreadableRecipe(detail=f"malformed chunk: {data[:80]!r}") from exc


async def _non_sse(response: Any, media: str, meta: StreamMeta) -> str:
    """The text of an answer that is not an event stream: a whole JSON completion, or an error."""
    body = await response.http_response.aread()
    if media == "application/json":
        try:
            payload = json.loads(body)
        except ValueError:
            payload = None
        if isinstance(payload, dict) and ("choices" in payload or "error" in payload):
            text = _pieces(payload, meta)
            meta.done = True
            return text
    raise NotAStream(detail=f"content-type {media or 'missing'}: {body[:120]!r}")


async def _read_stream(response: Any, meta: StreamMeta, pace: Pace | None) -> AsyncIterator[str]:
    media = response.http_response.headers.get("content-type", "text/event-stream").split(";")[0].strip().lower()
    if media != "text/event-stream":
        if text := await _non_sse(response, media, meta):
            meta.content_chunks += 1
            yield text
        return
    decoder = SSEDecoder()
    async for data, failure in _reads(response, pace):
        events = decoder.feed(data)
        if failure is not None:
            events += decoder.flush(partial_line=False)
        text, stop = _content(events, meta)
        if text:
            yield text  # what arrived before a failure is shown before its message
        if stop is not None:
            raise stop
        if meta.done:
            return  # a connection closed right after [DONE] (llama.cpp interrupting) lost nothing
        if failure is not None:
            raise failure
    text, stop = _content(decoder.flush(), meta)
    if text:
        yield text
    if stop is not None:
        raise stop


async def stream_recipe_text(
    client: AsyncOpenAI,
    settings: Settings,
    request: RecipeRequest,
    meta: StreamMeta,
    prefix: str = "",
    seed: int | None = None,
    pace: Pace | None = None,
    *,
    plain: PlainAsk | None = None,
) -> AsyncIterator[str]:
    """Yield the recipe JSON text (after ``prefix``) as it arrives. Raises :class:`GenerationError`.

    ``plain``: ask these messages instead (a question, a list of swaps), with no structured output.

    A server that refuses the structured-output form before the stream opens is asked again with
    the next form (:mod:`recipe_app.llm.structured`). A body that ends before any text is an
    :class:`EmptyAnswer` (retried by the caller like a dropped connection).

    ``pace``: the flush clock of the consumer; reading in bulk waits for it (aiohttp transport only).
    """
    server, model = str(client.base_url), settings.model_name
    form = structured.form_for(server, model)
    while True:
        opened = shown = False
        meta.response_format = "text" if plain else "continuation" if prefix else form
        meta.finish_reason, meta.done = None, False
        kwargs = plain.kwargs(settings, seed) if plain else request_kwargs(settings, request, form, prefix, seed)
        meta.prompt_chars = len(json.dumps(kwargs["messages"], ensure_ascii=False))
        meta.prompt_messages = len(kwargs["messages"])
        try:
            async with client.chat.completions.with_streaming_response.create(**kwargs) as response:
                opened = True
                async for text in _read_stream(response, meta, pace):
                    shown = True
                    yield text
            if not shown and meta.finish_reason is None and not meta.refusal:
                raise EmptyAnswer(detail=f"HTTP 200, no text, {'[DONE]' if meta.done else 'end of body'}")
            return
        except openai.APIStatusError as exc:
            if not prefix and not plain and structured.refuses_response_format(exc):
                following = structured.refused(server, model, form, f"HTTP {exc.status_code}: {exc.message}")
                if following is not None:
                    form = following
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
