"""One typed settings object, read from the environment and `.env` on the backend only.

The API key is a SecretStr: it prints as '**********' in logs and reprs, and nothing in the app
copies it into state, the database or the compiled frontend.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

DEMO_MODEL = "demo-chef"


class Settings(BaseSettings):
    """Everything an operator can set. Names are the environment variables (case-insensitive)."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    openai_api_key: SecretStr | None = Field(default=None, description="No key: the built-in demo model.")
    openai_base_url: str | None = Field(default=None, description="Any OpenAI-compatible server.")
    openai_model: str = "gpt-4.1-mini"
    openai_temperature: float = Field(default=0.7, ge=0, le=2)
    openai_max_tokens: int = Field(default=1800, ge=256, le=16000)
    openai_timeout_s: float = Field(default=60.0, gt=0)
    openai_max_retries: int = Field(default=2, ge=0, le=10, description="Retries before any text is shown.")
    retry_after_cap_s: float = Field(default=20.0, ge=0, description="Longest Retry-After wait honoured.")
    retry_backoff_s: float = Field(default=0.5, ge=0, description="First backoff; doubles per retry, plus jitter.")
    stall_timeout_s: float = Field(default=30.0, gt=0, description="No bytes for this long ends a stream.")
    upstream_http: Literal["aiohttp", "httpx"] = Field(
        default="aiohttp", description="HTTP client under the openai SDK for the provider (aiohttp: less CPU per chunk)."
    )
    # 65 ms (~15 updates a second) rather than 50: ~174 updates per recipe instead of ~212, and at 100
    # streams on one core p99 139-141 ms instead of 152-154 ms (bench/BENCHMARKS.md). Text at 15
    # updates a second reads as smoothly.
    stream_flush_ms: int = Field(default=65, ge=0, le=2000, description="At most one card update per interval.")
    # Between syncs a streaming card update goes to the browser without the tab's state lock; the
    # state on the server catches up once per interval (and on every status change). A reload on
    # the worker running the recipe catches up first; on another worker it shows the card at most
    # this old until the next sync. 0: every update takes the lock. 1000 ms: 13-19 % less CPU per
    # update than 0 (bench/BENCHMARKS.md, round 7).
    stream_sync_ms: int = Field(
        default=1000, ge=0, le=10_000, description="How often a streaming tab's state on the server catches up."
    )
    demo_tokens_per_s: float = Field(default=65.0, gt=0)
    redis_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("REFLEX_REDIS_URL", "REDIS_URL", "redis_url"),
        description="Set for several workers: state, tab presence and rate limits live in Redis.",
    )
    rate_limit_per_browser: str = Field(default="5/minute;50/day", description="Generations per browser.")
    rate_limit_per_ip: str = Field(default="20/minute;200/day", description="Generations per client address.")
    max_concurrent_streams: int = Field(default=200, ge=1, description="Upstream streams per backend process.")
    question_max_tokens: int = Field(default=500, ge=64, le=4000, description="Upper bound on each answer to a question.")
    swap_max_tokens: int = Field(default=400, ge=64, le=4000, description="Upper bound on each list of substitutions.")
    rate_limit_questions_per_browser: str = Field(default="10/minute;100/day", description="Questions and swaps per browser.")
    rate_limit_questions_per_ip: str = Field(default="40/minute;400/day", description="Questions and swaps per address.")
    image_model: str | None = Field(default=None, description="Images API model (e.g. gpt-image-1); unset: no image call.")
    image_partial_images: int = Field(default=2, ge=0, le=3, description="Partial images streamed before the final one.")
    image_max_bytes: int = Field(default=2_000_000, ge=10_000, le=20_000_000, description="Largest picture kept.")
    tab_grace_s: float = Field(default=10.0, ge=0, description="A closed tab's generation stops after this.")
    prices: dict[str, tuple[float, float]] = Field(
        default={
            "gpt-4.1-mini": (0.40, 1.60),
            "gpt-4.1": (2.00, 8.00),
            "gpt-4.1-nano": (0.10, 0.40),
            "gpt-4o-mini": (0.15, 0.60),
            "gpt-4o": (2.50, 10.00),
            "demo-chef": (0.0, 0.0),
        },
        validation_alias=AliasChoices("PRICE_TABLE", "prices"),
        description='USD per million tokens (input, output) by model, as JSON: {"model": [in, out]}.',
    )
    admin_token: SecretStr | None = Field(default=None, description="Protects /stats; unset hides it.")
    log_json: bool = Field(default=False, description="Log one JSON object per line.")
    database_url: str = Field(
        default="sqlite:///recipe_studio.db",
        validation_alias=AliasChoices("REFLEX_DB_URL", "DATABASE_URL", "database_url"),
    )

    @property
    def demo_mode(self) -> bool:
        """True when neither a key nor a server is configured: recipes come from the demo model.

        A base URL without a key (Ollama, vLLM, LM Studio) is a real upstream, not the demo.
        """
        has_key = self.openai_api_key is not None and bool(self.openai_api_key.get_secret_value().strip())
        return not has_key and not self.openai_base_url

    @property
    def model_name(self) -> str:
        """The model asked for in each request."""
        return DEMO_MODEL if self.demo_mode else self.openai_model


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (read once)."""
    return Settings()
