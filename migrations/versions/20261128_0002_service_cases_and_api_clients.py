"""service cases, their contacts (kept apart) and API clients

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 18:16:08.962426

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('api_clients',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('last_used_at', sa.DateTime(), nullable=True),
    sa.Column('disabled_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_clients')),
    sa.UniqueConstraint('name', name=op.f('uq_api_clients_name')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_clients_token_hash'))
    )
    op.create_table('service_cases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reference_hash', sa.String(length=64), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('procedure_group', sa.String(length=60), nullable=False),
    sa.Column('applicant_type', sa.String(length=10), nullable=False),
    sa.Column('submission_channel', sa.String(length=10), nullable=False),
    sa.Column('outcome', sa.String(length=10), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('returned_on', sa.Date(), nullable=False),
    sa.Column('supplement_requests', sa.Integer(), nullable=True),
    sa.Column('source', sa.String(length=5), nullable=False),
    sa.Column('imported_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_service_cases_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_cases')),
    sa.UniqueConstraint('reference_hash', name=op.f('uq_service_cases_reference_hash'))
    )
    with op.batch_alter_table('service_cases', schema=None) as batch_op:
        batch_op.create_index('ix_service_cases_unit_returned', ['unit_id', 'returned_on'], unique=False)

    op.create_table('case_contacts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=True),
    sa.Column('phone_hash', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('erased_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['service_cases.id'], name=op.f('fk_case_contacts_case_id_service_cases'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_contacts')),
    sa.UniqueConstraint('case_id', name=op.f('uq_case_contacts_case_id'))
    )
    with op.batch_alter_table('case_contacts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_contacts_phone_hash'), ['phone_hash'], unique=False)



def downgrade():
    with op.batch_alter_table('case_contacts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_contacts_phone_hash'))

    op.drop_table('case_contacts')
    with op.batch_alter_table('service_cases', schema=None) as batch_op:
        batch_op.drop_index('ix_service_cases_unit_returned')

    op.drop_table('service_cases')
    op.drop_table('api_clients')
