"""Publish: evaluate every assessment and write one SQLite database for Datasette, atomically.

schema (tables, views, indexes) and rules (criteria tables) → rows and steps (outcome and trace rows)
→ batch (rows from the batch columns), check (durable_rules sample), whatif, published → write →
build (publish, check_database); verify re-evaluates a published database.
"""
from . import guard
from .build import check_database, publish, publish_stream
from .schema import I, R, T, Table
from .verify import assessment_from_json, verify

__all__ = ["guard", "check_database", "publish", "publish_stream", "I", "R", "T", "Table", "assessment_from_json", "verify"]
