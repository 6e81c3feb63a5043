"""integration options, re-attempts may share a vendor id, unmatched results

Revision ID: 7b6c889ef161
Revises: 41ae0b2b59cc
Create Date: 2026-11-24 21:40:44.106834
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision = '7b6c889ef161'
down_revision = '41ae0b2b59cc'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('unmatchedresult',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('integration_id', sa.Integer(), nullable=False),
    sa.Column('delivery_id', sa.Integer(), nullable=True),
    sa.Column('vendor_attempt_id', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('candidate_email', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=True),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('status', sa.JSON(), nullable=False),
    sa.Column('received_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('resolved_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('resolved_attempt_id', sa.Integer(), nullable=True),
    sa.Column('resolved_by', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True),
    sa.ForeignKeyConstraint(['delivery_id'], ['webhookdelivery.id'], ),
    sa.ForeignKeyConstraint(['integration_id'], ['integration.id'], ),
    sa.ForeignKeyConstraint(['resolved_attempt_id'], ['assessmentattempt.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('unmatchedresult', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_unmatchedresult_integration_id'), ['integration_id'], unique=False)

    # The initial schema's unique (integration_id, vendor_attempt_id) had no name: PostgreSQL
    # named it itself; on SQLite a naming convention lets batch mode find it.
    if op.get_bind().dialect.name == 'postgresql':
        op.drop_constraint('assessmentattempt_integration_id_vendor_attempt_id_key', 'assessmentattempt', type_='unique')
        with op.batch_alter_table('assessmentattempt', schema=None) as batch_op:
            batch_op.create_index('ix_attempt_vendor_id', ['integration_id', 'vendor_attempt_id'], unique=False)
    else:
        with op.batch_alter_table(
            'assessmentattempt', naming_convention={'uq': 'uq_%(table_name)s_%(column_0_name)s_%(column_1_name)s'}
        ) as batch_op:
            batch_op.drop_constraint('uq_assessmentattempt_integration_id_vendor_attempt_id', type_='unique')
            batch_op.create_index('ix_attempt_vendor_id', ['integration_id', 'vendor_attempt_id'], unique=False)

    with op.batch_alter_table('integration', schema=None) as batch_op:
        batch_op.add_column(sa.Column('options', sa.JSON(), server_default='{}', nullable=False))



def downgrade() -> None:
    with op.batch_alter_table('integration', schema=None) as batch_op:
        batch_op.drop_column('options')

    with op.batch_alter_table('assessmentattempt', schema=None) as batch_op:
        batch_op.drop_index('ix_attempt_vendor_id')
        batch_op.create_unique_constraint(
            'assessmentattempt_integration_id_vendor_attempt_id_key', ['integration_id', 'vendor_attempt_id']
        )

    with op.batch_alter_table('unmatchedresult', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_unmatchedresult_integration_id'))

    op.drop_table('unmatchedresult')
