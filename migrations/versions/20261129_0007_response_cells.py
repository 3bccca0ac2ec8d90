"""response cells: each response's answers as the raw CSV export writes them

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29 03:00:00

Responses already stored get no row: the raw export works their fields out
from their answers, as it did before.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('response_cells',
    sa.Column('response_id', sa.Integer(), nullable=False),
    sa.Column('cells', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['response_id'], ['responses.id'], name=op.f('fk_response_cells_response_id_responses'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('response_id', name=op.f('pk_response_cells'))
    )


def downgrade():
    op.drop_table('response_cells')
