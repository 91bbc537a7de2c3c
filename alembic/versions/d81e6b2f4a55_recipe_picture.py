"""The picture an image model drew of a saved recipe.

Revision ID: d81e6b2f4a55
Revises: c4f2a8d91e37
Create Date: 2026-12-01 09:30:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


# revision identifiers, used by Alembic.
revision: str = 'd81e6b2f4a55'
down_revision: Union[str, Sequence[str], None] = 'c4f2a8d91e37'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        'recipe_picture',
        sa.Column('recipe_id', sa.Integer(), nullable=False),
        sa.Column('data_uri', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('model', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['recipe_id'], ['saved_recipe.id'], name='fk_recipe_picture_recipe_id', ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('recipe_id'),
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table('recipe_picture')
