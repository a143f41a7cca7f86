"""Inputs: assessments in every format, checked against an edition.

read (JSON, YAML, JSON Lines) and sheets (xlsx, csv) → Source → assessment (model, per-field checks
from values) → population (the fast validated reader for large files) → lines (JSON Lines files read
twice for publish, memory flat); workbook writes the assessors' template; schema writes
schemas/assessment.schema.json (sync_schema: `ovop rules check` and `rules new` keep it in step with the
rule sets); published reads the real round results; messages words every assessment error in Indonesian
and English (localized: the CLI, the API and the desk say them in the reader's language).
"""
from ..lazy import lazily
from .assessment import Assessment, Catalogue, check_file, duplicates, item_label, load_assessments
from . import messages
from .messages import localized
from .scan import Record, Scan, collector_paused
from .population import FastCheck, Shared, parse, parse_line, parse_lines, slow
from .read import json_source, read
from .source import Source
from .values import Spec, problem

__getattr__ = lazily(__name__, {"read_population": ("lines", "read_population"),  # imported where first used
                                "load_published": ("published", "load_published"),
                                "sync_schema": ("schema", "sync")})


def write_template(*args, **kwargs):
    """engine.inputs.workbook.write_template, imported when a template is written (openpyxl loads slowly)."""
    from .workbook import write_template as write
    return write(*args, **kwargs)


__all__ = ["Assessment", "Catalogue", "check_file", "duplicates", "item_label", "load_assessments",
           "messages", "localized", "Record", "Scan", "collector_paused", "read_population", "FastCheck", "Shared",
           "parse", "parse_line", "parse_lines", "slow", "load_published",
           "json_source", "read", "sync_schema", "Source",
           "Spec", "problem", "write_template"]
