"""review: counting policy, threshold rule, candidate feedback

Revision ID: c6dec009c4b5
Revises: 662279d38123
Create Date: 2026-11-24 22:09:15.680935
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision = 'c6dec009c4b5'
down_revision = '662279d38123'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('job', schema=None) as batch_op:
        batch_op.add_column(sa.Column('candidate_feedback', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('feedback_template', sqlmodel.sql.sqltypes.AutoString(), server_default='', nullable=False))

    with op.batch_alter_table('stage', schema=None) as batch_op:
        batch_op.add_column(sa.Column('counting', sqlmodel.sql.sqltypes.AutoString(length=10), server_default='latest', nullable=False))
        batch_op.add_column(sa.Column('advance_at', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('rule_enabled_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('stage', schema=None) as batch_op:
        batch_op.drop_column('rule_enabled_at')
        batch_op.drop_column('advance_at')
        batch_op.drop_column('counting')

    with op.batch_alter_table('job', schema=None) as batch_op:
        batch_op.drop_column('feedback_template')
        batch_op.drop_column('candidate_feedback')

