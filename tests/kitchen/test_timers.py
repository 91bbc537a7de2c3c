"""Timers read from step text: what a cook would set, and nothing a cook would not."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from recipe_app.kitchen.cooking import ingredients_in_step
from recipe_app.kitchen.timers import MAX_SECONDS, detect_timers

TABLE = [
    ("Simmer for 20 minutes, stirring now and then.", [("Simmer 20 min", 1200)]),
    ("Bake 25–30 min until golden.", [("Bake 25–30 min", 1500)]),
    ("Bake 25-30 minutes.", [("Bake 25–30 min", 1500)]),
    ("Cook 10 to 12 mins.", [("Cook 10–12 min", 600)]),
    ("Roast for 1½ hours.", [("Roast 1 h 30 min", 5400)]),
    ("Roast for 1 1/2 hours.", [("Roast 1 h 30 min", 5400)]),
    ("Braise for 1.5 h.", [("Braise 1 h 30 min", 5400)]),
    ("Rest 1 hr 15 min before slicing.", [("Rest 1 h 15 min", 4500)]),
    ("Chill for half an hour.", [("Chill 30 min", 1800)]),
    ("Leave to rise for an hour.", [("Rise 1 h", 3600)]),
    ("Microwave for 45 seconds.", [("Microwave 45 s", 45)]),
    ("Fry 2-3 minutes per side, then rest 30 seconds.", [("Fry 2–3 min", 120), ("Rest 30 s", 30)]),
    ("Marinate a 20-minute stretch.", [("Marinate 20 min", 1200)]),
    ("Serve hot after 5 minutes.", [("5 min", 300)]),
    # Not timers.
    ("Stir every 5 minutes.", []),
    ("Add 250 ml stock and 2 medium onions.", []),
    ("Preheat the oven to 200 °C.", []),
    ("Marinate overnight, or for up to 2 days.", []),
    ("Season with 2 tsp salt and 1 m of string.", []),
    ("Use 3 sprigs of thyme.", []),
]


@pytest.mark.parametrize(("step", "expected"), TABLE, ids=[t[0][:40] for t in TABLE])
def test_timers_are_read_from_the_step(step: str, expected: list[tuple[str, int]]) -> None:
    assert [(t.label, t.seconds) for t in detect_timers(step)] == expected


@given(
    minutes=st.integers(1, 600),
    verb=st.sampled_from(["Simmer", "Bake", "Roast", "Rest"]),
    gap=st.sampled_from(["", "for ", "gently for ", "for about "]),
    unit=st.sampled_from(["minutes", "minute", "mins", "min", "min."]),
)
def test_any_number_of_minutes_is_one_timer_of_that_length(minutes: int, verb: str, gap: str, unit: str) -> None:
    timers = detect_timers(f"{verb} {gap}{minutes} {unit} until done.")
    assert [(t.seconds, t.label.split()[0]) for t in timers] == [(minutes * 60, verb)]


@given(st.text(max_size=300))
def test_any_text_gives_timers_a_kitchen_can_run(text: str) -> None:
    for timer in detect_timers(text):
        assert 1 <= timer.seconds <= MAX_SECONDS
        assert timer.label and timer.text


def test_a_step_names_the_ingredients_it_uses() -> None:
    items = ["vegetable oil", "onion", "tomatoes, chopped", "coconut milk", "fresh basil", "mixed spices"]
    step = "Heat the oil, soften the onions, then add the tomato and season with the spice."
    assert ingredients_in_step(step, items) == [0, 1, 2, 5]
