"""Every upstream failure has a defined outcome: retried or not, what the cook reads, what is kept.

Fault injection happens in the fake provider (a real HTTP server): status codes, Retry-After,
stalls, dropped connections, malformed chunks, cut-off answers and refusals.
"""

from __future__ import annotations

import socket
from collections.abc import Callable

import pytest

from recipe_app.llm import errors
from recipe_app.llm.client import get_client
from recipe_app.llm.prompts import CONTINUE_PROMPT
from recipe_app.domain.request import RecipeRequest
from recipe_app.generation.run import RecipeRun
from recipe_app.core.settings import Settings
from tests.conftest import TEST_KEY
from tests.fake_openai import FakeOpenAI, Reply
from tests.recipes import RECIPE_TEXT

REQUEST = RecipeRequest(ingredients=["chickpeas", "spinach"], servings=4)


class Outcome:
    """What one run did: its updates, retry notices and error."""

    def __init__(self, run: RecipeRun) -> None:
        self.run = run
        self.notices: list[str] = []
        self.updates: list[dict] = []
        self.error: errors.GenerationError | None = None


async def generate(settings: Settings, prefix: str = "") -> Outcome:
    outcome = Outcome(RecipeRun(get_client(settings), settings, REQUEST, prefix=prefix))

    async def notice(message: str) -> None:
        outcome.notices.append(message)

    outcome.run.on_retry = notice
    try:
        async for changes in outcome.run.updates():
            outcome.updates.append(changes)
        outcome.run.finish()
    except errors.GenerationError as exc:
        outcome.error = exc
        outcome.run.settle()
    return outcome


@pytest.fixture
def retrying(settings: Settings, configure: Callable[..., Settings]) -> Settings:
    """Three attempts in total, with a short backoff so the suite stays fast."""
    return configure(OPENAI_MAX_RETRIES="2", RETRY_BACKOFF_S="0.02")


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def test_connection_refused_is_retried_three_times_then_explained(
    retrying: Settings, configure: Callable[..., Settings]
) -> None:
    settings = configure(OPENAI_BASE_URL=f"http://127.0.0.1:{closed_port()}/v1")
    out = await generate(settings)
    assert isinstance(out.error, errors.UpstreamUnavailable)
    assert out.error.user_message == "Could not reach the AI service. Check the connection and try again."
    assert out.notices == ["Retrying (2/3)…", "Retrying (3/3)…"]
    assert out.run.attempts == 3 and out.updates == []


async def test_server_errors_are_retried_and_then_the_recipe_streams(retrying: Settings, fake: FakeOpenAI) -> None:
    fake.script(Reply(status=500), Reply(status=503), Reply(content=RECIPE_TEXT))
    out = await generate(retrying)
    assert out.error is None and out.run.recipe is not None
    assert out.notices == ["Retrying (2/3)…", "Retrying (3/3)…"]
    assert [r.status for r in fake.requests] == [500, 503, 200]


async def test_server_errors_on_every_attempt_end_with_a_message(retrying: Settings, fake: FakeOpenAI) -> None:
    fake.default = Reply(status=503)
    out = await generate(retrying)
    assert isinstance(out.error, errors.UpstreamServerError) and fake.request_count == 3
    assert out.error.user_message == "The AI service had an internal error. Please try again."


async def test_rate_limit_honours_retry_after(retrying: Settings, fake: FakeOpenAI) -> None:
    fake.script(Reply(status=429, headers={"Retry-After": "1"}), Reply(content=RECIPE_TEXT))
    out = await generate(retrying)
    assert out.error is None and out.notices == ["The AI service is busy, retrying in 1s…"]
    first, second = fake.requests
    assert second.started_at - first.started_at >= 0.95


async def test_a_long_retry_after_is_capped(retrying: Settings, fake: FakeOpenAI, configure: Callable[..., Settings]) -> None:
    settings = configure(RETRY_AFTER_CAP_S="0.2")
    fake.script(Reply(status=429, headers={"Retry-After": "3600"}), Reply(content=RECIPE_TEXT))
    out = await generate(settings)
    first, second = fake.requests
    assert out.error is None and second.started_at - first.started_at < 1.5


async def test_rate_limited_on_every_attempt_is_recorded_as_rate_limited(retrying: Settings, fake: FakeOpenAI) -> None:
    fake.default = Reply(status=429, headers={"Retry-After": "0"})
    out = await generate(retrying)
    assert isinstance(out.error, errors.RateLimited) and out.error.outcome == "rate_limited"
    assert fake.request_count == 3


@pytest.mark.parametrize(
    ("reply", "error", "message"),
    [
        (Reply(status=429, error_code="insufficient_quota"), errors.QuotaExceeded, "The studio's AI service is unavailable right now. Please try again later; the site owner has been notified."),
        (Reply(status=401), errors.CredentialsRejected, "The studio can't sign in to its AI service right now. Please let the site owner know."),
        (Reply(status=403), errors.CredentialsRejected, "The studio can't sign in to its AI service right now. Please let the site owner know."),
        (Reply(status=404), errors.ModelNotFound, "site owner"),
        (Reply(status=400), errors.InvalidRequest, "site owner"),
        (
            Reply(
                status=400,
                error_body={
                    "error": {
                        "message": "This model's maximum context length is 8192 tokens.",
                        "type": "invalid_request_error",
                        "param": "messages",
                        "code": "context_length_exceeded",
                    }
                },
            ),
            errors.InvalidRequest,
            "OPENAI_MAX_TOKENS",
        ),
    ],
)
async def test_errors_that_a_retry_cannot_fix_are_not_retried(
    retrying: Settings, fake: FakeOpenAI, reply: Reply, error: type, message: str
) -> None:
    fake.default = reply
    out = await generate(retrying)
    assert type(out.error) is error and message in out.error.user_message
    assert fake.request_count == 1 and out.notices == []
    assert TEST_KEY not in out.error.user_message + out.error.detail


