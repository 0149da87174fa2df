"""The package tree shows the layers, and every import points down (STYLE rule 10).

Each module's imports are read with ``ast`` (lazy imports inside functions
included, and the code cells of the packaged notebooks), and each one must go
to the module's own folder or to a folder its row of :data:`ALLOWED` names.
Nothing sits at the top of the package but ``__init__`` and the command
line's entry point.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "careerconv"

# Folder (below careerconv/) -> what its modules may import besides their own folder, written out.
# Bottom up: records, rules, analytics, views, demo, surfaces. An entry names a folder (everything in it)
# or one module (records/schema). Every module may import the package itself (``from careerconv import __version__``).
ALLOWED: dict[str, set[str]] = {
    "records": set(),
    "rules": {"records/schema", "records/defaults"},  # pure rules: the record's shape and the built-in values, never the store
    "analytics": {"records", "rules"},
    "views": {"records", "rules", "analytics"},
    "demo": {"records", "rules"},
    "surfaces/signals": set(),  # the stop signals held while a surface writes: the standard library only
    # a report batch's --shard and --dask values, read as the command line is parsed: the standard library only
    "surfaces/batch_options": set(),
    "surfaces/service": {"records", "rules", "analytics", "views"},
    "surfaces/report": {"records", "rules", "analytics", "views", "surfaces/signals", "surfaces/batch_options"},
    "surfaces/app": {"records", "rules", "analytics", "views", "surfaces/service", "surfaces/report"},
    # the hub's configuration describes where the hub keeps its users for the records service's erasure
    "surfaces/deploy": {"records", "surfaces/service"},
    "surfaces/notebooks": {"records", "rules", "analytics", "views", "surfaces/service", "surfaces/report",
                           "surfaces/app"},
    "surfaces/commands": {"records", "rules", "analytics", "views", "demo", "surfaces/service",
                          "surfaces/report", "surfaces/app", "surfaces/signals", "surfaces/batch_options"},
    # the top: cli.py, the entry point of the `careerconv` command (which takes a stop at any moment: surfaces/signals)
    "": {"records", "surfaces/commands", "surfaces/signals"},
}
TOP_LEVEL = {"__init__.py", "cli.py", "__main__.py"}
DATA_FOLDERS = {"records/question_sets", "demo/words", "demo/sample", "surfaces/notebooks", "surfaces/deploy"}


def folder_of(module: str) -> str:
    """The ALLOWED row of a dotted module name: its longest folder in the table (``""`` at the top)."""
    parts = module.split(".")[1:]
    for n in range(len(parts), 0, -1):
        candidate = "/".join(parts[:n])
        if candidate in ALLOWED:
            return candidate
    return ""


def permitted(source: str, target: str) -> bool:
    """Whether module ``source`` may import ``target`` (dotted names below careerconv)."""
    if target == "careerconv":
        return True
    here, there = folder_of(source), "/".join(target.split(".")[1:])
    if here and (there == here or there.startswith(here + "/")):
        return True
    return any(there == entry or there.startswith(entry + "/") for entry in ALLOWED[here])


def imported(tree: ast.AST, module: str, is_package: bool) -> list[tuple[int, str]]:
    """(line, dotted module) of every careerconv import in ``tree``; ``from x import y`` gives x.y when y is a
    module of the package, else x."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.split(".")[0] == "careerconv"]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".") if is_package else module.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                name = ".".join(base + ([node.module] if node.module else []))
            else:
                name = node.module or ""
            if name.split(".")[0] != "careerconv":
                continue
            for alias in node.names:
                sub = Path(PACKAGE.parent, *f"{name}.{alias.name}".split("."))
                is_module = sub.with_suffix(".py").is_file() or (sub / "__init__.py").is_file()
                found.append((node.lineno, f"{name}.{alias.name}" if is_module else name))
    return found


