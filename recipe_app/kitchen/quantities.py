"""How quantities read on a card: 1.5 -> '1 1/2', 0.333 -> '1/3', 250.0 -> '250'; metric 3.5 -> '3.5'."""

from __future__ import annotations

from fractions import Fraction

_NICE_DENOMINATORS = (2, 3, 4, 8)


def format_quantity(value: float | None) -> str:
    """Cook-friendly text for a quantity; empty for None ('to taste')."""
    if value is None or value < 0:
        return ""
    if value >= 20 or abs(value - round(value)) < 0.02:
        return str(int(round(value)))
    whole = int(value)
    rest = value - whole
    for denominator in _NICE_DENOMINATORS:
        fraction = Fraction(rest).limit_denominator(denominator)
        if fraction.numerator and fraction.denominator in _NICE_DENOMINATORS and abs(float(fraction) - rest) < 0.02:
            if fraction == 1:
                return str(whole + 1)
            text = f"{fraction.numerator}/{fraction.denominator}"
            return f"{whole} {text}" if whole else text
    return f"{value:.1f}".rstrip("0").rstrip(".")


def format_decimal(value: float | None) -> str:
    """A metric quantity as cooks write it: ``3.5``, ``1.25``, ``250``; empty for None."""
    if value is None or value < 0:
        return ""
    if value >= 100:
        return str(int(round(value)))
    return f"{value:.2f}".rstrip("0").rstrip(".")
