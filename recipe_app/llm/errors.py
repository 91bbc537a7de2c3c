"""Typed generation failures, each with the message a cook sees and the outcome that is recorded.

Callers branch on the class, never on message text. Messages never contain key material: they are
written here, not copied from the provider's error body.
"""

from __future__ import annotations

import openai


class GenerationError(Exception):
    """A generation that did not produce a valid recipe."""

    outcome = "failed"
    user_message = "Something went wrong while writing the recipe."
    retryable = False

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


class QuotaExceeded(GenerationError):
    user_message = "The AI account is out of credit."


class CredentialsRejected(GenerationError):
    user_message = "The AI service rejected our credentials."


class ModelNotFound(GenerationError):
    user_message = "The configured model does not exist on the AI service (check OPENAI_MODEL)."


class InvalidRequest(GenerationError):
    user_message = "The AI service refused the request (check OPENAI_MODEL and OPENAI_MAX_TOKENS)."


class UpstreamServerError(GenerationError):
    user_message = "The AI service had an internal error. Please try again."
    retryable = True


class Interrupted(GenerationError):
    outcome = "interrupted"
    user_message = "The AI stopped responding before the recipe was finished."


class Truncated(GenerationError):
    outcome = "truncated"
    user_message = "The recipe was cut off before it was finished."


class Refused(GenerationError):
    outcome = "refused"
    user_message = "The AI declined to write this recipe."


class UnreadableRecipe(GenerationError):
    user_message = "The AI returned an unreadable recipe."


def from_openai(exc: Exception) -> GenerationError:
    """Map an openai SDK / transport exception to the matching generation error."""
    if isinstance(exc, GenerationError):
        return exc
    detail = f"{type(exc).__name__}: {exc}"
    if isinstance(exc, openai.APITimeoutError):
        return UpstreamUnavailable("The AI service did not answer in time. Please try again.", detail=detail)
    if isinstance(exc, openai.APIConnectionError):
        return UpstreamUnavailable(detail=detail)
    if isinstance(exc, openai.RateLimitError):
        if getattr(exc, "code", None) == "insufficient_quota":
            return QuotaExceeded(detail=detail)
        return RateLimited(detail=detail)
    if isinstance(exc, (openai.AuthenticationError, openai.PermissionDeniedError)):
        return CredentialsRejected(detail=f"{type(exc).__name__} (status {exc.status_code})")
    if isinstance(exc, openai.NotFoundError):
        return ModelNotFound(detail=detail)
    if isinstance(exc, openai.InternalServerError):
        return UpstreamServerError(detail=detail)
    if isinstance(exc, openai.APIStatusError):
        return InvalidRequest(detail=detail)
    return GenerationError(detail=detail)
