"""A facet of stars per edition, each on its own scale: "2024: ★★☆ 2/3", never one "3" bucket that mixes
a 3-of-5 with a 3-of-3 (metadata: `facets: [{per_edition: stars}]`, or `?_facet_per_edition=stars`; in a view of counts,
`{per_edition: {column: stars, count: outcomes}}` adds the counts up).

A bucket selects both its edition and its stars (?edition=2024&stars=2, or stars__isnull=1 for no stars);
its cross removes the stars again. The buckets also feed the chart above the table (table_charts.py).
"""
from __future__ import annotations

from datasette.database import QueryInterrupted
from datasette.facets import Facet
from datasette.utils import escape_sqlite, path_with_removed_args, path_with_replaced_args

from . import counted_facets

NO_STARS = "tanpa bintang / no stars"


def bucket_label(edition: str, stars: int | None, scale: int | None) -> str:
    if stars is None:
        return f"{edition}: {NO_STARS}"
    if not scale:
        return f"{edition}: {'★' * stars} {stars}"
    return f"{edition}: {'★' * stars}{'☆' * max(scale - stars, 0)} {stars}/{scale}"


class StarsPerEdition(Facet):
    type = "per_edition"

    async def suggest(self):
        return []

    async def facet_results(self):
        results, timed_out = [], []
        pairs = self.get_querystring_pairs()
        for source_and_config in self.get_configs():
            config, source = source_and_config["config"], source_and_config["source"]
            column = config.get("column") or config["simple"]
            edition = config.get("edition", "edition")
            sql, params = self._sql(column, edition, config.get("count"))
            try:
                rows = await self.ds.execute(self.database, sql, params, truncate=False,
                                             custom_time_limit=self.ds.setting("facet_time_limit_ms"))
            except QueryInterrupted:
                timed_out.append(column)
                continue
            values = [self._value(r, column, edition, pairs) for r in rows.rows if r["edition"] is not None]
            results.append({"name": column, "type": self.type, "hideable": source != "metadata",
                            "toggle_url": self.ds.urls.path(path_with_removed_args(self.request,
                                                                                    {"_facet_per_edition": column})),
                            "results": values, "truncated": False})
        return results, timed_out

    def _sql(self, column: str, edition: str, summed: str | None) -> tuple[str, dict]:
        """The facet's query: its counts stored at publish for the whole outcomes table, else counted here."""
        limit = self.ds.setting("max_returned_rows")
        stored = counted_facets.per_edition(self.database, self.table, self.sql, self.params, column, edition,
                                            bool(summed), limit)
        if stored is not None:
            return stored
        count = f"sum({escape_sqlite(summed)})" if summed else "count(*)"
        return f"""select f.edition, f.value, f.count, e.scale_max as scale from (
            select {escape_sqlite(edition)} as edition, {escape_sqlite(column)} as value, {count} as count
            from ({self.sql}) group by 1, 2) f left join editions e on e.id = f.edition
            order by f.edition desc, f.value is null, f.value desc limit {limit}""", self.params

    def _value(self, r, column: str, edition: str, pairs: list) -> dict:
        stars = r["value"]
        key, wanted = (f"{column}__isnull", "1") if stars is None else (column, str(stars))
        selected = (edition, str(r["edition"])) in pairs and (key, wanted) in pairs
        if selected:
            path = path_with_removed_args(self.request, {key: wanted})
        else:
            other = f"{column}__isnull" if stars is not None else column
            path = path_with_replaced_args(self.request, {edition: r["edition"], key: wanted, other: None})
        return {"value": f"{r['edition']}:{'' if stars is None else stars}", "edition": r["edition"],
                "stars": stars, "scale": r["scale"], "label": bucket_label(r["edition"], stars, r["scale"]),
                "count": r["count"], "selected": selected,
                "toggle_url": self.ds.absolute_url(self.request, self.ds.urls.path(path))}
