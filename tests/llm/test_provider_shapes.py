"""How other OpenAI-compatible servers speak: every way a stream can end, the SSE wire format as the
spec allows it, answers that are no stream, structured-output negotiation and estimated usage.

All over the real socket of the fake provider (tests/fake_openai.py), which can speak like
llama.cpp: no usage chunk, no finish reason, an empty body for a too-long prompt, a 500 for json_schema.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest
from hypothesis import given, settings as hsettings, strategies as st

from recipe_app.core.settings import Settings
from recipe_app.domain.request import RecipeRequest
from recipe_app.generation.recording import usage_text
from recipe_app.generation.run import RecipeRun
from recipe_app.llm import errors, structured
from recipe_app.llm.client import get_client
from recipe_app.llm.sse import SSEDecoder
from tests.fake_openai import JSON_SCHEMA_REJECTION, LLAMA_CPP_JSON_SCHEMA_500, FakeOpenAI, Reply
from tests.recipes import RECIPE_TEXT

REQUEST = RecipeRequest(ingredients=["chickpeas", "spinach"], servings=4)


async def generate(settings: Settings) -> tuple[RecipeRun, errors.GenerationError | None, list[str]]:
    run, notices = RecipeRun(get_client(settings), settings, REQUEST), []

    async def notice(message: str) -> None:
        notices.append(message)

    run.on_retry = notice
    try:
        async for _ in run.updates():
            pass
        run.finish()
    except errors.GenerationError as exc:
        run.settle()
        return run, exc, notices
    return run, None, notices


@pytest.fixture
def retrying(configure: Callable[..., Settings], settings: Settings) -> Settings:
    return configure(OPENAI_MAX_RETRIES="1", RETRY_BACKOFF_S="0.01")


# --- how a stream ends ------------------------------------------------------------------------------


@pytest.mark.parametrize("done", [True, False], ids=["DONE", "end-of-body"])
async def test_a_stream_that_ends_without_a_finish_reason_is_interrupted_with_the_text_kept(
    settings: Settings, fake: FakeOpenAI, done: bool
) -> None:
    fake.script(Reply(content=RECIPE_TEXT[:800], finish_reason=None, done=done, usage=False))
    run, error, _ = await generate(settings)
    assert isinstance(error, errors.Interrupted) and error.outcome == "interrupted"
    assert error.user_message == "The AI service ended the answer before the recipe was finished."
    assert run.card["title"] == "Chickpea & Spinach Curry" and run.text == RECIPE_TEXT[:800]


async def test_a_whole_recipe_without_a_finish_reason_is_accepted(settings: Settings, fake: FakeOpenAI) -> None:
    fake.script(Reply(content=RECIPE_TEXT, finish_reason=None))
    run, error, _ = await generate(settings)
    assert error is None and run.recipe is not None


async def test_an_empty_answer_is_retried_then_explained(retrying: Settings, fake: FakeOpenAI) -> None:
    fake.default = Reply(content=RECIPE_TEXT, context=10)  # the prompt alone is over the context
    run, error, notices = await generate(retrying)
    assert isinstance(error, errors.EmptyAnswer) and fake.request_count == 2
    assert notices == ["Retrying (2/2)…"] and "larger context" in error.user_message
    assert run.meta.usage_estimated and run.meta.prompt_tokens > 100  # the prompt was sent


async def test_an_empty_answer_then_a_recipe(retrying: Settings, fake: FakeOpenAI) -> None:
    fake.script(Reply(content="", finish_reason=None, done=False), Reply(content=RECIPE_TEXT))
    run, error, _ = await generate(retrying)
    assert error is None and run.recipe is not None


# --- the SSE wire format ----------------------------------------------------------------------------


@pytest.mark.parametrize("transport", ["aiohttp", "httpx"])
@pytest.mark.parametrize(
    "shape",
    [
        {"line_ending": "\r\n"},
        {"line_ending": "\r"},
        {"multiline_data": True},
        {"keepalives": True},
        {"line_ending": "\r\n", "multiline_data": True, "keepalives": True},
    ],
    ids=["crlf", "cr", "multiline-data", "comments-and-event-names", "all"],
)
async def test_the_recipe_arrives_whole_however_the_events_are_spelled(
    settings: Settings, fake: FakeOpenAI, configure: Callable[..., Settings], transport: str, shape: dict
) -> None:
    settings = configure(UPSTREAM_HTTP=transport)
    fake.script(Reply(content=RECIPE_TEXT, split_events=True, tokens_per_s=2000, **shape))
    run, error, _ = await generate(settings)
    assert error is None and run.text == RECIPE_TEXT
    assert run.meta.finish_reason == "stop" and run.meta.done and not run.meta.usage_estimated


@pytest.mark.parametrize(
    ("media", "body"),
    [("text/html", "<html><body><h1>502 Bad Gateway</h1></body></html>"), ("text/plain", "upstream connect error")],
)
async def test_an_answer_that_is_not_an_event_stream_is_explained(
    retrying: Settings, fake: FakeOpenAI, media: str, body: str
) -> None:
    fake.default = Reply(content=body, content_type=media)
    run, error, notices = await generate(retrying)
    assert isinstance(error, errors.NotAStream) and notices == ["Retrying (2/2)…"]
    assert error.user_message == "The AI service answered with something other than a recipe. Please try again."
    assert media in error.detail and "<html>" not in error.user_message


@given(data=st.data())
@hsettings(max_examples=60, deadline=None)
def test_the_decoder_gives_the_same_events_however_the_bytes_are_cut(data: st.DataObject) -> None:
    eol = data.draw(st.sampled_from([b"\n", b"\r\n", b"\r"]))
    payloads = data.draw(st.lists(st.text(st.characters(blacklist_characters="\r\n", blacklist_categories=("Cs",)), max_size=20), min_size=1, max_size=6))
    wire = b"".join(b": ping" + eol + b"event: message" + eol + b"data: " + p.encode() + eol + eol for p in payloads)
    cuts = sorted(data.draw(st.lists(st.integers(0, len(wire)), max_size=8)))
    decoder, events = SSEDecoder(), []
    for start, end in zip([0, *cuts], [*cuts, len(wire)]):
        events += decoder.feed(wire[start:end])
    events += decoder.flush()
    assert [e.data.decode() for e in events] == payloads


# --- structured-output negotiation --------------------------------------------------------------------


async def test_a_500_that_names_response_format_moves_to_llama_cpps_form_and_is_remembered(
    settings: Settings, fake: FakeOpenAI, caplog: pytest.LogCaptureFixture
) -> None:
    fake.default = Reply(content=RECIPE_TEXT, refuse_forms={"json_schema": (500, LLAMA_CPP_JSON_SCHEMA_500)})
    with caplog.at_level(logging.WARNING, "recipe_app.llm"):
        first, error, notices = await generate(settings)
        second, _, _ = await generate(settings)
    assert error is None and notices == [] and first.meta.response_format == "json_object+schema"
    assert [r.status for r in fake.requests] == [500, 200, 200]  # the second recipe asks no more
    assert fake.requests[1].body["response_format"]["schema"]["properties"]["prepTime"]["pattern"]
    assert second.meta.response_format == "json_object+schema"
    assert sum("refused response_format json_schema" in r.message for r in caplog.records) == 1


async def test_a_server_refusing_both_schema_forms_gets_the_schema_in_the_prompt(
    settings: Settings, fake: FakeOpenAI
) -> None:
    fake.default = Reply(content=RECIPE_TEXT, refuse_forms={
        "json_schema": (422, JSON_SCHEMA_REJECTION), "json_object+schema": (400, JSON_SCHEMA_REJECTION)})
    run, error, _ = await generate(settings)
    assert error is None and [r.status for r in fake.requests] == [422, 400, 200]
    assert fake.requests[2].body["response_format"] == {"type": "json_object"}
    assert '"recipeInstructions"' in fake.requests[2].body["messages"][0]["content"]


async def test_an_ordinary_server_error_is_not_a_refusal(retrying: Settings, fake: FakeOpenAI) -> None:
    fake.script(Reply(status=500), Reply(content=RECIPE_TEXT))
    run, error, notices = await generate(retrying)
    assert error is None and notices == ["Retrying (2/2)…"]
    assert fake.requests[1].body["response_format"]["type"] == "json_schema"


def test_the_memory_is_per_server_and_model_and_expires(monkeypatch: pytest.MonkeyPatch) -> None:
    now = [1000.0]
    monkeypatch.setattr(structured.time, "monotonic", lambda: now[0])
    assert structured.refused("http://a/v1", "m", "json_schema", "500") == "json_object+schema"
    assert structured.form_for("http://a/v1", "m") == "json_object+schema"
    assert structured.form_for("http://a/v1", "other") == "json_schema"
    assert structured.form_for("http://b/v1", "m") == "json_schema"
    now[0] += structured.REMEMBER_S + 1
    assert structured.form_for("http://a/v1", "m") == "json_schema"  # an upgraded server gets the best again


# --- usage ---------------------------------------------------------------------------------------------


async def test_without_a_usage_chunk_the_tokens_are_estimated_and_marked(settings: Settings, fake: FakeOpenAI) -> None:
    fake.script(Reply(content=RECIPE_TEXT, usage=False))
    run, error, _ = await generate(settings)
    assert error is None and run.meta.usage_estimated
    assert run.meta.billed_out == fake.requests[0].chunks_sent
    assert 0.5 < run.meta.prompt_tokens / fake._usage(fake.requests[0], [])["prompt_tokens"] < 2
    text = usage_text(settings, run)
    assert text.startswith(f"~{run.meta.prompt_tokens} tokens in · ~{run.meta.billed_out} out (estimated)")


async def test_a_usage_chunk_is_not_an_estimate(settings: Settings, fake: FakeOpenAI) -> None:
    fake.script(Reply(content=RECIPE_TEXT))
    run, _, _ = await generate(settings)
    assert not run.meta.usage_estimated and "estimated" not in usage_text(settings, run)


async def test_a_stopped_stream_still_counts_its_prompt(settings: Settings, fake: FakeOpenAI) -> None:
    fake.script(Reply(content=RECIPE_TEXT, tokens_per_s=200))
    run = RecipeRun(get_client(settings), settings, REQUEST)
    updates = run.updates()
    await anext(updates)
    await updates.aclose()  # Stop: the page cancels the stream and settles the card
    run.settle()
    assert run.meta.usage_estimated and run.meta.prompt_tokens > 100 and run.meta.billed_out > 0
