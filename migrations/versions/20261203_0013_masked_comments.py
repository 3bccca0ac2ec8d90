"""masked comments: a display copy of every answer text, masked when stored

Revision ID: 0013_masked_comments
Revises: 0012_cell_keys
Create Date: 2026-12-03 10:00:00

Comment pages showed the text masked on the fly and their search ran over
the raw text: a hit on "nguyenvanan" confirmed what the mask hid. Each
answer now keeps ``text_masked``, made by the masker when the answer is
stored; pages and their search read only that copy. Existing rows are
masked here, in batches, with the application's masker (the one home of
the rules, survey/domain/masking.py, pure Python).

The device salts go too: the device key is now derived from SECRET_KEY and
the day (survey/public/devices.py), and a stored salt beside the device
hashes is what let a copy of the database confirm a guessed device.
"""
from alembic import op
import sqlalchemy as sa

from survey.domain.masking import mask_personal_data


# revision identifiers, used by Alembic.
revision = '0013_masked_comments'
down_revision = '0012_cell_keys'
branch_labels = None
depends_on = None

BATCH = 2000


def upgrade():
    with op.batch_alter_table('answers') as batch:
        batch.add_column(sa.Column('text_masked', sa.Text(), nullable=True))
    connection = op.get_bind()
    answers = sa.table(
        'answers',
        sa.column('id', sa.Integer),
        sa.column('value_text', sa.Text),
        sa.column('text_masked', sa.Text),
    )
    update = (
        answers.update()
        .where(answers.c.id == sa.bindparam('row_id'))
        .values(text_masked=sa.bindparam('masked'))
    )
    last = 0
    while True:
        rows = connection.execute(
            sa.select(answers.c.id, answers.c.value_text)
            .where(answers.c.value_text.is_not(None), answers.c.id > last)
            .order_by(answers.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            break
        connection.execute(
            update,
            [{'row_id': i, 'masked': mask_personal_data(t)} for i, t in rows],
        )
        last = rows[-1][0]
    op.drop_table('device_salts')


def downgrade():
    op.create_table(
        'device_salts',
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('salt', sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint('day', name=op.f('pk_device_salts')),
    )
    with op.batch_alter_table('answers') as batch:
        batch.drop_column('text_masked')
