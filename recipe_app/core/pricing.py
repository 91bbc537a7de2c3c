"""What a generation cost, from its token usage and the configured price table."""

from __future__ import annotations

from recipe_app.core.settings import Settings


def price_of(settings: Settings, model: str) -> tuple[float, float] | None:
    """USD per million (input, output) tokens for ``model``; dated variants use their base price."""
    prices = settings.prices
    if model in prices:
        return prices[model]
    # "gpt-4.1-mini-2025-04-14" -> "gpt-4.1-mini": the longest configured prefix wins.
    matches = [name for name in prices if model.startswith(name + "-")]
    return prices[max(matches, key=len)] if matches else None


def estimate_cost(settings: Settings, model: str, tokens_in: int, tokens_out: int) -> float | None:
    """Estimated USD for one generation; None when the model has no configured price."""
    price = price_of(settings, model)
    if price is None:
        return None
    return (tokens_in * price[0] + tokens_out * price[1]) / 1_000_000


def format_cost(usd: float | None) -> str:
    """'$0.0021', '<$0.0001', or '' when unknown."""
    if usd is None:
        return ""
    if usd == 0:
        return "$0"
    return "<$0.0001" if usd < 0.0001 else f"${usd:.4f}"
