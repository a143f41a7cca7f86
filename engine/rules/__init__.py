"""Rules: the rule language and the rule files under rules/.

Read (yamlsrc) → model → resolve (extends, add/replace/remove; frozen editions enforced by frozen) → checks,
lock (writing the lock, its checks), locate (where rules/ is),
recheck (the same checks again, what did not change kept), diff (semantic changes), draft (new editions),
commodity_map (what-if codes), schema (JSON Schema).
"""
from ..lazy import lazily
from . import limits, messages, yamlsrc
from .commodity_map import CommodityMap, load_commodity_map
from .conditions import Interval, exact, fmt
from .frozen import enforce as enforce_frozen
from .locate import datasets_dir, find_rules
from .model import EDITION_ID, Code, Criterion, Edition, Evidence, Gate, Provenance, Strict
from .resolve import TESTS_FILE, Resolved, RuleSet, load_rules, pydantic_diagnostics

__getattr__ = lazily(__name__, {  # imported where first used: evaluating and publishing use none of them
    **{n: ("diff", n) for n in ("diff_editions", "diff_json", "diff_text")}, "new_edition": ("draft", "new_edition"),
    "lock_path": ("lock", "lock_path"), "read_lock": ("lock", "read_lock"), "Checker": ("recheck", "Checker"),
    **{n: ("ops", n) for n in ("check_rules", "freeze_edition", "freeze_warnings", "write_edition_schema")},
    **{n: ("testfile", n) for n in ("AuthorTest", "Base", "Expect", "TestFile", "TestStrict")}})

__all__ = ["limits", "messages", "yamlsrc", "CommodityMap", "load_commodity_map", "Interval", "exact", "fmt", "diff_editions",
           "diff_json", "diff_text", "new_edition", "enforce_frozen", "datasets_dir", "find_rules", "lock_path", "read_lock", "EDITION_ID", "Code",
           "Criterion", "Edition", "Evidence", "Gate", "Provenance", "Strict", "check_rules", "Checker",
           "freeze_edition", "freeze_warnings", "write_edition_schema", "TESTS_FILE", "Resolved", "RuleSet", "load_rules",
           "pydantic_diagnostics", "AuthorTest", "Base", "Expect", "TestFile", "TestStrict"]
