"""Charts beside the tables they draw (site/templates/table.html and query.html put them above the rows):

- outcomes and outcomes_what_if: stars per edition, each on its own scale, of the rows as filtered (drawn
  from the per-edition stars facet, engine/web/facets.py);
- stars_by_edition_commodity_province: the awarded share by province and by commodity;
- movement_2022_2024: the movement matrix; the star_distribution query: its edition's stars.
"""
from __future__ import annotations

from . import charts, home

CAPTION_SCALE = ("Setiap edisi pada skalanya sendiri (0 = tanpa bintang); mengikuti saringan tabel / "
                 "each edition on its own scale (0 = no stars); follows the table's filters")


def facet_chart(sorted_facet_results) -> list[dict]:
    """The chart of the per-edition stars facet of a table page (none when the facet is not shown)."""
    for info in sorted_facet_results or []:
        if info.get("type") != "per_edition" or not info.get("results"):
            continue
        rows = tuple((r["edition"], r["scale"] or 0, r["stars"] or 0, r["count"]) for r in info["results"])
        merged: dict[tuple, int] = {}
        for edition, scale, stars, count in rows:
            merged[(edition, scale, stars)] = merged.get((edition, scale, stars), 0) + count
        spec = charts.distribution([{"edition": e, "scale": sc, "stars": st, "outcomes": n}
                                    for (e, sc, st), n in sorted(merged.items())])
        return [{"id": "chart-table-stars", "svg": charts.svg(("facet",) + rows, spec), "caption": CAPTION_SCALE}]
    return []


async def table_charts(db, table: str) -> list[dict]:
    """Whole-table charts of a table page (cached per database file: it is served immutable)."""
    key = (db.path, table)
    if table == "movement_2022_2024":
        moved = [dict(r) for r in await db.execute(home.MOVEMENT_SQL)]
        return [{"id": "chart-table-movement", "svg": charts.svg(key, charts.movement(moved)),
                 "caption": "IKM yang dinilai pada 2022 dan 2024 / IKM in both rounds"}]
    if table == "stars_by_edition_commodity_province":
        out = []
        for col, title in (("province", "Bagian mendapat bintang per provinsi / awarded share by province"),
                           ("commodity", "Bagian mendapat bintang per komoditas / awarded share by commodity")):
            rows = [dict(r) for r in await db.execute(home.SHARE_SQL.format(col=col))]
            out.append({"id": f"chart-table-{col}", "svg": charts.svg(key + (col,), charts.share_by(rows, col, title)),
                        "caption": "Bagian hasil yang mendapat bintang / share of outcomes awarded"})
        return out
    return []


async def query_charts(db, query: str | None, edition: str | None) -> list[dict]:
    """The chart of a canned query's answer (star_distribution: its edition's stars on their scale)."""
    if query != "star_distribution" or not edition:
        return []
    rows = [dict(r) for r in await db.execute(
        "select o.edition, e.scale_max as scale, coalesce(o.stars, 0) as stars, count(*) as outcomes from outcomes o "
        "join editions e on e.id = o.edition where o.edition = ? group by 1, 2, 3 order by 3", [edition])]
    return [{"id": "chart-query-stars", "svg": charts.svg((db.path, query, edition), charts.distribution(rows)),
             "caption": "Bintang edisi ini pada skalanya (0 = tanpa bintang) / this edition's stars on its scale "
                        "(0 = no stars)"}] if rows else []
