"""The layout of engine/ stays true: one subpackage per step of the data flow, lower steps never importing
higher ones, no import loop, and other steps reaching a subpackage only through its __init__.

Every import counts, including those inside functions."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ENGINE = Path(__file__).resolve().parent.parent / "engine"

# The data flow, bottom to top. Steps on one rank never import each other.
RANKS = {
    "errors": 0, "progress": 0, "workers": 0, "lazy": 0,
    "rules": 1,
    "inputs": 2,
    "decide": 3,
    "batch": 4,
    "synth": 5, "publish": 5,
    "impact": 6,
    "web": 7,
    "api": 8,
    "cli": 9,
}


def _step(module: str) -> str:
    """`engine.inputs.read` -> `inputs`; `engine.errors` -> `errors`; `engine` -> ``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def _module_name(path: Path) -> str:
    rel = path.relative_to(ENGINE.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> list[tuple[int, str, list[str]]]:
    """(line, absolute module imported, names imported from it) for every engine import in `path`."""
    me = _module_name(path)
    package = me if path.name == "__init__.py" else me.rpartition(".")[0]
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target == "engine" or target.startswith("engine."):
                out.append((node.lineno, target, [a.name for a in node.names]))
        elif isinstance(node, ast.Import):
            for a in node.names:
                if a.name.startswith("engine."):
                    out.append((node.lineno, a.name, []))
    return out


def _modules() -> list[Path]:
    return sorted(p for p in ENGINE.rglob("*.py") if "__pycache__" not in p.parts)


def _edges() -> list[tuple[str, int, str, str]]:
    """(file, line, importing step, imported step) for every import crossing steps."""
    edges = []
    for path in _modules():
        me = _step(_module_name(path))
        for line, target, names in _imports(path):
            steps = {_step(target)} if _step(target) else {_step(f"engine.{n}") for n in names}
            for step in steps - {"", me, "__version__"}:
                edges.append((str(path.relative_to(ENGINE.parent)), line, me, step))
    return edges


def test_every_step_has_a_rank():
    steps = {p.stem if p.is_file() else p.name for p in ENGINE.iterdir()
             if p.name not in ("__init__.py", "__pycache__") and (p.suffix == ".py" or p.is_dir())}
    assert steps == set(RANKS), f"engine/ has {sorted(steps ^ set(RANKS))}: give each a rank here and in README"


def test_lower_steps_never_import_higher_ones():
    bad = [f"{f}:{line}: {me} imports {step}" for f, line, me, step in _edges() if RANKS[step] >= RANKS[me]]
    assert not bad, "\n".join(bad)


def test_other_steps_import_a_subpackage_only_through_its_init():
    bad = []
    for path in _modules():
        me = _step(_module_name(path))
        for line, target, _ in _imports(path):
            step = _step(target)
            if step and step != me and (ENGINE / step).is_dir() and target != f"engine.{step}":
                bad.append(f"{path.relative_to(ENGINE.parent)}:{line}: imports {target}, not engine.{step}")
    assert not bad, "\n".join(bad)


def test_no_import_loop_between_modules():
    graph: dict[str, set[str]] = {}
    known = {_module_name(p) for p in _modules()}
    for path in _modules():
        me = _module_name(path)
        deps = set()
        for _, target, names in _imports(path):
            subs = [f"{target}.{n}" for n in names if f"{target}.{n}" in known]
            deps.update(subs or ([target] if target in known else []))
        graph[me] = deps - {me}
    # a package's __init__ importing its own modules is not a loop through them
    for me, deps in graph.items():
        graph[me] = {d for d in deps if not me.startswith(d + ".") and d != "engine"}
    state: dict[str, int] = {}
    loops = []

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for dep in sorted(graph.get(node, ())):
            if state.get(dep) == 1:
                loops.append(" -> ".join(trail[trail.index(dep):] + [dep]))
            elif dep not in state:
                visit(dep, trail + [dep])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    assert not loops, "\n".join(loops)


@pytest.mark.parametrize("package", sorted(p.name for p in ENGINE.iterdir() if (p / "__init__.py").exists()))
def test_each_subpackage_names_its_public_api(package):
    init = ENGINE / package / "__init__.py"
    tree = ast.parse(init.read_text(encoding="utf-8"))
    assert ast.get_docstring(tree), f"engine/{package}/__init__.py: say what the step does"
    names = [n for n in tree.body if isinstance(n, ast.Assign) and any(
        isinstance(t, ast.Name) and t.id == "__all__" for t in n.targets)]
    assert names, f"engine/{package}/__init__.py: no __all__"


def test_the_graph_test_sees_an_upward_import(tmp_path, monkeypatch):
    """The check is not vacuous: an inputs module importing decide is found."""
    fake = tmp_path / "engine"
    (fake / "inputs").mkdir(parents=True)
    (fake / "inputs" / "__init__.py").write_text("")
    (fake / "inputs" / "x.py").write_text("from ..decide import Evaluator\n")
    monkeypatch.setattr(__import__(__name__), "ENGINE", fake)
    assert [(me, step) for _, _, me, step in _edges()] == [("inputs", "decide")]
