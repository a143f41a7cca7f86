"""Inputs: assessments in every format, checked against an edition.

read (JSON, YAML, JSON Lines) and sheets (xlsx, csv) → Source → assessment (model, per-field checks
from values) → population (the fast validated reader for large files) → lines (JSON Lines files read
twice for publish, memory flat); workbook writes the assessors' template; schema writes
schemas/assessment.schema.json (sync_schema: `ovop rules check` and `rules new` keep it in step with the
rule sets); published reads the real round results; messages words every assessment error in Indonesian
and English (localized: the CLI, the API and the desk say them in the reader's language).
"""
from .assessment import Assessment, Catalogue, check_file, duplicates, item_label, load_assessments
from . import messages
from .messages import localized
from .lines import read_population
from .scan import Record, Scan, collector_paused
from .population import FastCheck, Shared, parse, parse_line, parse_lines, slow
from .published import load_published
from .read import json_source, read
from .schema import sync as sync_schema
from .source import Source
from .values import Spec, problem


def write_template(*args, **kwargs):
    """engine.inputs.workbook.write_template, imported when a template is written (openpyxl loads slowly)."""
    from .workbook import write_template as write
    return write(*args, **kwargs)


__all__ = ["Assessment", "Catalogue", "check_file", "duplicates", "item_label", "load_assessments",
           "messages", "localized", "Record", "Scan", "collector_paused", "read_population", "FastCheck", "Shared",
           "parse", "parse_line", "parse_lines", "slow", "load_published",
           "json_source", "read", "sync_schema", "Source",
           "Spec", "problem", "write_template"]