async def test_a_stall_mid_stream_closes_the_upstream_and_keeps_the_partial(
    settings: Settings, fake: FakeOpenAI, configure: Callable[..., Settings]
) -> None:
    settings = configure(STALL_TIMEOUT_S="0.5")
    fake.script(Reply(content=RECIPE_TEXT, stall_after=120))
    out = await generate(settings)
    assert isinstance(out.error, errors.Interrupted) and out.error.outcome == "interrupted"
    assert out.error.user_message == "The AI stopped responding."
    assert (await fake.await_closed()).client_closed
    assert out.run.card["title"] == "Chickpea & Spinach Curry" and out.run.text == RECIPE_TEXT[: len(out.run.text)]
    assert len(out.run.text) == sum(len(p) for p in fake.requests[0].reply.pieces()[:120])


async def test_a_dropped_connection_mid_stream_keeps_the_partial(settings: Settings, fake: FakeOpenAI) -> None:
    fake.script(Reply(content=RECIPE_TEXT, drop_after=150))
    out = await generate(settings)
    assert isinstance(out.error, errors.Interrupted)
    assert out.error.user_message == "The connection to the AI service dropped."
    assert out.run.card["title"] and fake.request_count == 1  # no retry once text was shown


async def test_continue_asks_for_the_rest_and_completes_the_recipe(
    settings: Settings, fake: FakeOpenAI, configure: Callable[..., Settings]
) -> None:
    fake.script(Reply(content=RECIPE_TEXT, drop_after=150))
    first = await generate(settings)
    shown = first.run.text
    fake.script(Reply(content=RECIPE_TEXT[len(shown) :]))
    second = await generate(settings, prefix=shown)
    assert second.error is None and second.run.recipe is not None
    body = fake.requests[1].body
    assert body["messages"][-2] == {"role": "assistant", "content": shown}
    assert body["messages"][-1] == {"role": "user", "content": CONTINUE_PROMPT}
    assert "response_format" not in body and body["max_tokens"] == settings.openai_max_tokens
    assert second.run.card["title"] == first.run.card["title"]


async def test_a_cut_off_answer_is_truncated(
    settings: Settings, fake: FakeOpenAI, configure: Callable[..., Settings]
) -> None:
    settings = configure(OPENAI_MAX_TOKENS="256")  # the fake stops at max_tokens, as a provider does
    fake.script(Reply(content=RECIPE_TEXT))
    out = await generate(settings)
    assert isinstance(out.error, errors.Truncated) and out.error.user_message == "The recipe was cut off before it was finished."
    assert out.run.card["title"] and "OPENAI_MAX_TOKENS=256" in out.error.detail


async def test_cut_off_below_max_tokens_says_the_context_is_too_small(settings: Settings, fake: FakeOpenAI) -> None:
    """llama.cpp caps a max_tokens above its context silently: the answer stops short of it."""
    fake.script(Reply(content=RECIPE_TEXT, context=500, usage=False))
    out = await generate(settings)
    assert isinstance(out.error, errors.ContextTooSmall) and out.error.outcome == "truncated"
    assert "context" in out.error.user_message and "OPENAI_MAX_TOKENS" in out.error.user_message
    assert "--n_ctx" in out.error.user_message and "OPENAI_MAX_TOKENS=1800" in out.error.detail
    assert out.run.card["title"] and not out.error.cook_can_retry


async def test_a_refusal_shows_the_refusal_text(settings: Settings, fake: FakeOpenAI) -> None:
    fake.script(Reply(refusal="I can't help with that request."))
    out = await generate(settings)
    assert isinstance(out.error, errors.Refused) and out.error.outcome == "refused"
    assert "I can't help with that request." in out.error.user_message


async def test_a_content_filter_stop_is_a_refusal(settings: Settings, fake: FakeOpenAI) -> None:
    fake.script(Reply(content=RECIPE_TEXT[:500], finish_reason="content_filter"))
    out = await generate(settings)
    assert isinstance(out.error, errors.Refused)


async def test_a_malformed_chunk_fails_with_the_partial_kept(settings: Settings, fake: FakeOpenAI) -> None:
    fake.script(Reply(content=RECIPE_TEXT, malformed_after=100, tokens_per_s=400))  # still streaming when read
    out = await generate(settings)
    assert isinstance(out.error, errors.UnreadableRecipe)
    assert out.error.user_message == "The AI returned an unreadable recipe." and out.run.card["title"]
    assert (await fake.await_closed()).client_closed  # we stop reading a stream we cannot trust


async def test_invalid_json_at_the_end_fails(settings: Settings, fake: FakeOpenAI) -> None:
    fake.script(Reply(content=RECIPE_TEXT[:-40] + "}"))
    out = await generate(settings)
    assert isinstance(out.error, errors.UnreadableRecipe)