def sources():
    """(label, dotted module, is package, ast) of every module of the package and every notebook cell."""
    for path in sorted(PACKAGE.rglob("*.py")):
        if "__pycache__" in path.parts:
            continue
        rel = path.relative_to(PACKAGE.parent).with_suffix("")
        parts = list(rel.parts)
        is_package = parts[-1] == "__init__"
        module = ".".join(parts[:-1] if is_package else parts)
        yield str(path.relative_to(PACKAGE.parent)), module, is_package, ast.parse(path.read_text(encoding="utf-8"))
    for path in sorted(PACKAGE.rglob("*.ipynb")):
        if ".ipynb_checkpoints" in path.parts:
            continue
        module = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        for i, cell in enumerate(json.loads(path.read_text(encoding="utf-8"))["cells"]):
            if cell["cell_type"] != "code":
                continue
            code = "\n".join(line for line in "".join(cell["source"]).split("\n")
                             if not line.lstrip().startswith(("%", "!")))
            yield f"{path.relative_to(PACKAGE.parent)} cell {i}", module, False, ast.parse(code)


def violations() -> list[str]:
    out = []
    for label, module, is_package, tree in sources():
        for line, target in imported(tree, module, is_package):
            if not permitted(module, target):
                out.append(f"{label}:{line} ({folder_of(module) or 'top'}) imports {target}")
    return out


def test_every_import_points_to_its_own_folder_or_a_layer_below():
    found = violations()
    assert not found, "imports that point up or sideways:\n" + "\n".join(found)


def test_the_checker_catches_an_import_that_points_up(monkeypatch):
    """The rules may not read the store, records may not draw charts, the report may not open the app."""
    assert not permitted("careerconv.rules.progress", "careerconv.records.store")
    assert permitted("careerconv.rules.progress", "careerconv.records.schema")
    assert not permitted("careerconv.records.store", "careerconv.rules.followup")
    assert not permitted("careerconv.records.exporting", "careerconv.views.plots")
    assert not permitted("careerconv.surfaces.report.content", "careerconv.surfaces.app.summary")
    assert not permitted("careerconv.analytics.engine", "careerconv.surfaces.commands.settings")
    assert not permitted("careerconv.demo.organisation", "careerconv.surfaces.app")
    assert not permitted("careerconv.cli", "careerconv.views.plots")
    assert permitted("careerconv.surfaces.app.summary", "careerconv.surfaces.report.pdf")
    assert permitted("careerconv.surfaces.commands.settings", "careerconv.surfaces.commands.streams")
    tree = ast.parse("from ..rules import progress\nimport careerconv.views.plots\ndef f():\n"
                     "    from careerconv.surfaces.app import summary\n")
    found = imported(tree, "careerconv.records.store", False)
    assert found == [(1, "careerconv.rules.progress"), (2, "careerconv.views.plots"),
                     (4, "careerconv.surfaces.app.summary")]
    assert not any(permitted("careerconv.records.store", t) for _, t in found)


def test_nothing_but_the_entry_point_sits_at_the_top_of_the_package():
    loose = sorted(p.name for p in PACKAGE.iterdir() if p.is_file() and p.name not in TOP_LEVEL)
    assert not loose, f"modules at the top of careerconv/ (put each in its layer folder): {loose}"


@pytest.mark.parametrize("folder", sorted({f.split("/")[0] for f in ALLOWED if f}))
def test_each_layer_folder_says_what_it_holds_and_may_import(folder):
    init = PACKAGE / folder / "__init__.py"
    doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
    assert doc and len(doc.split()) >= 20, f"{init}: say in a paragraph what the layer holds and may import"


def test_every_folder_of_the_package_is_in_the_table():
    folders = {p.relative_to(PACKAGE).as_posix() for p in PACKAGE.iterdir() if p.is_dir()
               and p.name not in ("__pycache__", ".ipynb_checkpoints")}
    layers = {f.split("/")[0] for f in ALLOWED if f}
    assert folders == layers, f"folders not in ALLOWED: {sorted(folders - layers)}; gone: {sorted(layers - folders)}"
    for data in DATA_FOLDERS:
        assert (PACKAGE / data).is_dir() and not (PACKAGE / data / "__init__.py").exists(), data
