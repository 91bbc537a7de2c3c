"""A picture of a recipe from the provider's Images API (``IMAGE_MODEL``), streamed as it sharpens.

With ``stream`` and ``partial_images``, OpenAI's Images API sends ``image_generation.partial_image``
events (base64 images, each sharper) and then ``image_generation.completed`` with the final image
and its usage. Each is yielded whole; usage and the ending are recorded on :class:`StreamMeta`, as
for text. Nothing here runs unless ``IMAGE_MODEL`` is set.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import httpx2
import openai
from openai import AsyncOpenAI

from recipe_app.core.settings import Settings
from recipe_app.domain.recipe import Recipe
from recipe_app.llm.errors import GenerationError, Interrupted, from_openai
from recipe_app.llm.stream import StreamMeta

IMAGE_SIZE = "1024x1024"
IMAGE_FORMAT = "jpeg"  # the smallest of the formats the API offers, for a photo


class PictureTooLarge(GenerationError):
    """The picture is bigger than ``IMAGE_MAX_BYTES``: it is not kept."""

    user_message = "The picture came out too large to keep. The drawing stays."


def picture_prompt(recipe: Recipe) -> str:
    """What the image model is asked for: the dish, its cuisine and main ingredients, no text."""
    items = ", ".join(i.item for i in recipe.recipeIngredient[:6])
    cuisine = f"a {recipe.recipeCuisine} dish " if recipe.recipeCuisine else ""
    return (
        f"An appetising overhead photograph of {recipe.name[:120]}, {cuisine}made with {items[:300]}, "
        "served on a plate in natural light. No text, no people."
    )


async def stream_picture(
    client: AsyncOpenAI, settings: Settings, prompt: str, meta: StreamMeta
) -> AsyncIterator[str]:
    """Base64 images, partial ones first and the final one last; raises :class:`GenerationError`."""
    limit = settings.image_max_bytes * 4 // 3 + 4  # base64 of that many bytes
    opened = False
    meta.response_format = "image"
    meta.prompt_chars, meta.prompt_messages = len(prompt), 1
    try:
        stream = await client.images.generate(
            model=settings.image_model or "",
            prompt=prompt,
            n=1,
            size=IMAGE_SIZE,
            quality="low",
            output_format=IMAGE_FORMAT,
            stream=True,
            partial_images=settings.image_partial_images,
        )
        opened = True
        async with stream:
            async for event in stream:
                b64 = getattr(event, "b64_json", "") or ""
                if len(b64) > limit:
                    raise PictureTooLarge(detail=f"{len(b64)} base64 characters")
                if event.type == "image_generation.completed":
                    usage = getattr(event, "usage", None)
                    meta.prompt_tokens = int(getattr(usage, "input_tokens", 0) or 0)
                    meta.completion_tokens = int(getattr(usage, "output_tokens", 0) or 0)
                    meta.finish_reason, meta.done = "stop", True
                if b64:
                    meta.content_chunks += 1
                    yield b64
                if meta.done:
                    return
    except GenerationError:
        raise
    except openai.APIStatusError as exc:
        raise from_openai(exc) from exc
    except (httpx.TransportError, httpx2.TransportError, openai.APIConnectionError, openai.APITimeoutError) as exc:
        if not opened:
            raise from_openai(exc) from exc
        raise Interrupted("The connection dropped while the picture was drawn.", detail=type(exc).__name__) from exc
    except openai.APIError as exc:
        raise from_openai(exc) from exc
