"""Recipes from a real llama.cpp server: structured output, every way its streams end, usage.

The server is llama-cpp-python's OpenAI-compatible server running a tiny random-weight model
(tests/provider/tinymodel.py). Its grammar-constrained sampling makes the gibberish a schema-valid
recipe, so the whole path - negotiation, streaming, validation, the card - runs against the real
engine that sits under Ollama and LM Studio.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest

from recipe_app.core.settings import Settings
from recipe_app.domain.request import MAX_ITEM_CHARS, RecipeRequest
from recipe_app.generation.recording import usage_text
from recipe_app.generation.run import RecipeRun
from recipe_app.llm import errors
from recipe_app.llm.client import get_client
from tests.provider.conftest import LlamaServer, start_server

REQUEST = RecipeRequest(ingredients=["chickpeas", "spinach"], servings=4)


class Outcome:
    """One run to its end: updates, retry notices, the error if any."""

    def __init__(self, run: RecipeRun) -> None:
        self.run = run
        self.updates: list[dict] = []
        self.notices: list[str] = []
        self.error: errors.GenerationError | None = None


def new_run(settings: Settings, request: RecipeRequest = REQUEST) -> Outcome:
    outcome = Outcome(RecipeRun(get_client(settings), settings, request))

    async def notice(message: str) -> None:
        outcome.notices.append(message)

    outcome.run.on_retry = notice
    return outcome


async def finish(outcome: Outcome, updates=None) -> Outcome:
    """Read the rest of the run and settle it as the page does."""
    try:
        async for changes in updates or outcome.run.updates():
            outcome.updates.append(changes)
        outcome.run.finish()
    except errors.GenerationError as exc:
        outcome.error = exc
        outcome.run.settle()
    return outcome


def status_lines(server: LlamaServer, status: int) -> int:
    """Chat requests the server answered with ``status`` so far (its access log)."""
    return server.log.read_text().count(f'"POST /v1/chat/completions HTTP/1.1" {status}')


async def test_a_recipe_streams_from_llama_cpp_with_the_schema_enforced(
    llama: LlamaServer, point_at: Callable[..., Settings]
) -> None:
    settings = point_at(llama)
    assert not settings.demo_mode  # a base URL and no key: the real server, not the demo
    out = await finish(new_run(settings))
    assert out.error is None, out.error.detail
    assert out.run.recipe is not None and len(out.run.recipe.recipeIngredient) >= 1
    assert out.run.card["steps"] and out.run.card["serves"]
    # llama-cpp-python answers json_schema with a 500; the schema then goes as its own form.
    assert out.run.meta.response_format == "json_object+schema" and out.notices == []
    # No usage chunk from this server: the counts are ours, and say so.
    assert out.run.meta.usage_estimated and out.run.meta.prompt_tokens > 100
    assert out.run.meta.billed_out == out.run.meta.content_chunks > 10
    assert "(estimated)" in usage_text(settings, out.run)


async def test_the_refused_form_is_not_asked_again(llama: LlamaServer, point_at: Callable[..., Settings]) -> None:
    settings = point_at(llama)
    await finish(new_run(settings))
    refusals = status_lines(llama, 500)
    second = await finish(new_run(settings))
    assert second.error is None and status_lines(llama, 500) == refusals


@pytest.fixture
def slow_llama(tiny_models: dict[str, Path], tmp_path: Path):
    """A server of its own with the slower model: a recipe takes long enough to be overtaken."""
    server = start_server(tiny_models["slow"], tmp_path, 4096)
    yield server
    server.stop()


async def test_a_second_cook_interrupts_the_first_who_can_continue(
    slow_llama: LlamaServer, point_at: Callable[..., Settings]
) -> None:
    settings = point_at(slow_llama)
    first = new_run(settings)
    updates = first.run.updates()
    first.updates.append(await anext(updates))  # the first cook's recipe is being written
    second = await finish(new_run(settings))
    await finish(first, updates)
    assert second.error is None and second.run.recipe is not None
    # The server ended the first stream with [DONE] and no finish reason: interrupted, text kept.
    assert isinstance(first.error, errors.Interrupted) and first.run.meta.done
    assert first.error.user_message == "The AI service ended the answer before the recipe was finished."
    assert first.run.text and first.run.recipe is None


async def test_a_server_killed_mid_stream_keeps_the_partial(
    slow_llama: LlamaServer, point_at: Callable[..., Settings]
) -> None:
    settings = point_at(slow_llama)
    out = new_run(settings)
    updates = out.run.updates()
    out.updates.append(await anext(updates))
    slow_llama.process.kill()
    await finish(out, updates)
    assert isinstance(out.error, errors.Interrupted) and out.run.text
    assert out.run.meta.usage_estimated and out.run.meta.prompt_tokens > 0


@pytest.fixture(scope="module")
def small_llama(tiny_models: dict[str, Path], tmp_path_factory: pytest.TempPathFactory):
    """A server whose context holds the prompt but not the prompt plus a whole recipe."""
    server = start_server(tiny_models["fast"], tmp_path_factory.mktemp("small"), 1400)
    yield server
    server.stop()


async def test_a_grammar_answer_that_fills_the_context_is_interrupted(
    small_llama: LlamaServer, point_at: Callable[..., Settings]
) -> None:
    """llama-cpp-python 0.3.36 fails mid-stream when an answer fills the context (it does not send
    finish_reason "length" as llama-server does): the body just ends. The cook keeps what was
    shown and may continue."""
    out = await finish(new_run(point_at(small_llama)))
    assert isinstance(out.error, errors.Interrupted) and out.run.text and not out.run.meta.done


async def test_a_prompt_longer_than_the_context_is_retried_then_explained(
    small_llama: LlamaServer, point_at: Callable[..., Settings]
) -> None:
    long = RecipeRequest(ingredients=[f"{i:02d}" + "x" * (MAX_ITEM_CHARS - 2) for i in range(30)], servings=2)
    out = await finish(new_run(point_at(small_llama), long))
    # llama-cpp-python answers 200 with an empty body: retried like a dropped connection.
    assert isinstance(out.error, errors.EmptyAnswer) and out.notices == ["Retrying (2/2)…"]
    assert "larger context" in out.error.user_message and out.updates == []
    assert out.run.meta.usage_estimated and out.run.meta.prompt_tokens > 1400 / 4
