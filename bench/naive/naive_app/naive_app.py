"""Naive streaming: write state and flush it on every chunk of the SDK's normal ``stream=True`` iterator.

This is the pattern most streaming examples show. Every chunk takes the state lock, appends, and
sends a delta that carries the *whole* text so far. Used only as the benchmark's baseline (b).
"""

from __future__ import annotations

import os

import httpx
import reflex as rx
from openai import AsyncOpenAI

_client: AsyncOpenAI | None = None


def client() -> AsyncOpenAI:
    global _client
    if _client is None:
        _client = AsyncOpenAI(
            api_key=os.environ.get("OPENAI_API_KEY", "bench"),
            base_url=os.environ["OPENAI_BASE_URL"],
            max_retries=0,
            http_client=httpx.AsyncClient(timeout=600, limits=httpx.Limits(max_connections=1000)),
        )
    return _client


class NaiveState(rx.State):
    text: str = ""
    status: str = "idle"

    @rx.event(background=True)
    async def generate(self, tag: str) -> None:
        async with self:
            self.text, self.status = "", "streaming"
        try:
            stream = await client().chat.completions.create(
                model="gpt-4.1-mini",
                messages=[{"role": "user", "content": f"A recipe with chickpeas, please ({tag})."}],
                stream=True,
            )
            async for chunk in stream:
                if chunk.choices and chunk.choices[0].delta.content:
                    async with self:
                        self.text += chunk.choices[0].delta.content
            async with self:
                self.status = "done"
        except Exception as exc:  # noqa: BLE001
            async with self:
                self.status = f"error: {type(exc).__name__}"


def index() -> rx.Component:
    return rx.box(rx.text(NaiveState.status), rx.text(NaiveState.text))


app = rx.App()
app.add_page(index, route="/")
