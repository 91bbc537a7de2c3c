"""Typed generation failures, each with the message a cook sees and the outcome that is recorded.

Callers branch on the class, never on message text. Messages never contain key material: they are
written here, not copied from the provider's error body.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from email.utils import parsedate_to_datetime
from typing import Any

import aiohttp
import httpx
import openai


class GenerationError(Exception):
    """A generation that did not produce a valid recipe."""

    outcome = "failed"
    user_message = "Something went wrong while writing the recipe."
    retryable = False
    #: False when pressing Try again cannot help the cook (the site's account or settings are at
    #: fault): the card then offers no button that repeats the failure.
    cook_can_retry = True

    def __init__(self, user_message: str | None = None, *, detail: str = "") -> None:
        if user_message:
            self.user_message = user_message
        self.detail = detail  # for operators' logs; never shown to the cook
        super().__init__(self.user_message)

    @property
    def error_type(self) -> str:
        """Stable name recorded in the database and logs."""
        return type(self).__name__


class UpstreamUnavailable(GenerationError):
    user_message = "Could not reach the AI service. Check the connection and try again."
    retryable = True


class RateLimited(GenerationError):
    outcome = "rate_limited"
    user_message = "The AI service is busy right now. Please try again in a moment."
    retryable = True

    def __init__(self, user_message: str | None = None, *, detail: str = "", retry_after: float | None = None) -> None:
        super().__init__(user_message, detail=detail)
        self.retry_after = retry_after  # seconds the provider asked us to wait, if it said


class QuotaExceeded(GenerationError):
    user_message = "The studio's AI service is unavailable right now. Please try again later; the site owner has been notified."
    cook_can_retry = False


class CredentialsRejected(GenerationError):
    user_message = "The studio can't sign in to its AI service right now. Please let the site owner know."
    cook_can_retry = False


class ModelNotFound(GenerationError):
    user_message = "The studio's AI service is not set up correctly right now. Please let the site owner know."
    cook_can_retry = False


class InvalidRequest(GenerationError):
    # The operator's detail (check OPENAI_MODEL and OPENAI_MAX_TOKENS) goes to the log, not the card.
    user_message = "The AI service refused this request. If it keeps happening, please let the site owner know."
    cook_can_retry = False


class UpstreamServerError(GenerationError):
    user_message = "The AI service had an internal error. Please try again."
    retryable = True


class EmptyAnswer(GenerationError):
    """A 200 whose body ended before any text (llama.cpp servers answer a too-long prompt so)."""

    user_message = (
        "The AI service sent back an empty answer. Please try again; if it keeps happening, the "
        "site owner may need to give its model a larger context (more room for the request)."
    )
    retryable = True


class NotAStream(UpstreamServerError):
    """A 200 that is not an event stream: an HTML error page, plain text (a proxy, a wrong URL)."""

    user_message = "The AI service answered with something other than a recipe. Please try again."


class Interrupted(GenerationError):
    outcome = "interrupted"
    user_message = "The AI stopped responding before the recipe was finished."


class Truncated(GenerationError):
    outcome = "truncated"
    user_message = "The recipe was cut off before it was finished."


class ContextTooSmall(GenerationError):
    """Cut off below the requested ``max_tokens``: the server's context could not hold the answer."""

    outcome = "truncated"
    user_message = (
        "The recipe was cut off: the AI model has too little room (context) for a whole recipe. "
        "Site owner: raise the server's context size (llama.cpp --ctx-size, llama-cpp-python "
        "--n_ctx, Ollama num_ctx) or lower OPENAI_MAX_TOKENS."
    )
    cook_can_retry = False


class Refused(GenerationError):
    outcome = "refused"
    user_message = "The AI declined to write this recipe."


class UnreadableRecipe(GenerationError):
    user_message = "The AI returned an unreadable recipe."


def retry_after_seconds(headers: httpx.Headers) -> float | None:
    """Seconds from `retry-after-ms` or `Retry-After` (seconds or an HTTP date); None if absent."""
    if (ms := headers.get("retry-after-ms")) is not None:
        try:
            return max(0.0, float(ms) / 1000)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        try:
            return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
        except (TypeError, ValueError):
            return None


