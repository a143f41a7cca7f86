"""Synth: seeded synthetic assessments shaped like the published rounds (never a real firm).

data (targets, places, names) → plan (outcome classes by quota) → values (evidence inside each level)
→ generate (records, YAML files) → jsonl (large populations over worker processes).
"""
from .data import DEFAULT_N
from .generate import DEFAULT_DIR, outcome_counts, stream, synthesize, write_all, write_edition
from .jsonl import workers_for, write_jsonl

__all__ = ["DEFAULT_N", "DEFAULT_DIR", "outcome_counts", "stream", "synthesize", "write_all", "write_edition",
           "workers_for", "write_jsonl"]
