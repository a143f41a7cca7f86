"""How the site shows a cell: stars against their edition's scale ("★★☆ 2/3"), provenance badges, outcome links.

JSON and CSV keep the numbers and codes; only HTML cells are rendered here (site/plugins/ovop_site.py).
"""
from __future__ import annotations

import sqlite3

from markupsafe import Markup, escape

STAR_COLUMNS = {"stars", "band_stars", "previous_stars", "stars_2022", "stars_2024", "threshold_stars", "max_stars",
                "base_stars", "draft_stars", "stars_own", "stars_2018"}
STATUS_COLUMNS = {"provenance_status", "legal_basis_status", "scale_status", "score_status"}
BADGES = {"sourced": ("bersumber / sourced", "stated by a public source (see the link)"),
          "assumed": ("asumsi / assumed", "a documented stand-in, not an official figure")}
# columns whose edition is fixed by their name; others take the row's `edition` (previous_stars: previous_edition)
FIXED = {"stars_2022": "2022", "stars_2024": "2024", "stars_2018": "2018"}
EDITION_OF = {"previous_stars": "previous_edition", "stars_own": "from_edition"}
OUTCOME_KEY_COLUMNS = {"outcome", "outcome_2022", "outcome_2024"}
_scales: dict[str, dict[str, int]] = {}


def scales(db_path: str | None) -> dict[str, int]:
    """Edition -> top of its star scale, read once per database file (served immutable)."""
    if db_path not in _scales:
        found: dict[str, int] = {}
        if db_path:
            try:
                conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
                found = dict(conn.execute("select id, scale_max from editions"))
                conn.close()
            except sqlite3.Error:
                found = {}
        _scales[db_path] = found
    return _scales[db_path]


def stars_html(value, scale: int | None = None) -> Markup:
    if value is None:
        return Markup("")
    n = int(value)
    if scale:
        shown = Markup('<span class="ovop-on">{}</span><span class="ovop-off">{}</span> <span class="ovop-of">{}/{}</span>').format(
            "★" * n, "☆" * max(scale - n, 0), n, scale)
        title = f"{n} dari {scale} bintang / {n} of {scale} stars"
    else:
        shown, title = ("★" * n if n else "☆"), f"{n} bintang / {n} stars"
    return Markup('<span class="ovop-stars" data-stars="{}" title="{}">{}</span>').format(n, title, shown)


def badge_html(status, url=None) -> Markup:
    if status not in BADGES:
        return Markup(escape(status or ""))
    text, title = BADGES[status]
    span = Markup('<span class="ovop-badge ovop-{}" title="{}">{}</span>').format(status, title, text)
    if status == "sourced" and url:
        return Markup('<a href="{}" rel="nofollow">{}</a>').format(url, span)
    return span


def get(row, name):
    try:
        return row[name]
    except (IndexError, KeyError, TypeError):
        return None


def scale_for(row, column: str, db_path: str | None) -> int | None:
    edition = FIXED.get(column) or get(row, EDITION_OF.get(column, "edition"))
    if isinstance(edition, dict):  # a foreign key the table view expanded to {"value", "label"}
        edition = edition.get("value")
    return scales(db_path).get(edition) if isinstance(edition, str) else None


QUERY_KEY_COLUMNS = {"assessment", "key"}  # in query results (no table), these hold outcome keys too


def cell(row, value, column: str, db_path: str | None, outcome_url, table: str | None = "") -> Markup | None:
    """The HTML of one cell, or None for Datasette's own rendering (table None: a query's result)."""
    if column in STAR_COLUMNS and isinstance(value, int) and not isinstance(value, bool):
        return stars_html(value, scale_for(row, column, db_path))
    if column in STATUS_COLUMNS and value in BADGES:
        url_column = "legal_basis_url" if column == "legal_basis_status" else "source_url"
        return badge_html(value, get(row, url_column))
    keys = OUTCOME_KEY_COLUMNS | (QUERY_KEY_COLUMNS if table is None else set())
    if column in keys and isinstance(value, str) and "/" in value:
        return Markup('<a href="{}">{}</a>').format(outcome_url(value), value)
    if column == "status" and value in ("awarded", "not_awarded", "ineligible", "conditional"):
        return Markup('<span class="ovop-status ovop-status-{}">{}</span>').format(value, value)
    return None
