"""The package's folders are the pipeline: no import cycle, and no stage imports a later one.

Every import is read with the standard library's `ast` (imports inside functions and under
`if TYPE_CHECKING:` included: a cycle hidden in a function is still a cycle to a reader).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from conftest import REPO

PACKAGE = REPO / "kb_tools"

# The stages in pipeline order. Foundations (top-level modules) may be imported by any stage;
# the command line and the developer tools may import anything.
STAGES = ["content", "editions", "checks", "site", "search", "pipeline"]
FOUNDATIONS = {"config", "model", "errors", "layout", "cache"}
FREE = {"cli", "__main__", "__init__", "dev"}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path) -> set[str]:
    """The kb_tools modules a file imports (`from kb_tools.x import y` counts y when y is a module)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.startswith("kb_tools")}
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("kb_tools"):
            for alias in node.names:
                candidate = f"{node.module}.{alias.name}"
                found.add(candidate if module_file(candidate) else node.module)
    return found


def module_file(name: str) -> Path | None:
    base = REPO.joinpath(*name.split("."))
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if path.is_file():
            return path
    return None


def graph() -> dict[str, set[str]]:
    modules = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    return {name: {i for i in imports_of(path) if i in modules and i != name} for name, path in modules.items()}


def place(module: str) -> str:
    """'checks' for kb_tools.checks.links, 'config' for kb_tools.config."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for target in sorted(edges.get(node, ())):
            if state.get(target) == 1:
                return stack[stack.index(target) :] + [target]
            if target not in state and (cycle := visit(target)):
                return cycle
        stack.pop()
        state[node] = 2
        return None

    for start in sorted(edges):
        if start not in state and (cycle := visit(start)):
            return cycle
    return None


def later_stage_imports(edges: dict[str, set[str]]) -> list[str]:
    wrong = []
    for module, targets in sorted(edges.items()):
        source = place(module)
        if source in FREE or module == "kb_tools":
            continue
        for target in sorted(targets):
            goal = place(target)
            if goal in FOUNDATIONS and source in FOUNDATIONS and goal != source:
                # Foundations may use each other but never a stage.
                continue
            if goal in FREE:
                wrong.append(f"{module} imports {target} (the command line and dev tools are not importable by stages)")
            elif goal in STAGES and (source in FOUNDATIONS or STAGES.index(goal) > STAGES.index(source)):
                wrong.append(f"{module} imports {target}, a later stage")
    return wrong


def test_no_import_cycle():
    assert find_cycle(graph()) is None, " → ".join(find_cycle(graph()) or [])


def test_no_stage_imports_a_later_stage():
    assert later_stage_imports(graph()) == []


def test_every_folder_is_a_known_stage():
    folders = {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert folders <= set(STAGES) | {"dev"}, folders - set(STAGES) - {"dev"}


@pytest.mark.parametrize(
    ("edges", "expect_cycle"),
    [({"a": {"b"}, "b": {"a"}}, True), ({"a": {"b"}, "b": {"c"}, "c": set()}, False), ({"a": {"a"}}, True)],
)
def test_the_cycle_finder_finds_cycles(edges, expect_cycle):
    assert (find_cycle(edges) is not None) is expect_cycle


def test_the_stage_rule_catches_a_backward_import():
    edges = {"kb_tools.content.validate": {"kb_tools.pipeline.fingerprint"}, "kb_tools.pipeline.fingerprint": set()}
    assert later_stage_imports(edges) == [
        "kb_tools.content.validate imports kb_tools.pipeline.fingerprint, a later stage"
    ]
