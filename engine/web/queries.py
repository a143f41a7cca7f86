"""Canned queries that need tables a plain `ovop publish` does not fill (site/queries.yaml).

Each is listed, and answers, only when its tables are there: `needs` (the table exists) and `needs_rows` (it
exists and has rows). The what-if queries need `ovop publish --what-if`; `impact_movers_for` needs an impact
run published into the database. A query missing from the list answers 404, never "no such table".
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from .site import SITE_DIR

QUERIES_FILE = "queries.yaml"


@lru_cache(maxsize=4)
def definitions(site: Path = SITE_DIR) -> dict[str, dict]:
    import yaml
    path = site / QUERIES_FILE
    return yaml.safe_load(path.read_text(encoding="utf-8")) if path.is_file() else {}


async def available(db, site: Path = SITE_DIR) -> dict[str, dict]:
    """The conditional queries whose tables are in the database, without their `needs` keys."""
    tables = set(await db.table_names())
    out = {}
    for name, q in definitions(site).items():
        needs, rows = q.get("needs", []), q.get("needs_rows", [])
        if not set(needs + rows) <= tables:
            continue
        if not all([(await db.execute(f"select 1 from [{t}] limit 1")).rows for t in rows]):
            continue
        out[name] = {k: v for k, v in q.items() if k not in ("needs", "needs_rows")}
    return out
