"""Read one streaming chat completion as text pieces, straight from the SSE lines.

The SDK still builds the request, authenticates, retries failed connects and maps error statuses;
we only skip its per-chunk object building (``with_streaming_response`` + ``iter_lines``), which is
the dominant CPU cost per stream. Leaving the generator early closes the HTTP response, which is
what stops the provider generating (and billing) tokens.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import httpx2  # the openai SDK's own httpx fork: its aiohttp transport raises these
import openai
from openai import AsyncOpenAI

from recipe_app.llm.errors import GenerationError, Interrupted, UnreadableRecipe, UpstreamServerError, from_openai
from recipe_app.llm.prompts import RecipeRequest, build_messages, continuation_messages
from recipe_app.llm.schema import recipe_json_schema, response_format_json_schema
from recipe_app.settings import Settings

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


async def stream_recipe_text(
    client: AsyncOpenAI,
    settings: Settings,
    request: RecipeRequest,
    meta: StreamMeta,
    prefix: str = "",
    seed: int | None = None,
) -> AsyncIterator[str]:
    """Yield the recipe JSON text (after ``prefix``) as it arrives. Raises :class:`GenerationError`."""
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
                async for line in response.iter_lines():
                    if not line.startswith("data:"):
                        continue  # blank separators, comments, event names
                    data = line[5:].strip()
                    if data == "[DONE]":
                        return
                    try:
                        payload = json.loads(data)
                    except ValueError as exc:
                        raise UnreadableRecipe(detail=f"malformed chunk: {data[:80]!r}") from exc
                    if piece := _pieces(payload, meta):
                        meta.content_chunks += 1
                        yield piece
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
