"""The demo model: recipes shaped by the request, and the OpenAI wire protocol it speaks."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import re

import httpx
import openai
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recipe_app.kitchen.allergens import allergen_matches, normalise
from recipe_app.llm.demo import DEMO_MODEL, DemoTransport, build_demo_recipe, tokenize
from recipe_app.domain.request import DIETS, RecipeRequest
from recipe_app.llm.prompts import build_messages
from recipe_app.domain.recipe import Recipe, duration_minutes
from recipe_app.kitchen.timers import detect_timers

FAST = {"ttft": (0.0, 0.0), "tokens_per_s": (5000.0, 5000.0)}
MEAT_FISH_DAIRY_EGG = ["meat", "poultry", "pork", "fish", "shellfish", "milk", "eggs", "honey"]


def _client(transport: DemoTransport) -> openai.AsyncOpenAI:
    return openai.AsyncOpenAI(
        base_url="http://demo.invalid/v1", api_key="demo", http_client=httpx.AsyncClient(transport=transport)
    )


def _check(recipe: Recipe, request: RecipeRequest) -> None:
    """Invariants every demo recipe must keep."""
    assert Recipe.model_validate_json(recipe.model_dump_json()) == recipe
    assert recipe.recipeYield == request.servings
    assert 5 <= len(recipe.recipeInstructions) <= 9
    assert 2 <= len(recipe.tips) <= 4
    assert recipe.name and recipe.description and recipe.recipeCuisine
    total = duration_minutes(recipe.totalTime)
    assert total is not None and total == duration_minutes(recipe.prepTime) + duration_minutes(recipe.cookTime)
    if request.max_minutes:
        assert total <= request.max_minutes
    assert recipe.nutrition.calories > 0 and recipe.nutrition.proteinContent > 0
    steps = normalise(" ".join(step.text for step in recipe.recipeInstructions))
    for line in recipe.recipeIngredient:
        assert not allergen_matches(line.item, request.allergies), line
        assert normalise(line.item) in steps, f"{line.item} is never used in the method"
        assert (line.quantity is None) == (line.note == "to taste")
        assert line.unit in {"g", "ml", "tbsp", "tsp", "clove", "pinch", ""}


VARIED = [
    RecipeRequest(ingredients=["chicken thighs", "broccoli", "rice"], servings=1),
    RecipeRequest(ingredients=["salmon", "asparagus", "new potatoes"], servings=4, cuisine="Mediterranean"),
    RecipeRequest(dish="a warming soup for a cold night", servings=12, max_minutes=45),
    RecipeRequest(ingredients=["eggs", "spinach", "feta"], dish="frittata", servings=2, equipment=["frying pan"]),
    RecipeRequest(ingredients=["tofu", "pak choi"], cuisine="Chinese", equipment=["wok"], max_minutes=20),
    RecipeRequest(ingredients=["chickpeas", "sweet potato", "spinach"], cuisine="Indian", servings=6),
    RecipeRequest(ingredients=["beef mince", "tomatoes"], dish="spaghetti bolognese", servings=4, max_minutes=40),
    RecipeRequest(ingredients=["lentils", "carrots"], equipment=["microwave"], max_minutes=10),
    RecipeRequest(ingredients=["prawns", "noodles", "peanuts"], cuisine="Thai", allergies=["gluten", "peanuts"]),
    RecipeRequest(ingredients=["halloumi", "courgette", "quinoa"], cuisine="Peruvian", equipment=["oven"]),
    *[RecipeRequest(ingredients=["chicken", "mushrooms", "cream", "pasta"], diet=diet, servings=3) for diet in DIETS],
    *[RecipeRequest(dish="something quick", diet=diet, max_minutes=15) for diet in DIETS],
]


@pytest.mark.parametrize("request_", VARIED, ids=lambda r: f"{r.diet}-{r.servings}-{r.dish or r.ingredients[0]}")
def test_recipes_are_valid_and_keep_the_request(request_: RecipeRequest) -> None:
    recipe = build_demo_recipe(request_)
    _check(recipe, request_)
    assert build_demo_recipe(request_) == recipe  # deterministic without a seed too


@pytest.mark.parametrize(
    ("diet", "forbidden"),
    [
        ("vegan", MEAT_FISH_DAIRY_EGG),
        ("vegetarian", ["meat", "poultry", "pork", "fish", "shellfish"]),
        ("pescatarian", ["meat", "poultry", "pork"]),
        ("gluten-free", ["gluten"]),
        ("dairy-free", ["milk"]),
        ("halal", ["pork", "alcohol"]),
        ("kosher", ["pork", "shellfish"]),
    ],
)
def test_diets_are_respected(diet: str, forbidden: list[str]) -> None:
    ingredients = ["chicken", "bacon", "prawns", "cheddar", "eggs", "pasta", "honey", "broccoli", "white wine"]
    for seed in range(8):
        recipe = build_demo_recipe(RecipeRequest(ingredients=ingredients, diet=diet), seed=seed)
        for line in recipe.recipeIngredient:
            assert not allergen_matches(line.item, forbidden), (diet, line.item)
        assert "Left out" in recipe.tips[0]
        assert any(line.item == "broccoli" for line in recipe.recipeIngredient)


def test_kosher_never_mixes_meat_and_dairy() -> None:
    for seed in range(10):
        recipe = build_demo_recipe(RecipeRequest(ingredients=["chicken", "parmesan"], diet="kosher"), seed=seed)
        items = "; ".join(line.item for line in recipe.recipeIngredient)
        assert not (allergen_matches(items, ["milk"]) and allergen_matches(items, ["meat", "poultry"]))


def test_keto_is_low_carb() -> None:
    request = RecipeRequest(ingredients=["salmon", "rice", "broccoli"], diet="keto", servings=2)
    recipe = build_demo_recipe(request, seed=3)
    items = [line.item for line in recipe.recipeIngredient]
    assert "rice" not in items and "salmon" in items
    assert recipe.nutrition.carbohydrateContent < 30


def test_servings_scale_quantities() -> None:
    base = {"ingredients": ["chicken breast", "peppers", "rice"], "cuisine": "Mexican"}
    small = build_demo_recipe(RecipeRequest(servings=2, **base), seed=7)
    large = build_demo_recipe(RecipeRequest(servings=8, **base), seed=7)
    assert (small.recipeYield, large.recipeYield) == (2, 8)
    assert [line.item for line in small.recipeIngredient] == [line.item for line in large.recipeIngredient]
    pairs = [(s.quantity, b.quantity) for s, b in zip(small.recipeIngredient, large.recipeIngredient) if s.quantity]
    assert all(b is not None and b >= s for s, b in pairs)
    grams = [(s.quantity, b.quantity) for s, b in zip(small.recipeIngredient, large.recipeIngredient) if s.unit == "g"]
    assert grams and all(b == pytest.approx(4 * s, rel=0.1) for s, b in grams)
    assert sum(b for _, b in pairs) > 3 * sum(s for s, _ in pairs)


def test_allergens_are_left_out_and_explained() -> None:
    request = RecipeRequest(
        ingredients=["peanut butter", "shrimp", "rice", "broccoli"], allergies=["peanuts", "shellfish"], servings=4
    )
    for seed in range(10):
        recipe = build_demo_recipe(request, seed=seed)
        _check(recipe, request)
        items = [line.item for line in recipe.recipeIngredient]
        assert "rice" in items and "broccoli" in items
        assert not any(allergen_matches(line.item, request.allergies) for line in recipe.recipeIngredient)
        assert "peanut butter" in recipe.tips[0] and "shrimp" in recipe.tips[0]
        assert "peanut" not in recipe.name.lower() and "shrimp" not in recipe.name.lower()


def test_allergies_rule_out_staples_and_the_dish_words() -> None:
    allergies = ["dairy", "eggs", "gluten", "soy", "sesame", "tree nuts", "mustard", "celery", "garlic"]
    request = RecipeRequest(dish="shrimp pad thai", allergies=allergies + ["shellfish"], servings=3)
    for seed in range(10):
        recipe = build_demo_recipe(request, seed=seed)
        _check(recipe, request)
        assert "shrimp" not in recipe.name.lower()


def test_vegan_recipe_has_no_animal_products() -> None:
    request = RecipeRequest(ingredients=["butter", "eggs", "mushrooms", "spinach"], dish="creamy pasta", diet="vegan")
    for seed in range(10):
        recipe = build_demo_recipe(request, seed=seed)
        _check(recipe, request)
        assert not [line.item for line in recipe.recipeIngredient if allergen_matches(line.item, MEAT_FISH_DAIRY_EGG)]
        assert {"mushrooms", "spinach"} <= {line.item for line in recipe.recipeIngredient}


def test_user_ingredients_are_used_and_time_limit_kept() -> None:
    wanted = ["chicken thighs", "red onion", "courgette", "lemon", "thyme"]
    for max_minutes in (15, 25, 40, 90):
        request = RecipeRequest(ingredients=wanted, max_minutes=max_minutes, servings=4)
        recipe = build_demo_recipe(request)
        _check(recipe, request)
        assert set(wanted) <= {line.item for line in recipe.recipeIngredient}


def test_dish_idea_and_cuisine_shape_the_recipe() -> None:
    curry = build_demo_recipe(RecipeRequest(dish="chickpea curry", cuisine="Thai"), seed=1)
    assert curry.name.startswith("Chickpea Curry") and curry.recipeCuisine == "Thai"
    assert any(line.item == "chickpea" or "chickpea" in line.item for line in curry.recipeIngredient)
    assert any("coconut milk" == line.item for line in curry.recipeIngredient)
    bake = build_demo_recipe(RecipeRequest(ingredients=["potatoes", "sausages"], equipment=["oven"]), seed=1)
    assert "Traybake" in bake.name and "oven" in bake.recipeInstructions[0].text
    rice = build_demo_recipe(RecipeRequest(dish="egg fried rice"), seed=2)
    assert rice.name == "Egg Fried Rice" and "wok" in " ".join(s.text for s in rice.recipeInstructions)
    other = build_demo_recipe(RecipeRequest(dish="lasagne", ingredients=["aubergine"]), seed=2)
    assert "Inspired by your idea: lasagne." in other.description and "aubergine" in other.name.lower()


@pytest.mark.parametrize(
    ("text", "allergies", "expected"),
    [
        ("2 tbsp peanut butter", ["peanuts", "dairy"], ["peanuts"]),
        ("Peanuts, roasted", ["Peanuts"], ["Peanuts"]),
        ("toasted pine nuts", ["nuts"], ["nuts"]),
        ("salted peanuts", ["nuts"], ["nuts"]),
        ("cashews", ["tree nuts"], ["tree nuts"]),
        ("butternut squash", ["nuts", "milk"], []),
        ("coconut milk", ["dairy"], []),
        ("coconut milk and double cream", ["dairy"], ["dairy"]),
        ("unsalted butter", ["lactose"], ["lactose"]),
        ("crème fraîche", ["milk"], ["milk"]),
        ("grated Parmesan", ["dairy"], ["dairy"]),
        ("king prawns", ["shellfish"], ["shellfish"]),
        ("oyster mushrooms", ["shellfish"], []),
        ("oyster sauce", ["shellfish"], ["shellfish"]),
        ("anchovies", ["fish"], ["fish"]),
        ("fish sauce", ["fish"], ["fish"]),
        ("shellfish stock", ["fish"], []),
        ("egg noodles", ["gluten", "egg"], ["gluten", "egg"]),
        ("rice noodles", ["gluten"], []),
        ("gluten-free spaghetti", ["gluten"], []),
        ("soy sauce", ["wheat", "soy"], ["wheat", "soy"]),
        ("panko breadcrumbs", ["gluten"], ["gluten"]),
        ("mayonnaise", ["eggs"], ["eggs"]),
        ("aubergine (eggplant)", ["eggs"], []),
        ("firm tofu", ["soya"], ["soya"]),
        ("tahini", ["sesame seeds"], ["sesame seeds"]),
        ("dijon mustard", ["mustard"], ["mustard"]),
        ("kiwi fruit", ["kiwis"], ["kiwis"]),
        ("strawberries", ["strawberry"], ["strawberry"]),
        ("tomatoes", ["tomato"], ["tomato"]),
        ("", ["peanuts"], []),
        ("broccoli", [], []),
        ("broccoli", ["", "  "], []),
    ],
)
def test_allergen_matches(text: str, allergies: list[str], expected: list[str]) -> None:
    assert allergen_matches(text, allergies) == expected


def test_tokenize_is_lossless_and_token_sized() -> None:
    text = build_demo_recipe(RecipeRequest(ingredients=["tofu"])).model_dump_json()
    tokens = tokenize(text)
    assert "".join(tokens) == text
    assert all(1 <= len(token) <= 4 for token in tokens)
    assert 2.5 <= len(text) / len(tokens) <= 4


@pytest.mark.asyncio
async def test_stream_through_the_real_sdk() -> None:
    request = RecipeRequest(ingredients=["salmon", "green beans"], servings=5, cuisine="Japanese")
    transport = DemoTransport(**FAST)
    async with _client(transport) as client:
        stream = await client.chat.completions.create(
            model=DEMO_MODEL, messages=build_messages(request), stream=True, stream_options={"include_usage": True}
        )
        chunks = [chunk async for chunk in stream]
    content = [c.choices[0].delta.content for c in chunks if c.choices and c.choices[0].delta.content]
    assert len(content) > 100
    assert chunks[0].choices[0].delta.role == "assistant"
    assert chunks[-2].choices[0].finish_reason == "stop"
    assert chunks[-1].choices == [] and chunks[-1].usage is not None
    assert chunks[-1].usage.completion_tokens == len(content) == transport.tokens_streamed
    assert chunks[-1].usage.prompt_tokens > 50
    assert {c.id for c in chunks} == {chunks[0].id} and chunks[0].model == DEMO_MODEL
    recipe = Recipe.model_validate_json("".join(content))
    assert recipe.recipeYield == 5 and recipe == build_demo_recipe(request)
    assert transport.active_streams == 0


@pytest.mark.asyncio
async def test_wire_bytes_look_like_openai() -> None:
    request = RecipeRequest(ingredients=["tofu"])
    body = {"model": "gpt-test", "messages": build_messages(request), "stream": True}
    async with httpx.AsyncClient(transport=DemoTransport(**FAST), base_url="http://demo.invalid/v1") as http:
        response = await http.post("/chat/completions", json=body)
        raw = (await response.aread()).decode()
    assert response.headers["content-type"] == "text/event-stream"
    events = raw.split("\n\n")
    assert events[-1] == "" and events[-2] == "data: [DONE]"
    first = json.loads(events[0].removeprefix("data: "))
    assert list(first) == ["id", "object", "created", "model", "system_fingerprint", "choices"]
    assert first["object"] == "chat.completion.chunk" and first["model"] == "gpt-test"
    assert first["choices"] == [
        {"index": 0, "delta": {"role": "assistant", "content": "", "refusal": None}, "logprobs": None, "finish_reason": None}
    ]
    assert json.loads(events[-3].removeprefix("data: "))["choices"][0]["finish_reason"] == "stop"  # no usage asked for


@pytest.mark.asyncio
async def test_truncated_answer_can_be_continued() -> None:
    request = RecipeRequest(ingredients=["cod", "leeks"], servings=2)
    async with _client(DemoTransport(**FAST)) as client:
        first = await client.chat.completions.create(
            model=DEMO_MODEL, messages=build_messages(request), max_tokens=120
        )
        partial = first.choices[0].message.content or ""
        assert first.choices[0].finish_reason == "length" and first.usage and first.usage.completion_tokens == 120
        messages: Any = [
            *build_messages(request),
            {"role": "assistant", "content": partial},
            {"role": "user", "content": "Continue exactly where you stopped."},
        ]
        stream = await client.chat.completions.create(model=DEMO_MODEL, messages=messages, stream=True)
        rest = "".join([c.choices[0].delta.content or "" async for c in stream if c.choices])
    assert Recipe.model_validate_json(partial + rest) == build_demo_recipe(request)


@pytest.mark.asyncio
async def test_seed_in_the_body_picks_the_recipe() -> None:
    messages = build_messages(RecipeRequest(ingredients=["chicken", "rice"]))
    async with _client(DemoTransport(**FAST)) as client:
        texts = [
            (await client.chat.completions.create(model=DEMO_MODEL, messages=messages, seed=seed)).choices[0].message.content
            for seed in (1, 1, 2, 3, 4)
        ]
    assert texts[0] == texts[1] and len(set(texts)) >= 3


@pytest.mark.asyncio
async def test_non_streaming_models_and_errors() -> None:
    request = RecipeRequest(dish="mushroom risotto", servings=3)
    transport = DemoTransport(**FAST)
    async with _client(transport) as client:
        completion = await client.chat.completions.create(model=DEMO_MODEL, messages=build_messages(request))
        assert completion.object == "chat.completion" and completion.choices[0].finish_reason == "stop"
        assert Recipe.model_validate_json(completion.choices[0].message.content or "").recipeYield == 3
        assert completion.usage is not None and completion.usage.completion_tokens > 100

        truncated = await client.chat.completions.create(
            model=DEMO_MODEL, messages=build_messages(request), max_completion_tokens=20
        )
        assert truncated.choices[0].finish_reason == "length" and truncated.usage.completion_tokens == 20

        assert [model.id async for model in client.models.list()] == [DEMO_MODEL]

        with pytest.raises(openai.BadRequestError) as bad:
            await client.chat.completions.create(model=DEMO_MODEL, messages=[{"role": "user", "content": "hi"}])
        assert bad.value.status_code == 400 and isinstance(bad.value.body, dict)
        assert bad.value.body["type"] == "invalid_request_error"
        with pytest.raises(openai.NotFoundError):
            await client.embeddings.create(model=DEMO_MODEL, input="hi")


@pytest.mark.asyncio
async def test_pacing_and_closing_stops_generation() -> None:
    transport = DemoTransport()  # realistic defaults
    async with _client(transport) as client:
        await client.models.list()  # warm the client up so only the model's latency is measured
        messages: Any = build_messages(RecipeRequest(ingredients=["chicken", "leeks"], servings=3))
        started = time.perf_counter()
        stream = await client.chat.completions.create(model=DEMO_MODEL, messages=messages, stream=True)
        arrivals: list[float] = []
        async for chunk in stream:
            if not arrivals:
                ttft = time.perf_counter() - started
            if chunk.choices[0].delta.content:
                arrivals.append(time.perf_counter())
            if len(arrivals) > 60:
                break
        assert transport.active_streams == 1
        await stream.close()
    assert 0.2 <= ttft <= 0.6
    rate = 60 / (arrivals[60] - arrivals[0])
    assert 40 <= rate <= 90
    assert transport.active_streams == 0
    sent = transport.tokens_streamed
    assert sent < 100
    await asyncio.sleep(0.1)
    assert transport.tokens_streamed == sent  # nothing generated after close


# ---- coherence: the method never asks for more than the list, and its times add up ----------------
_KITCHEN = ["chicken", "chickpeas", "spinach", "rice", "pasta", "tofu", "salmon", "eggs", "potatoes", "lentils",
            "broccoli", "feta", "coconut milk", "mushrooms", "beef mince", "quinoa", "olive oil", "butter",
            "tomatoes", "halloumi", "prawns", "noodles", "cream", "vegetable stock"]
_SPOKEN = {"tablespoon": "tbsp", "tablespoons": "tbsp", "tbsp": "tbsp", "teaspoon": "tsp", "teaspoons": "tsp",
           "tsp": "tsp", "g": "g", "grams": "g", "ml": "ml"}
_STEP_AMOUNT = re.compile(r"(\d+(?:\.\d+)?|½|¼|¾) (tablespoons?|teaspoons?|tbsp|tsp|grams|g|ml)\b(?: of)?(?: the)? ([a-z][a-z ]+)")
_ALONGSIDE = re.compile(r"\bmeanwhile\b|\bthe last \d+ minutes\b|\bwhile\b", re.IGNORECASE)

requests_ = st.builds(
    RecipeRequest,
    ingredients=st.lists(st.sampled_from(_KITCHEN), min_size=1, max_size=5, unique=True),
    dish=st.sampled_from(["", "curry", "soup", "salad", "stir-fry", "pasta", "traybake", "frittata", "grain bowl", "something quick"]),
    servings=st.integers(1, 12),
    diet=st.sampled_from(list(DIETS)),
    max_minutes=st.sampled_from([None, 5, 10, 15, 20, 25, 30, 45, 60, 90]),
    equipment=st.sampled_from([[], ["oven"], ["wok"], ["frying pan"], ["pot"], ["microwave"]]),
)


@settings(max_examples=400, deadline=None)
@given(request_=requests_, seed=st.integers(0, 2**31 - 1))
def test_a_step_never_uses_more_than_the_list_holds(request_: RecipeRequest, seed: int) -> None:
    recipe = build_demo_recipe(request_, seed)
    listed = {(normalise(i.item), i.unit): i.quantity or 0 for i in recipe.recipeIngredient}
    for step in recipe.recipeInstructions:
        for number, unit, words in _STEP_AMOUNT.findall(step.text):
            amount = {"½": 0.5, "¼": 0.25, "¾": 0.75}.get(number) or float(number)
            unit = _SPOKEN[unit]
            for (item, listed_unit), quantity in listed.items():
                if listed_unit == unit and normalise(words).startswith(item):
                    assert amount <= quantity, f"{step.text!r} uses {amount} {unit} of {item}; the list has {quantity}"


@settings(max_examples=400, deadline=None)
@given(request_=requests_, seed=st.integers(0, 2**31 - 1))
def test_the_times_in_the_steps_add_up_to_the_stated_times(request_: RecipeRequest, seed: int) -> None:
    recipe = build_demo_recipe(request_, seed)
    prep, cook = duration_minutes(recipe.prepTime), duration_minutes(recipe.cookTime)
    assert duration_minutes(recipe.totalTime) == prep + cook
    if request_.max_minutes:
        assert prep + cook <= request_.max_minutes
    in_turn = 0  # minutes the steps take one after another, at the top of each range
    for step in recipe.recipeInstructions:
        for sentence in re.split(r"(?<=[.!?])\s+", step.text):
            timers = detect_timers(sentence)
            for timer in timers:
                assert timer.upper_seconds // 60 <= cook, f"{sentence!r} takes longer than the {cook}-minute cook time"
            if not _ALONGSIDE.search(sentence):
                in_turn += sum(t.upper_seconds // 60 for t in timers)
    assert in_turn <= cook, f"the steps take {in_turn} minutes one after another; the recipe says {cook}"
    method = " ".join(s.text for s in recipe.recipeInstructions)
    if not re.search(r"\bpacket\b|\ba few minutes\b", method):  # every cooking step has its time
        longest = max((t.upper_seconds // 60 for t in detect_timers(method)), default=0)
        assert cook <= max(in_turn, longest) + 4, f"the steps take {in_turn} minutes; the recipe says {cook}"
