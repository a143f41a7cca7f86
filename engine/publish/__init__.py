"""Publish: evaluate every assessment and write one SQLite database for Datasette, atomically.

schema (tables, views, indexes) and rules (criteria tables) → rows and steps (outcome and trace rows)
→ batch (rows from the batch columns), check (durable_rules sample), whatif, published → write →
build (publish, check_database); verify re-evaluates a published database. packing: the packed inputs and
traces, and `register`, which lets a connection's SQL read them (ovop_unpack).
"""
from . import guard
from .build import check_database, publish, publish_stream
from .packing import connect, register
from .rows import plain_float
from .schema import FACET_COLUMNS, PER_EDITION_COLUMNS, I, R, T, Table
from .verify import assessment_from_json, verify

__all__ = ["guard", "check_database", "publish", "publish_stream", "connect", "register", "plain_float", "FACET_COLUMNS", "PER_EDITION_COLUMNS", "I", "R",
           "T", "Table", "assessment_from_json", "verify"]
