"""Commodity codes across the two commodity lists (rules/commodity_map.yaml), for what-if re-evaluation.

The map is data: pairs `from` (2013 list) -> `to` (2018 list). Which way to read it is decided by the
codes the target edition has: forward when the target has the `to` code, backward only when exactly
one `from` code leads to the code (makanan_minuman has two, so it has no 2013-list code).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pydantic import ConfigDict, Field, ValidationError

from ..errors import Diagnostic, OvopError, did_you_mean
from . import yamlsrc
from .messages import t
from .model import Code, Edition, Provenance, Strict

MAP_FILE = "commodity_map.yaml"


class Pair(Strict):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, populate_by_name=True)
    from_: Code = Field(alias="from")
    to: Code


class MapFile(Strict):
    provenance: Provenance
    map: list[Pair] = Field(min_length=1)


@dataclass(frozen=True)
class CommodityMap:
    pairs: tuple[tuple[str, str], ...]
    file: str = MAP_FILE

    def target(self, code: str, edition: Edition) -> tuple[str | None, str | None]:
        """(the code in `edition`'s list, None) or (None, what is wrong)."""
        codes = [c.code for c in edition.commodities]
        if code in codes:
            return code, None
        forward = [to for frm, to in self.pairs if frm == code and to in codes]
        if forward:
            return forward[0], None
        sources = sorted({frm for frm, to in self.pairs if to == code})
        back = [frm for frm in sources if frm in codes]
        if len(sources) > 1 and back:
            return None, (f'commodity "{code}" has no single code in edition {edition.edition}\'s list: '
                          f'it stands for {" and ".join(sources)}; state one of them in ikm.commodity')
        if len(back) == 1:
            return back[0], None
        return None, (f'commodity "{code}" has no code in edition {edition.edition}\'s list'
                      + did_you_mean(code, codes))


def load_commodity_map(directory: str | Path, editions: dict[str, Edition]) -> CommodityMap:
    """Read and check rules/commodity_map.yaml: every code must be a commodity of some edition."""
    path = Path(directory) / MAP_FILE
    if not path.is_file():
        raise OvopError(Diagnostic(str(path), message=t("no_map"), allowed=t("no_map_ok", file=MAP_FILE)))
    located = yamlsrc.load(path)
    try:
        parsed = MapFile.model_validate(located.data)
    except ValidationError as exc:
        from .schema_errors import pydantic_diagnostics
        raise OvopError(pydantic_diagnostics(located, exc, MapFile))
    known = sorted({c.code for e in editions.values() for c in e.commodities})
    errors, seen = [], set()
    for n, pair in enumerate(parsed.map):
        for key, code in (("from", pair.from_), ("to", pair.to)):
            if code not in known:
                errors.append(located.diagnostic(("map", n, key), t("map_unknown_code", code=code,
                                                                                  hint=did_you_mean(code, known)),
                                                 ", ".join(known)))
        if pair.from_ in seen:
            errors.append(located.diagnostic(("map", n, "from"), t("map_twice", code=pair.from_), t("map_twice_ok")))
        seen.add(pair.from_)
    if errors:
        raise OvopError(errors)
    return CommodityMap(tuple((p.from_, p.to) for p in parsed.map), located.file)
