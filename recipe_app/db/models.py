"""SQLModel tables.

The schema is owned by the alembic migrations in ``alembic/versions`` (``reflex db makemigrations``
after a change here, ``reflex db migrate`` or the app's start-up to apply them); the tests check
that migrating an empty database gives exactly these tables, on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import CheckConstraint, ForeignKey, Index, text
from sqlmodel import Field, SQLModel

#: Longest notes a cook can keep on a saved recipe.
MAX_NOTES_CHARS = 2000
MAX_TITLE_CHARS = 200
MAX_CUISINE_CHARS = 80
MAX_VERSION_NOTE_CHARS = 200


def _now() -> datetime:
    return datetime.now(timezone.utc)


class Generation(SQLModel, table=True):
    """One press of Generate: what was asked, what came back, how it went."""

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=_now, index=True)
    session_hash: str = Field(default="", max_length=64, index=True)
    #: sha256 hex of the browser's owner id ("" for generations recorded without one).
    owner_key: str = Field(default="", max_length=64, index=True)
    request_json: str = ""
    #: What was asked for: recipe | question | swap | version | image.
    kind: str = Field(default="recipe", max_length=20, index=True)
    model: str = Field(default="", max_length=120)
    response_format: str = Field(default="", max_length=20)
    status: str = Field(default="streaming", max_length=20, index=True)
    error_type: str = Field(default="", max_length=60)
    attempts: int = 1
    ttft_ms: int | None = None
    duration_ms: int | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    tokens_estimated: bool = False  # the provider sent no usage: the counts are the studio's estimate
    updates_sent: int = 0
    recipe_json: str = ""
    finished_at: datetime | None = None


class SavedRecipe(SQLModel, table=True):
    """A recipe in one browser's library. Rows are only reached through ``recipe_app.db.recipes``,
    which filters every query by ``owner_key``."""

    __tablename__ = "saved_recipe"
    __table_args__ = (
        # One owner's live recipes: the list's count and filters, best rated first, Undo lookups.
        Index("ix_saved_recipe_owner_deleted_created", "owner_key", "deleted_at", "created_at"),
        Index("ix_saved_recipe_owner_deleted_rating", "owner_key", "deleted_at", "rating"),
        # One page of the list straight from an index, no sort: newest/oldest first, and favourites
        # only. Partial (live rows only), because `deleted_at IS NULL` on an index column does not
        # give PostgreSQL the order of the columns after it.
        Index(
            "ix_saved_recipe_live_created",
            "owner_key",
            "created_at",
            "id",
            sqlite_where=text("deleted_at IS NULL"),
            postgresql_where=text("deleted_at IS NULL"),
        ),
        Index(
            "ix_saved_recipe_live_favourite",
            "owner_key",
            "favourite",
            "created_at",
            "id",
            sqlite_where=text("deleted_at IS NULL"),
            postgresql_where=text("deleted_at IS NULL"),
        ),
        CheckConstraint("rating IS NULL OR (rating >= 1 AND rating <= 5)", name="ck_saved_recipe_rating"),
    )

    id: int | None = Field(default=None, primary_key=True)
    #: sha256 hex of the browser's owner id; the raw id is never stored.
    owner_key: str = Field(max_length=64, index=True)
    title: str = Field(max_length=MAX_TITLE_CHARS, index=True)
    description: str = ""
    cuisine: str = Field(default="", max_length=MAX_CUISINE_CHARS, index=True)
    #: One of ``recipe_app.llm.prompts.DIETS``.
    diet: str = Field(default="none", max_length=20, index=True)
    servings: int = 1
    #: ``Recipe.model_dump_json()``.
    recipe_json: str
    #: Lower-cased title and ingredient items, one per line, for search.
    search_text: str = ""
    notes: str = Field(default="", max_length=MAX_NOTES_CHARS)
    rating: int | None = None
    favourite: bool = Field(default=False, index=True)
    created_at: datetime = Field(default_factory=_now, index=True)
    updated_at: datetime = Field(default_factory=_now)
    #: The generation that produced it (named constraints keep SQLite batch migrations workable).
    generation_id: int | None = Field(
        default=None,
        index=True,
        sa_column_args=[ForeignKey("generation.id", name="fk_saved_recipe_generation_id", ondelete="SET NULL")],
    )
    #: The version this one was made from ("Regenerate with changes" or an edit).
    parent_id: int | None = Field(
        default=None,
        index=True,
        sa_column_args=[ForeignKey("saved_recipe.id", name="fk_saved_recipe_parent_id", ondelete="SET NULL")],
    )
    version_note: str = Field(default="", max_length=MAX_VERSION_NOTE_CHARS)
    #: The cook's questions about this recipe and their answers: JSON ``[{"q": ..., "a": ...}]``.
    thread_json: str = ""
    #: Set by a (soft) delete, cleared by Undo; rows are purged later by ``purge_deleted``.
    deleted_at: datetime | None = None
    #: The unguessable slug of the public read-only link ``/r/<slug>``; None when not shared.
    share_slug: str | None = Field(default=None, max_length=64, unique=True, index=True)


class RecipePicture(SQLModel, table=True):
    """The picture the image model drew of a saved recipe (one per recipe, size-bounded by the app)."""

    __tablename__ = "recipe_picture"

    recipe_id: int = Field(
        primary_key=True,
        sa_column_args=[ForeignKey("saved_recipe.id", name="fk_recipe_picture_recipe_id", ondelete="CASCADE")],
    )
    #: A ``data:image/...;base64,...`` URI, shown as an image element.
    data_uri: str
    model: str = Field(default="", max_length=120)
    created_at: datetime = Field(default_factory=_now)
