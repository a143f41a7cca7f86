"""Charts of the published outcomes as Vega-Lite specifications, rendered to SVG by the site itself.

vl-convert (Vega and Vega-Lite compiled into the Python package) draws them on the server: the page gets an
inline <svg>, with no script and nothing fetched from elsewhere, so the site works offline. Each chart is
drawn once per database file (it is served immutable) and kept (at most CACHE charts: the table pages'
charts follow their filters).
"""
from __future__ import annotations

from typing import Any

STAR_COLOURS = ["#9ca3af", "#fde68a", "#fbbf24", "#f59e0b", "#d97706", "#92400e"]  # 0 (none) .. 5 stars
FONT = "DejaVu Sans, Arial, sans-serif"
_cache: dict[tuple, str] = {}
CACHE = 512


def star_label(stars: int | None, scale: int) -> str:
    return f"{stars or 0}/{scale}"


def _config() -> dict:
    return {"font": FONT, "view": {"stroke": None}, "axis": {"labelFontSize": 11, "titleFontSize": 11},
            "legend": {"labelFontSize": 11, "titleFontSize": 11}, "title": {"fontSize": 13, "anchor": "start"}}


def distribution(rows: list[dict]) -> dict:
    """Outcomes per stars, one panel per edition, each on its own scale (rows: edition, scale, stars, outcomes)."""
    counts = {(r["edition"], r["stars"] or 0): r["outcomes"] for r in rows}
    scale_of = {r["edition"]: r["scale"] or 0 for r in rows}
    for edition, scale in scale_of.items():  # every level of the scale on the axis, an empty one as 0
        for n in range(scale + 1):
            counts.setdefault((edition, n), 0)
    values = [{"edition": e, "stars": star_label(n, scale_of[e]), "n": n, "outcomes": c}
              for (e, n), c in sorted(counts.items())]
    return {"title": "Bintang per edisi / stars per edition (each on its own scale)",
            "data": {"values": values}, "config": _config(),
            "facet": {"column": {"field": "edition", "type": "nominal", "title": None}},
            "resolve": {"scale": {"x": "independent"}},
            "spec": {"width": 150, "height": 140, "mark": {"type": "bar"},
                     "encoding": {"x": {"field": "stars", "type": "ordinal", "title": "stars/scale", "sort": "ascending",
                                        "axis": {"labelAngle": 0}},
                                  "y": {"field": "outcomes", "type": "quantitative", "title": "outcomes"},
                                  "color": _star_colour(),
                                  "tooltip": [{"field": "edition"}, {"field": "stars"}, {"field": "outcomes"}]}}}


def _star_colour() -> dict:
    return {"field": "n", "type": "ordinal", "title": "stars", "scale": {"domain": list(range(6)), "range": STAR_COLOURS},
            "legend": None}


def share_by(rows: list[dict], field: str, title: str) -> dict:
    """Share of outcomes awarded per `field` and edition (rows: edition, key, outcomes, awarded)."""
    values = [{"edition": r["edition"], field: r["key"], "awarded %": round(100 * r["awarded"] / r["outcomes"], 1),
               "outcomes": r["outcomes"]} for r in rows if r["outcomes"]]
    return {"title": title, "data": {"values": values}, "config": _config(), "width": 260,
            "mark": {"type": "circle", "size": 60, "opacity": 0.8},
            "encoding": {"y": {"field": field, "type": "nominal", "title": None, "sort": "ascending"},
                         "x": {"field": "awarded %", "type": "quantitative", "scale": {"domain": [0, 100]}},
                         "color": {"field": "edition", "type": "nominal", "scale": {"scheme": "tableau10"}},
                         "tooltip": [{"field": field}, {"field": "edition"}, {"field": "awarded %"},
                                     {"field": "outcomes"}]}}


def movement(rows: list[dict]) -> dict:
    """IKM in both rounds, 2022 stars (rows) against 2024 stars (columns), counted (rows: s22, s24, ikm)."""
    values = [{"2022": star_label(r["s22"], 3), "2024": star_label(r["s24"], 3), "ikm": r["ikm"]} for r in rows]
    return {"title": "Pergerakan 2022 → 2024 / movement (IKM in both rounds)", "data": {"values": values},
            "config": _config(), "width": 160, "height": 160,
            "encoding": {"x": {"field": "2024", "type": "ordinal", "title": "stars 2024"},
                         "y": {"field": "2022", "type": "ordinal", "title": "stars 2022", "sort": "descending"}},
            "layer": [{"mark": "rect", "encoding": {"color": {"field": "ikm", "type": "quantitative", "title": "IKM",
                                                              "scale": {"scheme": "oranges"}}}},
                      {"mark": {"type": "text", "fontSize": 12}, "encoding": {"text": {"field": "ikm"}}}]}


def svg(key: tuple, spec: dict[str, Any]) -> str:
    """The chart as inline SVG (kept per key: the database is immutable)."""
    if key not in _cache:
        import vl_convert as vlc
        if len(_cache) >= CACHE:
            _cache.clear()
        if not spec["data"]["values"]:
            _cache[key] = ""
        else:
            text = vlc.vegalite_to_svg(spec)
            title = spec.get("title", "")
            _cache[key] = text.replace('class="marks"', f'class="marks ovop-chart-svg" role="img" aria-label="{title}"', 1)
    return _cache[key]