def _refused(exc: BaseException) -> bool:
    """A connection that was refused or never made (the SDK's aiohttp transport reports it as a timeout)."""
    seen: BaseException | None = exc
    for _ in range(8):
        if seen is None:
            return False
        if isinstance(seen, (ConnectionRefusedError, aiohttp.ClientConnectorError)):
            return not isinstance(seen, aiohttp.ServerTimeoutError)
        seen = seen.__cause__ or seen.__context__
    return False


#: What each logged field may look like: OpenAI-style snake_case codes and types, an opaque request
#: id that is not shaped like a key, a numeric status. Anything else is logged as '?'.
_SAFE_VALUES = {
    "status": re.compile(r"[1-5][0-9]{2}"),
    "code": re.compile(r"[a-z0-9_.]{1,48}"),
    "type": re.compile(r"[a-z0-9_.]{1,48}"),
    "request_id": re.compile(r"(?!sk-)[A-Za-z0-9_-]{1,64}"),
}


def safe_fields(fields: Mapping[str, Any]) -> str:
    """``status=.. code=.. type=.. request_id=..`` from a provider error: only those names, and only
    short identifier-like values; never a message, which can echo the key or the cook's input."""
    parts = []
    for name, shape in _SAFE_VALUES.items():
        value = fields.get(name)
        if value is None or value == "":
            continue
        text = str(value)
        parts.append(f"{name}={text if shape.fullmatch(text) else '?'}")
    return " ".join(parts)


def safe_detail(exc: BaseException) -> str:
    """The operators' log line for a provider or transport error: its class (and its cause's), then
    :func:`safe_fields` of its status, code, type and request id. Never ``str(exc)``."""
    body = getattr(exc, "body", None)
    error = body.get("error", body) if isinstance(body, dict) else {}
    fields = {
        "status": getattr(exc, "status_code", None),
        "code": getattr(exc, "code", None) or (error.get("code") if isinstance(error, dict) else None),
        "type": getattr(exc, "type", None) or (error.get("type") if isinstance(error, dict) else None),
        "request_id": getattr(exc, "request_id", None),
    }
    name = type(exc).__name__
    cause = exc.__cause__ or exc.__context__
    if cause is not None and not isinstance(exc, openai.APIStatusError):
        name += f" ({type(cause).__name__})"
    extra = safe_fields(fields)
    return f"{name} {extra}" if extra else name


def from_openai(exc: Exception) -> GenerationError:
    """Map an openai SDK / transport exception to the matching generation error."""
    if isinstance(exc, GenerationError):
        return exc
    detail = safe_detail(exc)
    if isinstance(exc, openai.APITimeoutError) and not _refused(exc):
        return UpstreamUnavailable("The AI service did not answer in time. Please try again.", detail=detail)
    if isinstance(exc, openai.APIConnectionError):
        return UpstreamUnavailable(detail=detail)
    if isinstance(exc, openai.RateLimitError):
        if getattr(exc, "code", None) == "insufficient_quota":
            return QuotaExceeded(detail="insufficient_quota: add credit or raise the limit in the provider's billing page")
        return RateLimited(detail=detail, retry_after=retry_after_seconds(exc.response.headers))
    if isinstance(exc, (openai.AuthenticationError, openai.PermissionDeniedError)):
        return CredentialsRejected(detail=detail)
    if isinstance(exc, openai.NotFoundError):
        return ModelNotFound(detail=detail)
    if isinstance(exc, openai.InternalServerError):
        return UpstreamServerError(detail=detail)
    if isinstance(exc, openai.APIStatusError):
        if getattr(exc, "code", None) == "context_length_exceeded" or "context length" in str(exc).lower():
            return InvalidRequest(
                "The request is longer than the model accepts (lower OPENAI_MAX_TOKENS or pick a model with a larger context).",
                detail=detail,
            )
        return InvalidRequest(detail=detail)
    return GenerationError(detail=detail)
