"""Impact: who a draft edition would move, and why, against its base.

core (impact of a draft on assessment files; render, echo) over rows (reasons read from trace rows)
and stream (JSON Lines populations over worker processes); publish adds a run to the database.
"""
from .core import Impact, count_lines, default_datasets, echo, impact, render
from .publish import check_target, publish_impact
from .rows import compare, why_not_evaluated

__all__ = ["Impact", "count_lines", "default_datasets", "echo", "impact", "render", "check_target",
           "publish_impact", "compare", "why_not_evaluated"]
