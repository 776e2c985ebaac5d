"""The import graph of our own packages, read from the source (nothing is imported)."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Highest first: a package may import those below it, never those above (docs/architecture.md).
LAYERS = (
    "cac",
    "sitedata",
    "network",
    "search",
    "translation",
    "editorial",
    "documents",
    "home",
    "knowledge",
    "core",
)


@dataclass(frozen=True)
class Import:
    importer: str  # dotted module name
    imported: str  # dotted name of one of our modules (or packages)
    line: int
    in_function: bool
    commented: bool  # a comment on the line or just above says why


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@cache
def source_files() -> dict[str, Path]:
    """Every module of our packages, migrations left out: they are history, written once."""
    files = {}
    for package in LAYERS:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" not in path.parts:
                files[module_name(path)] = path
    return files


def _resolve(name: str, modules: dict[str, Path]) -> str | None:
    """The longest prefix of `name` that is one of our modules."""
    parts = name.split(".")
    while parts:
        candidate = ".".join(parts)
        if candidate in modules:
            return candidate
        parts.pop()
    return None


def _absolute(node: ast.ImportFrom, importer: str, path: Path) -> str:
    """The absolute module an ImportFrom names; relative imports resolved from the importer."""
    if not node.level:
        return node.module or ""
    package = importer.split(".") if path.name == "__init__.py" else importer.split(".")[:-1]
    package = package[: len(package) - (node.level - 1)]
    return ".".join(package + ([node.module] if node.module else []))


def _is_function_level(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> bool:
    while node in parents:
        node = parents[node]
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            return True
    return False


def _commented(lines: list[str], lineno: int) -> bool:
    """A comment on the import's line, or above the block of imports it belongs to."""
    if "#" in lines[lineno - 1]:
        return True
    for line in reversed(lines[: lineno - 1]):
        stripped = line.strip()
        if (
            not stripped
            or stripped.startswith(("from ", "import ", ")"))
            or line.startswith("    " * 3)
        ):
            continue
        return stripped.startswith("#")
    return False


@cache
def imports() -> tuple[Import, ...]:
    modules = source_files()
    found = []
    for importer, path in modules.items():
        text = path.read_text()
        tree = ast.parse(text)
        lines = text.splitlines()
        parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                # `from package import module` names a module; `from module import name` not.
                base = _absolute(node, importer, path)
                names = [f"{base}.{alias.name}" if base else alias.name for alias in node.names]
            else:
                continue
            for name in names:
                imported = _resolve(name, modules)
                if imported is None or imported == importer:
                    continue
                found.append(
                    Import(
                        importer=importer,
                        imported=imported,
                        line=node.lineno,
                        in_function=_is_function_level(node, parents),
                        commented=_commented(lines, node.lineno),
                    )
                )
    return tuple(found)


def package_of(module: str) -> str:
    return module.split(".")[0]


def cycles(edges: set[tuple[str, str]]) -> list[list[str]]:
    """Strongly connected components with more than one member (Tarjan)."""
    graph: dict[str, set[str]] = {}
    for a, b in edges:
        graph.setdefault(a, set()).add(b)
        graph.setdefault(b, set())
    index, low, stack, on_stack, result = {}, {}, [], set(), []
    counter = [0]

    def visit(node: str) -> None:
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for successor in sorted(graph[node]):
            if successor not in index:
                visit(successor)
                low[node] = min(low[node], low[successor])
            elif successor in on_stack:
                low[node] = min(low[node], index[successor])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                result.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return result
