"""the outbox: outreach plans, messages, opt-outs, channel tokens; contacts' e-mail

Revision ID: 0010_outbox
Revises: 0009_reform_lineage
Create Date: 2026-12-02 16:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0010_outbox'
down_revision = '0009_reform_lineage'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('outreach_plans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('wave_id', sa.Integer(), nullable=False),
    sa.Column('channels', sa.String(length=40), nullable=False),
    sa.Column('max_reminders', sa.Integer(), nullable=False),
    sa.Column('reminder_days', sa.Integer(), nullable=False),
    sa.Column('subject_vi', sa.String(length=200), nullable=False),
    sa.Column('subject_en', sa.String(length=200), nullable=False),
    sa.Column('first_vi', sa.Text(), nullable=False),
    sa.Column('first_en', sa.Text(), nullable=False),
    sa.Column('reminder_vi', sa.Text(), nullable=False),
    sa.Column('reminder_en', sa.Text(), nullable=False),
    sa.Column('zns_template_id', sa.String(length=40), nullable=False),
    sa.Column('base_url', sa.String(length=200), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['wave_id'], ['waves.id'], name=op.f('fk_outreach_plans_wave_id_waves'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outreach_plans')),
    sa.UniqueConstraint('wave_id', name=op.f('uq_outreach_plans_wave_id'))
    )
    op.create_table('outbox_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('wave_id', sa.Integer(), nullable=False),
    sa.Column('invitation_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('language', sa.String(length=5), nullable=False),
    sa.Column('address_hash', sa.String(length=64), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.Column('provider_id', sa.String(length=100), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('due_at', sa.DateTime(), nullable=False),
    sa.Column('claimed_at', sa.DateTime(), nullable=True),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.Column('delivered_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['invitation_id'], ['invitations.id'], name=op.f('fk_outbox_messages_invitation_id_invitations')),
    sa.ForeignKeyConstraint(['wave_id'], ['waves.id'], name=op.f('fk_outbox_messages_wave_id_waves')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_messages')),
    sa.UniqueConstraint('invitation_id', 'seq', name=op.f('uq_outbox_messages_invitation_id'))
    )
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_messages_address_hash'), ['address_hash'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_messages_provider_id'), ['provider_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_messages_wave_id'), ['wave_id'], unique=False)
        batch_op.create_index('ix_outbox_messages_state_due', ['state', 'due_at'], unique=False)

    op.create_table('opt_outs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('address_hash', sa.String(length=64), nullable=False),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_opt_outs')),
    sa.UniqueConstraint('address_hash', name=op.f('uq_opt_outs_address_hash'))
    )
    op.create_table('channel_tokens',
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('access_token', sa.Text(), nullable=False),
    sa.Column('refresh_token', sa.Text(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('channel', name=op.f('pk_channel_tokens'))
    )
    with op.batch_alter_table('case_contacts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email', sa.String(length=254), nullable=True))


def downgrade():
    with op.batch_alter_table('case_contacts', schema=None) as batch_op:
        batch_op.drop_column('email')
    op.drop_table('channel_tokens')
    op.drop_table('opt_outs')
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_messages_state_due')
        batch_op.drop_index(batch_op.f('ix_outbox_messages_wave_id'))
        batch_op.drop_index(batch_op.f('ix_outbox_messages_provider_id'))
        batch_op.drop_index(batch_op.f('ix_outbox_messages_address_hash'))
    op.drop_table('outbox_messages')
    op.drop_table('outreach_plans')
