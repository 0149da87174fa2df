"""Running the package's notebooks with papermill and reading what they show (``from notebook_runs import ...``)."""

from __future__ import annotations

import base64
import html
import re
from pathlib import Path

import nbformat
import papermill as pm

from careerconv.records import config


def snapshot(folder: Path) -> dict[str, tuple[int, bytes]]:
    """Every file under ``folder`` (hidden ones too) with its modification time and bytes."""
    return {p.relative_to(folder).as_posix(): (p.stat().st_mtime_ns, p.read_bytes())
            for p in sorted(folder.rglob("*")) if p.is_file()}


def run_notebook(name: str, tmp_path: Path, **parameters) -> nbformat.NotebookNode:
    """Run ``careerconv/surfaces/notebooks/<name>.ipynb`` from its own folder with ``parameters``; the executed notebook."""
    out = tmp_path / f"{name}.out.ipynb"
    pm.execute_notebook(str(config.NOTEBOOKS_DIR / f"{name}.ipynb"), str(out), parameters=parameters,
                        cwd=str(config.NOTEBOOKS_DIR), progress_bar=False, kernel_name="python3")
    return nbformat.read(out, as_version=4)


def html_outputs(nb: nbformat.NotebookNode) -> list[str]:
    """The HTML of every output, in order."""
    return [o["data"]["text/html"] for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
            if "text/html" in o.get("data", {})]


def visible_text(markup: str) -> str:
    """What a reader sees of some HTML: no style blocks, no tags, entities decoded, white space collapsed."""
    text = re.sub(r"<style.*?</style>|<[^>]+>", " ", markup, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(text)).strip()


def images(markup: str) -> list[tuple[str, bytes, str]]:
    """Each inline ``<img>`` as (media type, decoded bytes, alt text)."""
    found = []
    for tag in re.findall(r"<img\b[^>]*>", markup):
        source = re.search(r'src="data:(image/[\w+.-]+);base64,([^"]+)"', tag)
        alt = re.search(r'alt="([^"]*)"', tag)
        if source:
            found.append((source.group(1), base64.b64decode(source.group(2)), html.unescape(alt.group(1) if alt else "")))
    return found
