"""The package's layout: rooms by concept, imports that only run downwards, modules of a readable size.

Read from the source with ``ast`` (imports inside functions count too), so a lazy import cannot
hide a circle.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "rtc_nlp"

#: The rooms from the bottom up: a module may import from its own room and the rooms below it.
#: The top-level modules (``""``) are the shared ground every room stands on.
LAYERS = ["", "io", "embedders", "themes", "coding", "validation", "results", "report", "widgets", "cli"]
MAX_LINES = 500
MAX_TOP_LEVEL = 12


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    """The rtc_nlp modules that ``name`` imports, anywhere in its body."""
    is_package = path.name == "__init__.py"
    here = name.split(".") if is_package else name.split(".")[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = here[: len(here) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            elif node.module and node.module.split(".")[0] == "rtc_nlp":
                target = node.module
            else:
                continue
            for alias in node.names:
                # ``from . import x`` names a module when x is one
                candidate = f"{target}.{alias.name}"
                found.add(candidate if candidate in known else target)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.split(".")[0] == "rtc_nlp")
    return {module for module in found if module in known and module != name}


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imports(name, path, set(modules)) for name, path in modules.items()}


def _room(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 2 or (len(parts) == 2 and (PACKAGE / parts[1]).is_dir()) else ""


def test_the_import_graph_has_no_circle():
    graph = _graph()
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    circles = []

    def visit(module: str, path: list[str]) -> None:
        state[module] = 1
        for target in sorted(graph[module]):
            if target == "rtc_nlp":
                continue  # the package's front door re-exports; nothing inside imports it
            if state.get(target) == 1:
                circles.append(path[path.index(target) :] + [target])
            elif target not in state:
                visit(target, path + [target])
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert not circles, "import circles:\n" + "\n".join(" -> ".join(circle) for circle in circles)


def test_imports_only_run_downwards():
    graph = _graph()
    upward = []
    for module, targets in graph.items():
        if module == "rtc_nlp":
            continue
        for target in targets:
            if target == "rtc_nlp":
                upward.append(f"{module} imports the package root")
            elif LAYERS.index(_room(target)) > LAYERS.index(_room(module)):
                upward.append(f"{module} ({_room(module) or 'top level'}) imports {target} ({_room(target)})")
    assert not upward, "imports that run upwards:\n" + "\n".join(sorted(upward))


def test_every_room_is_a_known_layer_and_says_what_lives_there():
    rooms = sorted(path.parent.name for path in PACKAGE.glob("*/__init__.py"))
    assert set(rooms) <= set(LAYERS), f"rooms missing from LAYERS: {set(rooms) - set(LAYERS)}"
    for room in rooms:
        doc = ast.get_docstring(ast.parse((PACKAGE / room / "__init__.py").read_text(encoding="utf-8")))
        assert doc and len(doc.split()) >= 15, f"rtc_nlp/{room}/__init__.py says too little about its room"
        for module in (PACKAGE / room).glob("*.py"):
            if module.stem != "__init__" and module.stem != "__main__":
                assert module.stem in doc, f"rtc_nlp/{room}/__init__.py does not name its module {module.stem!r}"


def test_the_top_level_holds_a_few_modules():
    top = sorted(path.name for path in PACKAGE.glob("*.py"))
    assert len(top) <= MAX_TOP_LEVEL, f"{len(top)} modules at the top level: {top}"


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda path: str(path.relative_to(PACKAGE)))
def test_no_module_is_over_the_size_limit(path):
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{path.relative_to(PACKAGE.parent)} has {lines} lines (at most {MAX_LINES})"


def test_every_folder_of_modules_is_a_package_with_its_init():
    # A folder without __init__.py imports as a namespace package: its front door would be gone.
    folders = {path.parent for path in PACKAGE.rglob("*.py")} - {PACKAGE}
    missing = sorted(str(f.relative_to(PACKAGE.parent)) for f in folders if not (f / "__init__.py").exists())
    assert not missing, f"folders without __init__.py: {missing}"
