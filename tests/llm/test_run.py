"""One generation against the fake provider: batches, final validation, structured-output fallback."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from recipe_app.llm.client import get_client
from recipe_app.llm.errors import Truncated, UnreadableRecipe
from recipe_app.domain.request import RecipeRequest
from recipe_app.generation.run import RecipeRun
from recipe_app.core.settings import Settings
from recipe_app.domain.recipe import recipe_json_schema
from recipe_app.llm.structured import FORMS
from tests.fake_openai import FakeOpenAI, Reply
from tests.recipes import RECIPE_TEXT

REQUEST = RecipeRequest(ingredients=["chickpeas", "spinach"], servings=4)


async def run_to_end(settings: Settings) -> tuple[RecipeRun, list[dict]]:
    run = RecipeRun(get_client(settings), settings, REQUEST)
    updates = [changes async for changes in run.updates()]
    return run, updates


async def test_a_paced_stream_becomes_few_updates_and_a_valid_recipe(fake: FakeOpenAI, settings: Settings) -> None:
    fake.script(Reply(content=RECIPE_TEXT, tokens_per_s=400, ttft=0.05))
    run, updates = await run_to_end(settings)
    run.finish()
    record = fake.requests[0]
    assert record.completed and record.chunks_sent > 250
    # ~0.9 s of stream at one update per 50 ms: about 20 updates, not one per chunk.
    assert 5 <= len(updates) <= record.chunks_sent / 5
    assert run.recipe is not None and run.recipe.recipeYield == 4
    assert run.card["title"] == "Chickpea & Spinach Curry" and len(run.card["steps"]) == 5
    assert run.meta.completion_tokens == record.chunks_sent and run.meta.prompt_tokens > 0
    assert run.ttft_ms is not None and run.ttft_ms >= 50
    body = record.body
    assert body["stream"] is True and body["stream_options"] == {"include_usage": True}
    assert body["max_tokens"] == settings.openai_max_tokens
    assert body["response_format"]["type"] == "json_schema"
    assert body["response_format"]["json_schema"]["strict"] is True


async def test_the_first_update_comes_before_the_stream_ends(fake: FakeOpenAI, settings: Settings) -> None:
    fake.script(Reply(content=RECIPE_TEXT, tokens_per_s=200))
    run = RecipeRun(get_client(settings), settings, REQUEST)
    updates = run.updates()
    await updates.__anext__()
    assert not fake.requests[0].completed
    await updates.aclose()
    record = await fake.await_closed()
    assert record.client_closed and not record.completed


async def test_providers_without_json_schema_get_json_object_with_the_schema(
    fake: FakeOpenAI, settings: Settings
) -> None:
    fake.default = Reply(content=RECIPE_TEXT, reject_json_schema=True)
    run, _ = await run_to_end(settings)
    run.finish()
    first, second = fake.requests[0], fake.requests[1]
    assert first.status == 400 and second.status == 200
    assert second.body["response_format"] == {"type": "json_object", "schema": recipe_json_schema()}
    assert run.meta.response_format == "json_object+schema"


async def test_an_answer_that_is_not_a_recipe_is_an_error_with_the_text_kept(fake: FakeOpenAI, settings: Settings) -> None:
    fake.script(Reply(content=RECIPE_TEXT.replace('"PT10M"', '"ten minutes"')))
    run, _ = await run_to_end(settings)
    with pytest.raises(UnreadableRecipe) as err:
        run.finish()
    assert err.value.user_message == "The AI returned an unreadable recipe."
    assert run.settle()  # what was shown stays, now as finished text
    assert run.card["title"] == "Chickpea & Spinach Curry"


async def test_a_length_cut_answer_is_reported_as_truncated(
    fake: FakeOpenAI, settings: Settings, configure: Callable[..., Settings]
) -> None:
    settings = configure(OPENAI_MAX_TOKENS="256")
    fake.script(Reply(content=RECIPE_TEXT))
    run, _ = await run_to_end(settings)
    with pytest.raises(Truncated):
        run.finish()


def test_every_request_is_bounded_in_size_and_answer_length(settings: Settings) -> None:
    from recipe_app.domain.request import MAX_ITEM_CHARS, MAX_TEXT_CHARS
    from recipe_app.llm.stream import request_kwargs

    biggest = RecipeRequest(
        ingredients=[f"{i:02d}" + "x" * (MAX_ITEM_CHARS - 2) for i in range(30)],
        dish="d" * MAX_TEXT_CHARS,
        servings=12,
        allergies=[f"{i:02d}" + "a" * (MAX_ITEM_CHARS - 2) for i in range(15)],
        cuisine="c" * MAX_ITEM_CHARS,
        max_minutes=600,
        equipment=[f"{i:02d}" + "e" * (MAX_ITEM_CHARS - 2) for i in range(15)],
    )
    for form in FORMS:
        kwargs = request_kwargs(settings, biggest, form)
        assert kwargs["max_tokens"] == settings.openai_max_tokens
        assert len(json.dumps(kwargs)) < 16_000
    continuation = request_kwargs(settings, biggest, FORMS[0], prefix="{" + "x" * 8000)
    assert len(json.dumps(continuation)) < 24_000 and continuation["max_tokens"] == settings.openai_max_tokens
