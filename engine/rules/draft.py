"""`ovop rules new`: start a draft edition that extends a published one and changes nothing yet, with a
tests.yaml to start from (the parent's tests, which an unchanged draft passes)."""
from __future__ import annotations

import re
from pathlib import Path

from ..errors import Diagnostic, OvopError
from .messages import t
from .model import EDITION_ID
from .resolve import EDITION_FILE, TESTS_FILE, load_rules

TESTS_HEADER = '''# Rule-author tests for the DRAFT edition {id}, copied from {parent} to start from: the draft changes
# nothing yet, so every test passes as it did for {parent}. Change a rule, then run `ovop rules test {id}`:
# a test that fails now shows an outcome the change moves. Update its `expect` where the move is intended,
# add the evidence a new criterion needs to `base`, and add tests for what the draft changes.
# (The lines below, down to `base:`, are {parent}'s own notes.)
#
'''

TESTS_EMPTY = '''# Rule-author tests for the DRAFT edition {id} ({parent} has none to copy). Until a test is written here,
# `ovop rules test {id}` says "no tests" and does not fail (a draft). The form:
#
# base:                       # one complete assessment: every gate fact and every evidence of {id}
#   ikm: {{name: Contoh IKM (sintetis), province: ..., regency: ..., commodity: <code>, product: ...}}
#   gates: {{<fact>: true, ...}}
#   evidence: {{<evidence name>: <value>, ...}}
# tests:
#   - name: Semua kriteria di level tertinggi / every criterion at the top
#     expect: {{status: awarded, stars: 3, score: 100}}
#   - name: ...                # each test changes only what it lists
#     evidence: {{<evidence name>: <value>}}
#     expect: {{stars: 2}}
'''

TEMPLATE = '''# yaml-language-server: $schema=../../schemas/edition.schema.json
# OVOP star criteria, edition {id}: a DRAFT that extends {parent}.
# Only what changes is written here; everything else comes from {parent}.
# Check it with `ovop rules check`, compare it with `ovop rules diff {parent} {id}`,
# and see who moves with `ovop impact {id} --base {parent}`.
#
# How to state a change:
#   Lists of items with ids (commodities, gates, groups, criteria, caps) are changed item by item:
#     criteria:
#       add:      [ ...new criteria, each complete... ]
#       replace:  [ ...whole criteria, by id: write every field of the new version... ]
#       remove:   [A8, C5]
#   Writing such a section as a plain list (without add/replace/remove) replaces the whole list.
#   Sections that replace the parent's entirely when written: legal_basis, star_scale, score,
#   bands (write every band).
#   Sections merged key by key: sources (new keys are added), consequences (each key written
#   replaces that key).
#   Every item says where it comes from:
#     provenance: {{status: sourced, source: <key of sources>}}  or  {{status: assumed, note: ...}}
#   Conditions are written on the evidence value x: "x < 80", "80 <= x < 100", "x = 100".
#
# Example: raise the 3-star threshold (write every band):
#   bands:
#     - {{stars: 3, min_score: 82, provenance: {{status: assumed, note: "Draft threshold."}}}}
#     - ...
edition: "{id}"
extends: "{parent}"
status: draft
title:
  id: "Penghargaan OVOP {id} (draf)"
  en: "OVOP Award {id} (draft)"
'''


def new_edition(rules_dir: str | Path, edition: str, parent: str) -> Path:
    """Write rules/EDITION/edition.yaml as a draft extending PARENT, and its tests.yaml; refuses bad or taken ids."""
    rules_dir = Path(rules_dir)
    if not re.match(EDITION_ID, edition):
        raise OvopError(Diagnostic(str(rules_dir), message=t("new_edition_id", edition=edition),
                                   allowed=t("want_edition_id")))
    ruleset = load_rules(rules_dir)
    ruleset.get(parent)
    target = rules_dir / edition / EDITION_FILE
    if edition in ruleset.editions or target.parent.exists():
        raise OvopError(Diagnostic(str(target.parent), message=t("new_edition_exists", edition=edition),
                                   allowed=t("new_edition_exists_ok", taken=", ".join(ruleset.editions))))
    target.parent.mkdir(parents=True)
    target.write_text(TEMPLATE.format(id=edition, parent=parent), encoding="utf-8")
    (target.parent / TESTS_FILE).write_text(starter_tests(rules_dir, edition, parent), encoding="utf-8")
    return target


def starter_tests(rules_dir: Path, edition: str, parent: str) -> str:
    """The draft's tests.yaml to start from: the parent's tests (they pass on an unchanged draft), or the form."""
    theirs = rules_dir / parent / TESTS_FILE
    text = theirs.read_text(encoding="utf-8") if theirs.is_file() else ""
    if not text.strip() or text.lstrip().startswith("%"):  # none, or a file with a directive: start from the form
        return TESTS_EMPTY.format(id=edition, parent=parent)
    return TESTS_HEADER.format(id=edition, parent=parent) + text
