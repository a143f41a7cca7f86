"""The real published round results (datasets/published_results.yaml) as two small tables."""
from __future__ import annotations

from pathlib import Path

from ..inputs import load_published

FILE_NAME = "published_results.yaml"


def find(paths: list[Path]) -> Path | None:
    """The published-results file in the dataset folders given, if any."""
    for p in paths:
        candidate = p / FILE_NAME if p.is_dir() else p
        if candidate.name == FILE_NAME and candidate.is_file():
            return candidate
    return None


def write(db_path: Path, source: Path) -> None:
    """Add `published_results` (aggregates per round and source) and `published_named` (named firms)."""
    import sqlite_utils  # 0.1 s to load (dateutil, pluggy): only where there are published results to write
    results = load_published(source)
    db = sqlite_utils.Database(db_path)
    db["published_results"].insert_all(results.aggregate_rows(), pk=("round", "source"))
    db["published_named"].insert_all(results.named_rows(), pk=("round", "firm"))
    db.conn.commit()
    db.close()
