"""reform lineage: units' validity periods, reforms and their links

Revision ID: 0009_reform_lineage
Revises: 0008
Create Date: 2026-12-02 16:30:00
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009_reform_lineage'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('units') as batch:
        batch.add_column(sa.Column('valid_from', sa.Date(), nullable=True))
        batch.add_column(sa.Column('valid_to', sa.Date(), nullable=True))
    op.create_table('reforms',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('effective_on', sa.Date(), nullable=False),
    sa.Column('source', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reforms'))
    )
    op.create_table('reform_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reform_id', sa.Integer(), nullable=False),
    sa.Column('predecessor_id', sa.Integer(), nullable=False),
    sa.Column('successor_id', sa.Integer(), nullable=False),
    sa.Column('share', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['predecessor_id'], ['units.id'], name=op.f('fk_reform_links_predecessor_id_units')),
    sa.ForeignKeyConstraint(['reform_id'], ['reforms.id'], name=op.f('fk_reform_links_reform_id_reforms'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['successor_id'], ['units.id'], name=op.f('fk_reform_links_successor_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reform_links')),
    sa.UniqueConstraint('reform_id', 'predecessor_id', 'successor_id', name=op.f('uq_reform_links_reform_id'))
    )
    with op.batch_alter_table('reform_links') as batch:
        batch.create_index(batch.f('ix_reform_links_predecessor_id'), ['predecessor_id'], unique=False)
        batch.create_index(batch.f('ix_reform_links_reform_id'), ['reform_id'], unique=False)
        batch.create_index(batch.f('ix_reform_links_successor_id'), ['successor_id'], unique=False)


def downgrade():
    op.drop_table('reform_links')
    op.drop_table('reforms')
    # Not a batch: on SQLite that would copy ``units``, which every other table
    # references (foreign keys are on). SQLite 3.35+ drops a column in place.
    for column in ('valid_to', 'valid_from'):
        if op.get_bind().dialect.name == 'sqlite':
            op.execute(f'ALTER TABLE units DROP COLUMN {column}')
        else:
            op.drop_column('units', column)
