"""Impact: who a draft edition would move, and why, against its base.

core (impact of a draft on assessment files), assume (answers assumed for what a draft adds), report
(render, echo: the text a reader sees) over rows (reasons read from trace rows)
and stream (JSON Lines populations over worker processes); publish adds a run to the database.
"""
from .assume import apply as with_assumed
from .assume import new_names
from .assume import parse as parse_assumptions
from .core import Impact, count, count_lines, default_datasets, impact
from .report import echo, render
from .rows import compare, score_text, why_not_evaluated

__all__ = ["new_names", "parse_assumptions", "with_assumed", "Impact", "count", "count_lines", "default_datasets", "echo", "impact", "render",
           "check_target", "publish_impact", "compare", "score_text", "why_not_evaluated"]


def __getattr__(name: str):
    """`check_target` and `publish_impact` (engine.impact.publish) loaded when first asked for: the publishing
    modules (SQLite, packing) are not needed to compute an impact."""
    if name in ("check_target", "publish_impact"):
        from . import publish
        return getattr(publish, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
