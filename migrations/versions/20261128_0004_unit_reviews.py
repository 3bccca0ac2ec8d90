"""unit reviews: a unit under review after a red integrity indicator

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 18:29:06.542530

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('unit_reviews',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=15), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('opened_at', sa.DateTime(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('decision_reason', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_unit_reviews_decided_by_id_users')),
    sa.ForeignKeyConstraint(['survey_id'], ['surveys.id'], name=op.f('fk_unit_reviews_survey_id_surveys')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_unit_reviews_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_unit_reviews'))
    )
    with op.batch_alter_table('unit_reviews', schema=None) as batch_op:
        batch_op.create_index('ix_unit_reviews_survey_unit', ['survey_id', 'unit_id'], unique=False)



def downgrade():
    with op.batch_alter_table('unit_reviews', schema=None) as batch_op:
        batch_op.drop_index('ix_unit_reviews_survey_unit')

    op.drop_table('unit_reviews')
