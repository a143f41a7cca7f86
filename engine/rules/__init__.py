"""Rules: the rule language and the rule files under rules/.

Read (yamlsrc) → model → resolve (extends, add/replace/remove; frozen editions enforced by frozen) → checks,
lock (writing the lock, its checks), locate (where rules/ is),
recheck (the same checks again, what did not change kept), diff (semantic changes), draft (new editions),
commodity_map (what-if codes), schema (JSON Schema).
"""
from . import limits, messages, yamlsrc
from .commodity_map import CommodityMap, load_commodity_map
from .conditions import Interval, exact, fmt
from .diff import diff_editions, diff_json, diff_text
from .draft import new_edition
from .frozen import enforce as enforce_frozen
from .locate import datasets_dir, find_rules
from .lock import lock_path, read_lock
from .model import EDITION_ID, Code, Criterion, Edition, Evidence, Gate, Provenance, Strict
from .ops import check_rules, freeze_edition, freeze_warnings, write_edition_schema
from .recheck import Checker
from .testfile import AuthorTest, Base, Expect, TestFile, TestStrict
from .resolve import TESTS_FILE, Resolved, RuleSet, load_rules, pydantic_diagnostics

__all__ = ["limits", "messages", "yamlsrc", "CommodityMap", "load_commodity_map", "Interval", "exact", "fmt", "diff_editions",
           "diff_json", "diff_text", "new_edition", "enforce_frozen", "datasets_dir", "find_rules", "lock_path", "read_lock", "EDITION_ID", "Code",
           "Criterion", "Edition", "Evidence", "Gate", "Provenance", "Strict", "check_rules", "Checker",
           "freeze_edition", "freeze_warnings", "write_edition_schema", "TESTS_FILE", "Resolved", "RuleSet", "load_rules",
           "pydantic_diagnostics", "AuthorTest", "Base", "Expect", "TestFile", "TestStrict"]
