"""Generation: whether its token counts are the studio's estimate (the provider sent no usage).

Revision ID: b3e91c4d2a10
Revises: ae5ff630f4c5
Create Date: 2026-12-01 08:20:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = 'b3e91c4d2a10'
down_revision: Union[str, Sequence[str], None] = 'ae5ff630f4c5'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('generation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('tokens_estimated', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('generation', schema=None) as batch_op:
        batch_op.drop_column('tokens_estimated')
