"""The studio on its offline default: the built-in demo model, through the same client path."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from recipe_app.pages.studio.state import StudioState
from recipe_app.core.settings import Settings
from tests.pages.harness import Browser, DeltaRecorder, make_processor


@pytest.fixture
def demo(database: str, monkeypatch: pytest.MonkeyPatch, configure: Callable[..., Settings]) -> Settings:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    settings = configure(DEMO_TOKENS_PER_S="3000")
    assert settings.demo_mode and settings.model_name == "demo-chef"
    return settings


async def test_a_demo_recipe_honours_servings_and_allergies_and_continues_after_a_cut(
    demo: Settings, configure: Callable[..., Settings]
) -> None:
    configure(OPENAI_MAX_TOKENS="256")  # the demo model cuts answers at max_tokens like a real one
    recorder = DeltaRecorder()
    async with make_processor(recorder) as processor:
        tab = Browser(processor)
        await (await tab.send(StudioState.add_item, field="ingredients", form={"item": "prawns, rice, peanuts, broccoli"}))
        await (await tab.send(StudioState.add_item, field="allergies", form={"item": "shellfish, peanuts"}))
        await (await tab.send(StudioState.set_servings, value="6"))
        await (await tab.send(StudioState.generate))
        state = await tab.state(StudioState)
        assert state.status == "error" and state.can_continue
        assert state.error == "The recipe was cut off before it was finished."
        for _ in range(8):  # each continuation adds at most 256 tokens
            await (await tab.send(StudioState.continue_recipe))
            state = await tab.state(StudioState)
            if not state.can_continue:
                break
        assert state.status == "done", state.error
        assert state.serves == 6
        items = " ".join(line["item"] for line in state.ingredient_lines).lower()
        assert "rice" in items and "broccoli" in items
        assert "prawn" not in items and "peanut" not in items
        assert state.allergen_warnings == []


async def test_regenerate_gives_another_demo_recipe(demo: Settings) -> None:
    async with make_processor(DeltaRecorder()) as processor:
        tab = Browser(processor)
        await (await tab.send(StudioState.add_item, field="ingredients", form={"item": "chickpeas, rice, spinach"}))
        recipes = set()
        for handler in (StudioState.generate, StudioState.regenerate, StudioState.regenerate, StudioState.regenerate):
            await (await tab.send(handler))
            state = await tab.state(StudioState)
            assert state.status == "done"
            recipes.add(state._recipe_json)
        # Each run asks with a fresh seed; the demo has dozens of variants for these ingredients.
        assert len(recipes) >= 2
