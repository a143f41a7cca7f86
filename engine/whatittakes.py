"""What it takes to reach the next star: the fewest level steps (then fewest criteria), caps respected."""
from __future__ import annotations


def compute(c, a, outcome, levels, score):
    return None
