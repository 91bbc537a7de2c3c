"""Generation: its kind (recipe, question, swap, version, image); saved recipe: its question thread.

Revision ID: c4f2a8d91e37
Revises: b3e91c4d2a10
Create Date: 2026-12-01 09:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


# revision identifiers, used by Alembic.
revision: str = 'c4f2a8d91e37'
down_revision: Union[str, Sequence[str], None] = 'b3e91c4d2a10'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('generation', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False, server_default='recipe')
        )
        batch_op.create_index(batch_op.f('ix_generation_kind'), ['kind'], unique=False)
    with op.batch_alter_table('saved_recipe', schema=None) as batch_op:
        batch_op.add_column(sa.Column('thread_json', sqlmodel.sql.sqltypes.AutoString(), nullable=False, server_default=''))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('saved_recipe', schema=None) as batch_op:
        batch_op.drop_column('thread_json')
    with op.batch_alter_table('generation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_generation_kind'))
        batch_op.drop_column('kind')
