"""The site's home page: editions, headline numbers and charts first, then the tables that matter, internal
ones last (site/templates/index.html)."""
from __future__ import annotations

from . import charts

EDITIONS_SQL = """select e.id, e.title_id, e.title_en, e.scale_min, e.scale_max, e.status, e.criteria_count,
  e.legal_basis_status, e.legal_basis_url, count(o.key) as outcomes, sum(o.status = 'awarded') as awarded
from editions e left join outcomes o on o.edition = e.id group by e.id order by e.id"""
DISTRIBUTION_SQL = """select o.edition, e.scale_max as scale, coalesce(o.stars, 0) as stars, count(*) as outcomes
from outcomes o join editions e on e.id = o.edition group by o.edition, coalesce(o.stars, 0) order by 1, 3"""
SHARE_SQL = """select edition, {col} as key, count(*) as outcomes, sum(status = 'awarded') as awarded
from outcomes group by edition, {col} order by {col}, edition"""
MOVEMENT_SQL = """select stars_2022 as s22, stars_2024 as s24, count(*) as ikm from movement_2022_2024
group by 1, 2"""
HEADLINE_SQL = """select (select count(*) from outcomes) as outcomes, (select count(*) from ikm) as ikm,
  (select count(distinct province) from outcomes) as provinces, (select count(*) from editions) as editions,
  (select count(*) from outcomes where status = 'awarded') as awarded"""

MAIN_TABLES = [("outcomes", "Hasil / outcomes", "every assessment's outcome: stars, score, gates, consequences"),
               ("editions", "Edisi / editions", "each edition's rule set, star scale and legal basis"),
               ("criteria", "Kriteria / criteria", "every criterion of every edition, with provenance"),
               ("movement_2022_2024", "Pergerakan / movement 2022→2024", "IKM assessed in both rounds"),
               ("stars_by_edition_commodity_province", "Sebaran / distribution",
                "outcomes by edition, commodity, province and stars"),
               ("fragile_stars", "Dekat ambang / near a threshold", "stars within 2 points of a band threshold"),
               ("outcomes_what_if", "Bagaimana jika / what if", "assessments under other editions (publish --what-if)")]


async def context(db, datasette) -> dict:
    """Everything the home page shows; the charts as inline SVG."""
    key = (db.path,)
    editions = [dict(r) for r in await db.execute(EDITIONS_SQL)]
    headline = dict((await db.execute(HEADLINE_SQL)).first())
    dist = [dict(r) for r in await db.execute(DISTRIBUTION_SQL)]
    province = [dict(r) for r in await db.execute(SHARE_SQL.format(col="province"))]
    commodity = [dict(r) for r in await db.execute(SHARE_SQL.format(col="commodity"))]
    moved = [dict(r) for r in await db.execute(MOVEMENT_SQL)]
    tables = set(await db.table_names()) | set(await db.view_names())
    hidden = set(await db.hidden_table_names())
    main = [(t, title, about) for t, title, about in MAIN_TABLES if t in tables]
    shown = {t for t, _, _ in main}
    other = sorted(t for t in tables - shown - hidden if not t.startswith("sqlite_"))
    return {
        "editions": editions, "headline": headline, "main_tables": main, "other_tables": other,
        "charts": {
            "distribution": charts.svg(key + ("distribution",), charts.distribution(dist)),
            "province": charts.svg(key + ("province",), charts.share_by(
                province, "province", "Bagian mendapat bintang per provinsi / awarded share by province")),
            "commodity": charts.svg(key + ("commodity",), charts.share_by(
                commodity, "commodity", "Bagian mendapat bintang per komoditas / awarded share by commodity")),
            "movement": charts.svg(key + ("movement",), charts.movement(moved)),
        },
    }
