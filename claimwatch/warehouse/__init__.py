"""Warehouse access: connections, migrations, loaders. SQL text lives in ``sql/``."""

from claimwatch.warehouse.connection import connect, warehouse_dsn
from claimwatch.warehouse.queries import query

__all__ = ["connect", "query", "warehouse_dsn"]
