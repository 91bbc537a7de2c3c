"""The recipe library repository, on SQLite and PostgreSQL (every test runs on both via ``db_url``)."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import IntegrityError

from recipe_app.db import generations, recipes
from recipe_app.db.models import SavedRecipe
from recipe_app.db.session import get_engine
from recipe_app.domain.recipe import Recipe
from tests.db.helpers import make_recipe, owner


def _count(table: str = "saved_recipe") -> int:
    with get_engine().connect() as conn:
        return conn.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one()


def _titles(rows: list[SavedRecipe]) -> list[str]:
    return [row.title for row in rows]


def test_owner_key_is_a_sha256_and_needs_an_id(db_url: str) -> None:
    alice = owner()
    assert recipes.owner_key(alice) == hashlib.sha256(alice.encode()).hexdigest()
    for empty in ("", "   "):
        with pytest.raises(ValueError):
            recipes.owner_key(empty)
        with pytest.raises(ValueError):
            recipes.list_recipes(empty)


def test_save_get_and_the_raw_owner_id_is_never_stored(db_url: str) -> None:
    alice = owner()
    recipe = make_recipe()
    saved = recipes.save_recipe(alice, recipe, diet="vegan", notes="double the spinach")
    assert saved.id is not None
    assert saved.owner_key == recipes.owner_key(alice) and len(saved.owner_key) == 64
    assert (saved.title, saved.cuisine, saved.servings, saved.diet) == ("Chickpea & Spinach Curry", "Indian", 4, "vegan")
    assert saved.description == recipe.description
    assert Recipe.model_validate_json(saved.recipe_json) == recipe
    assert "chickpeas" in saved.search_text.splitlines() and "chickpea & spinach curry" in saved.search_text
    assert saved.notes == "double the spinach" and saved.rating is None and saved.favourite is False
    assert saved.created_at.tzinfo is not None and saved.deleted_at is None and saved.share_slug is None

    again = recipes.get_recipe(alice, saved.id)
    assert again is not None and again.model_dump() == saved.model_dump()

    with get_engine().connect() as conn:
        dump = repr([tuple(row) for row in conn.execute(text("SELECT * FROM saved_recipe"))])
    assert alice not in dump


def test_save_validates_before_writing(db_url: str) -> None:
    alice = owner()
    with pytest.raises(ValueError, match="diet"):
        recipes.save_recipe(alice, make_recipe(), diet="carnivore")
    with pytest.raises(ValueError, match="2000"):
        recipes.save_recipe(alice, make_recipe(), notes="x" * 2001)
    assert recipes.save_recipe(alice, make_recipe(), notes="x" * 2000).notes == "x" * 2000
    assert _count() == 1


def test_update_notes_rating_favourite_and_recipe(db_url: str) -> None:
    alice = owner()
    saved = recipes.save_recipe(alice, make_recipe())
    assert saved.id is not None

    updated = recipes.update_recipe(alice, saved.id, notes="less chilli", rating=4, favourite=True)
    assert updated is not None
    assert (updated.notes, updated.rating, updated.favourite) == ("less chilli", 4, True)
    assert updated.updated_at >= saved.updated_at

    untouched = recipes.update_recipe(alice, saved.id)  # None means "leave as is"
    assert untouched is not None and (untouched.notes, untouched.rating, untouched.favourite) == ("less chilli", 4, True)

    cleared = recipes.update_recipe(alice, saved.id, rating=0, favourite=False)
    assert cleared is not None and cleared.rating is None and cleared.favourite is False

    new = make_recipe("Lentil Dal", cuisine="Nepali", items=("red lentils", "turmeric"), servings=2)
    edited = recipes.update_recipe(alice, saved.id, recipe=new)
    assert edited is not None
    assert (edited.title, edited.cuisine, edited.servings) == ("Lentil Dal", "Nepali", 2)
    assert edited.search_text.splitlines() == ["lentil dal", "red lentils", "turmeric"]
    assert Recipe.model_validate_json(edited.recipe_json) == new
    assert _titles(recipes.list_recipes(alice, search="lentil")[0]) == ["Lentil Dal"]
    assert recipes.list_recipes(alice, search="chickpea")[1] == 0

    for bad in (-1, 6):
        with pytest.raises(ValueError):
            recipes.update_recipe(alice, saved.id, rating=bad)
    with pytest.raises(ValueError):
        recipes.update_recipe(alice, saved.id, notes="x" * 2001)
    assert recipes.update_recipe(alice, 10**9, notes="nothing") is None


def test_the_database_refuses_a_rating_outside_1_to_5(db_url: str) -> None:
    saved = recipes.save_recipe(owner(), make_recipe())
    with pytest.raises(IntegrityError), get_engine().begin() as conn:
        conn.execute(text("UPDATE saved_recipe SET rating = 6 WHERE id = :id"), {"id": saved.id})


def test_search_by_title_and_ingredient_case_insensitive(db_url: str) -> None:
    alice = owner()
    recipes.save_recipe(alice, make_recipe("Tomato Soup", cuisine="Italian", items=("Tomatoes", "basil", "garlic")))
    recipes.save_recipe(alice, make_recipe("Garlic Bread", cuisine="Italian", items=("baguette", "butter")))
    recipes.save_recipe(alice, make_recipe("Green Salad", cuisine="French", items=("lettuce", "cucumber")))
    recipes.save_recipe(owner(), make_recipe("Garlic Prawns", cuisine="Spanish", items=("prawns", "garlic")))

    def found(term: str) -> set[str]:
        rows, total = recipes.list_recipes(alice, search=term)
        assert total == len(rows)
        return set(_titles(rows))

    assert found("GARLIC") == {"Tomato Soup", "Garlic Bread"}  # title or ingredient, never another owner's
    assert found("tomato") == {"Tomato Soup"}
    assert found("  Basil ") == {"Tomato Soup"}
    assert found("cucum") == {"Green Salad"}
    assert found("salad") == {"Green Salad"}
    assert found("prawns") == set()
    assert found("") == {"Tomato Soup", "Garlic Bread", "Green Salad"}


def test_search_treats_like_wildcards_literally(db_url: str) -> None:
    alice = owner()
    recipes.save_recipe(alice, make_recipe("100% Rye Bread", items=("rye flour",)))
    recipes.save_recipe(alice, make_recipe("Rye Bread", items=("rye_flour",)))
    recipes.save_recipe(alice, make_recipe("Back\\slash Buns", items=("flour",)))
    assert _titles(recipes.list_recipes(alice, search="%")[0]) == ["100% Rye Bread"]
    assert _titles(recipes.list_recipes(alice, search="0% r")[0]) == ["100% Rye Bread"]
    assert _titles(recipes.list_recipes(alice, search="_")[0]) == ["Rye Bread"]
    assert _titles(recipes.list_recipes(alice, search="e_f")[0]) == ["Rye Bread"]
    assert _titles(recipes.list_recipes(alice, search="\\")[0]) == ["Back\\slash Buns"]
    assert recipes.list_recipes(alice, search="%%%")[1] == 0


def test_filters_and_sorts(db_url: str) -> None:
    alice = owner()
    soup = recipes.save_recipe(alice, make_recipe("Tomato Soup", cuisine="Italian"), diet="vegan")
    bread = recipes.save_recipe(alice, make_recipe("bread and butter", cuisine="British"), diet="vegetarian")
    curry = recipes.save_recipe(alice, make_recipe("Chicken Curry", cuisine="Indian"), diet="halal")
    salad = recipes.save_recipe(alice, make_recipe("Apple Salad", cuisine="Italian"), diet="vegan")
    assert None not in (soup.id, bread.id, curry.id, salad.id)
    recipes.update_recipe(alice, soup.id, rating=3, favourite=True)  # type: ignore[arg-type]
    recipes.update_recipe(alice, curry.id, rating=5)  # type: ignore[arg-type]
    recipes.update_recipe(alice, salad.id, rating=3, favourite=True)  # type: ignore[arg-type]

    def titles(**kwargs: object) -> list[str]:
        rows, total = recipes.list_recipes(alice, **kwargs)  # type: ignore[arg-type]
        assert total == len(rows)
        return _titles(rows)

    assert titles() == ["Apple Salad", "Chicken Curry", "bread and butter", "Tomato Soup"]  # newest first
    assert titles(sort="oldest") == ["Tomato Soup", "bread and butter", "Chicken Curry", "Apple Salad"]
    # Best rated first, ties newest first, unrated last.
    assert titles(sort="rating") == ["Chicken Curry", "Apple Salad", "Tomato Soup", "bread and butter"]
    assert titles(sort="title") == ["Apple Salad", "bread and butter", "Chicken Curry", "Tomato Soup"]

    assert set(titles(diet="vegan")) == {"Tomato Soup", "Apple Salad"}
    assert titles(diet="keto") == []
    assert set(titles(cuisine="Italian")) == {"Tomato Soup", "Apple Salad"}
    assert titles(favourite=True, sort="title") == ["Apple Salad", "Tomato Soup"]
    assert set(titles(favourite=False)) == {"bread and butter", "Chicken Curry"}
    assert titles(diet="vegan", cuisine="Italian", favourite=True, search="soup") == ["Tomato Soup"]
    with pytest.raises(ValueError):
        recipes.list_recipes(alice, sort="random")  # type: ignore[arg-type]


def test_pagination_totals(db_url: str) -> None:
    alice = owner()
    for number in range(45):
        recipes.save_recipe(alice, make_recipe(f"Dish {number:02d}", cuisine="Thai" if number % 3 == 0 else "Greek"))
    recipes.save_recipe(owner(), make_recipe("Someone else's"))

    pages = [recipes.list_recipes(alice, sort="oldest", page=page, page_size=20) for page in (1, 2, 3, 4)]
    assert [len(rows) for rows, _ in pages] == [20, 20, 5, 0]
    assert {total for _, total in pages} == {45}
    assert [title for rows, _ in pages for title in _titles(rows)] == [f"Dish {n:02d}" for n in range(45)]

    thai, total = recipes.list_recipes(alice, cuisine="Thai", page=2, page_size=10)
    assert total == 15 and len(thai) == 5
    assert recipes.list_recipes(alice, page=0, page_size=5)[0] == recipes.list_recipes(alice, page=1, page_size=5)[0]
    assert len(recipes.list_recipes(alice, page_size=10_000)[0]) == 45  # capped at 100


def test_another_browser_cannot_reach_a_recipe_by_guessing_its_id(db_url: str) -> None:
    alice, bob = owner(), owner()
    saved = recipes.save_recipe(alice, make_recipe("Alice's Secret Stew"), notes="family recipe")
    assert saved.id is not None
    shared = recipes.share_recipe(alice, saved.id)
    missing = saved.id + 1000

    for recipe_id in (saved.id, missing):  # another owner's id behaves exactly like a missing one
        assert recipes.get_recipe(bob, recipe_id) is None
        assert recipes.versions(bob, recipe_id) == []
        assert recipes.update_recipe(bob, recipe_id, notes="mine now", rating=1, favourite=True) is None
        assert recipes.update_recipe(bob, recipe_id, recipe=make_recipe("Hijacked")) is None
        assert recipes.share_recipe(bob, recipe_id) is None
        assert recipes.revoke_share(bob, recipe_id) is False
        assert recipes.delete_recipe(bob, recipe_id) is False
        assert recipes.restore_recipe(bob, recipe_id) is False
        with pytest.raises(recipes.NotFoundError, match="^recipe not found$"):
            recipes.save_recipe(bob, make_recipe("Fork"), parent_id=recipe_id)
    assert recipes.list_recipes(bob) == ([], 0)
    assert recipes.list_recipes(bob, search="stew") == ([], 0)
    assert recipes.cuisines(bob) == []

    # Alice's recipe is untouched, still shared with the same link.
    mine = recipes.get_recipe(alice, saved.id)
    assert mine is not None
    assert (mine.title, mine.notes, mine.rating, mine.favourite) == ("Alice's Secret Stew", "family recipe", None, False)
    assert recipes.share_recipe(alice, saved.id) == shared

    # Not even a deleted recipe can be restored by someone else.
    assert recipes.delete_recipe(alice, saved.id) is True
    assert recipes.restore_recipe(bob, saved.id) is False
    assert recipes.get_recipe(alice, saved.id) is None
    assert recipes.restore_recipe(alice, saved.id) is True


def test_history_is_per_browser(db_url: str) -> None:
    alice, bob = owner(), owner()
    first = generations.start_generation("tab-1", '{"n": 1}', "demo-chef", owner_id=alice)
    second = generations.start_generation("tab-2", '{"n": 2}', "demo-chef", owner_id=alice)
    bobs = generations.start_generation("tab-3", '{"n": 3}', "demo-chef", owner_id=bob)
    legacy = generations.start_generation("tab-4", '{"n": 4}', "demo-chef")  # the old call still works

    assert [g.id for g in recipes.history(alice)] == [second, first]
    assert [g.id for g in recipes.history(bob)] == [bobs]
    assert recipes.history(owner()) == []
    assert [g.id for g in recipes.history(alice, limit=1)] == [second]
    assert {g.owner_key for g in recipes.history(alice)} == {recipes.owner_key(alice)}
    with get_engine().connect() as conn:
        stored = dict(conn.execute(text("SELECT id, owner_key FROM generation")).all())
    assert stored[legacy] == "" and alice not in stored.values()

    # A saved recipe may link its own generation, never another browser's (same error as a missing one).
    linked = recipes.save_recipe(alice, make_recipe(), generation_id=first)
    assert linked.generation_id == first
    for generation_id in (bobs, legacy, bobs + 1000):
        with pytest.raises(recipes.NotFoundError, match="^generation not found$"):
            recipes.save_recipe(alice, make_recipe(), generation_id=generation_id)
    assert _count() == 1


def test_soft_delete_undo_and_purge(db_url: str) -> None:
    alice = owner()
    keep = recipes.save_recipe(alice, make_recipe("Keep Me"))
    gone = recipes.save_recipe(alice, make_recipe("Delete Me", cuisine="Mexican"))
    assert keep.id is not None and gone.id is not None

    assert recipes.delete_recipe(alice, gone.id) is True
    assert recipes.delete_recipe(alice, gone.id) is False
    assert recipes.get_recipe(alice, gone.id) is None
    assert recipes.list_recipes(alice) == ([recipes.get_recipe(alice, keep.id)], 1)
    assert recipes.list_recipes(alice, search="delete")[1] == 0
    assert recipes.cuisines(alice) == ["Indian"]
    assert recipes.update_recipe(alice, gone.id, notes="x") is None
    assert recipes.share_recipe(alice, gone.id) is None

    assert recipes.restore_recipe(alice, gone.id) is True  # Undo
    assert recipes.restore_recipe(alice, gone.id) is False
    restored = recipes.get_recipe(alice, gone.id)
    assert restored is not None and restored.deleted_at is None
    assert recipes.list_recipes(alice)[1] == 2

    assert recipes.delete_recipe(alice, gone.id) is True
    assert recipes.purge_deleted(timedelta(days=30)) == 0  # too recent
    assert recipes.restore_recipe(alice, gone.id) is True
    assert recipes.delete_recipe(alice, gone.id) is True
    assert recipes.purge_deleted(timedelta(0)) == 1
    assert recipes.restore_recipe(alice, gone.id) is False  # gone for good
    assert _count() == 1


def test_purge_keeps_version_chains_connected(db_url: str) -> None:
    alice = owner()
    v1 = recipes.save_recipe(alice, make_recipe("Soup v1"))
    v2 = recipes.save_recipe(alice, make_recipe("Soup v2"), parent_id=v1.id)
    v3 = recipes.save_recipe(alice, make_recipe("Soup v3"), parent_id=v2.id)
    v4 = recipes.save_recipe(alice, make_recipe("Soup v4"), parent_id=v3.id)
    assert None not in (v1.id, v2.id, v3.id, v4.id)
    for version in (v2, v3):
        assert recipes.delete_recipe(alice, version.id)  # type: ignore[arg-type]
    assert _titles(recipes.versions(alice, v4.id)) == ["Soup v1", "Soup v4"]  # type: ignore[arg-type]
    assert recipes.purge_deleted(timedelta(0)) == 2
    after = recipes.get_recipe(alice, v4.id)  # type: ignore[arg-type]
    assert after is not None and after.parent_id == v1.id
    assert _titles(recipes.versions(alice, v1.id)) == ["Soup v1", "Soup v4"]  # type: ignore[arg-type]


def test_share_create_revoke_and_get_shared(db_url: str) -> None:
    alice = owner()
    saved = recipes.save_recipe(alice, make_recipe("Shared Pie"))
    other = recipes.save_recipe(alice, make_recipe("Private Pie"))
    assert saved.id is not None and other.id is not None

    slug = recipes.share_recipe(alice, saved.id)
    assert slug is not None and len(slug) >= 22 and re.fullmatch(r"[A-Za-z0-9_-]+", slug)
    assert recipes.share_recipe(alice, saved.id) == slug  # idempotent
    public = recipes.get_shared(slug)
    assert public is not None and public.id == saved.id and public.title == "Shared Pie"
    assert recipes.get_recipe(alice, saved.id).share_slug == slug  # type: ignore[union-attr]

    for wrong in ("", "x", slug[:-1], slug + "A", slug.upper() if slug.upper() != slug else slug.lower(), "a" * 10_000):
        assert recipes.get_shared(wrong) is None

    assert recipes.revoke_share(alice, saved.id) is True
    assert recipes.get_shared(slug) is None
    assert recipes.revoke_share(alice, saved.id) is False
    assert recipes.revoke_share(alice, other.id) is False  # never shared

    again = recipes.share_recipe(alice, saved.id)
    assert again is not None and again != slug  # the old link stays dead
    assert recipes.get_shared(slug) is None and recipes.get_shared(again) is not None

    assert recipes.delete_recipe(alice, saved.id) is True
    assert recipes.get_shared(again) is None  # deleted: link off
    assert recipes.restore_recipe(alice, saved.id) is True
    assert recipes.get_shared(again) is not None  # Undo brings it back

    slugs = {recipes.share_recipe(alice, recipes.save_recipe(alice, make_recipe(f"Pie {n}")).id) for n in range(20)}  # type: ignore[arg-type]
    assert len(slugs) == 20


def test_versions_chain(db_url: str) -> None:
    alice = owner()
    v1 = recipes.save_recipe(alice, make_recipe("Chilli"))
    v2 = recipes.save_recipe(alice, make_recipe("Vegan Chilli"), parent_id=v1.id, version_note="make it vegan")
    v3 = recipes.save_recipe(alice, make_recipe("Vegan Chilli, mild"), parent_id=v2.id, version_note="less heat")
    branch = recipes.save_recipe(alice, make_recipe("Chilli for 8", servings=8), parent_id=v1.id, version_note="for 8")
    unrelated = recipes.save_recipe(alice, make_recipe("Cornbread"))
    assert None not in (v1.id, v2.id, v3.id, branch.id, unrelated.id)
    assert (v2.parent_id, v2.version_note) == (v1.id, "make it vegan")

    chain = ["Chilli", "Vegan Chilli", "Vegan Chilli, mild", "Chilli for 8"]  # oldest first
    for member in (v1, v2, v3, branch):
        assert _titles(recipes.versions(alice, member.id)) == chain  # type: ignore[arg-type]
    assert _titles(recipes.versions(alice, unrelated.id)) == ["Cornbread"]  # type: ignore[arg-type]
    assert recipes.list_recipes(alice)[1] == 5  # every version is a recipe of its own

    # A deleted middle version is hidden but does not break the chain.
    assert recipes.delete_recipe(alice, v2.id)  # type: ignore[arg-type]
    assert _titles(recipes.versions(alice, v3.id)) == ["Chilli", "Vegan Chilli, mild", "Chilli for 8"]  # type: ignore[arg-type]
    assert recipes.versions(alice, v2.id) == []  # type: ignore[arg-type]
    with pytest.raises(recipes.NotFoundError):
        recipes.save_recipe(alice, make_recipe("From a deleted one"), parent_id=v2.id)


def test_a_failing_save_leaves_nothing(db_url: str) -> None:
    alice = owner()
    generation = generations.start_generation("tab", "{}", "demo-chef", owner_id=alice)

    def explode(*_args: object) -> None:
        raise RuntimeError("disk on fire")

    # The INSERT has run when this fires; the transaction must take it back.
    event.listen(SavedRecipe, "after_insert", explode)
    try:
        with pytest.raises(RuntimeError, match="disk on fire"):
            recipes.save_recipe(alice, make_recipe(), generation_id=generation, notes="n")
    finally:
        event.remove(SavedRecipe, "after_insert", explode)
    assert _count() == 0
    assert recipes.list_recipes(alice) == ([], 0)
    with pytest.raises(recipes.NotFoundError):
        recipes.save_recipe(alice, make_recipe(), parent_id=12345)
    assert _count() == 0
    assert recipes.save_recipe(alice, make_recipe(), generation_id=generation).id is not None
    assert _count() == 1


def test_cuisines_for_the_filter(db_url: str) -> None:
    alice = owner()
    for name, cuisine in [("a", "Thai"), ("b", "italian"), ("c", "Thai"), ("d", "Greek"), ("e", " ")]:
        recipes.save_recipe(alice, make_recipe(name, cuisine=cuisine))
    deleted = recipes.save_recipe(alice, make_recipe("f", cuisine="Peruvian"))
    recipes.delete_recipe(alice, deleted.id)  # type: ignore[arg-type]
    recipes.save_recipe(owner(), make_recipe("g", cuisine="Korean"))
    assert recipes.cuisines(alice) == ["Greek", "italian", "Thai"]


def test_progress_of_running_generations_is_saved_together_and_finished_rows_keep_their_end(db_url: str) -> None:
    first = generations.start_generation("tab-1", "{}", "demo-chef")
    second = generations.start_generation("tab-2", "{}", "demo-chef")
    done = generations.start_generation("tab-3", "{}", "demo-chef")
    generations.finish_generation(done, status="complete", recipe_json='{"name": "final"}')
    generations.save_progress({first: '{"name": "Sou', second: '{"name": "Stew", "des', done: '{"na'})
    with get_engine().connect() as conn:
        stored = dict(conn.execute(text("SELECT id, recipe_json FROM generation")).all())
    assert stored == {first: '{"name": "Sou', second: '{"name": "Stew", "des', done: '{"name": "final"}'}
