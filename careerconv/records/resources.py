"""The files careerconv ships inside its package, found through importlib.resources.

The notebooks, the built-in question sets, the sample organisation, the
coach's app page (a Voila template) and the JupyterHub configuration of the
multi-coach deployment are package data:
they are inside ``careerconv/`` in a source checkout and in an installed
wheel alike, so every command finds them from any working folder
and never looks at the source checkout. The one thing that depends on where
the package came from is :func:`source_checkout`, which tells a source
checkout (``pyproject.toml`` of careerconv beside the package) from an
installed copy, so that files a command writes never go into site-packages.
"""

from __future__ import annotations

import os
import tomllib
from functools import cache
from importlib import resources
from pathlib import Path

PACKAGE = "careerconv"
NOTEBOOKS = "surfaces/notebooks"
APP_NOTEBOOK = "conversation.ipynb"  # the coach's app, in NOTEBOOKS
QUESTION_SETS = "records/question_sets"
SAMPLE = "demo/sample"
DEPLOY = "surfaces/deploy"
JUPYTER_DATA = "surfaces/jupyter_data"
VOILA_TEMPLATE = "careerconv"  # the Voila template in JUPYTER_DATA (voila/templates/careerconv)


def package_path(*parts: str) -> Path:
    """Return the file-system path of a file or folder shipped in the package.

    Parameters
    ----------
    *parts
        Path components below the package folder, e.g. ``("surfaces/notebooks",
        "conversation.ipynb")``.

    Returns
    -------
    Path
        Absolute path; it may not exist (callers say what is missing).

    Raises
    ------
    RuntimeError
        If careerconv is imported from a zip archive: the notebooks are run
        by Jupyter kernels and servers, which need real files.
    """
    root = resources.files(PACKAGE)
    if not isinstance(root, Path):
        raise RuntimeError(f"careerconv is installed as {root!r}, not as a folder of files; "
                           "install it with pip (a wheel is unpacked) rather than from a zip archive")
    return root.joinpath(*parts).resolve()


def notebooks_dir() -> Path:
    """The folder of the packaged notebooks (conversation, progress report, HR analytics)."""
    return package_path(NOTEBOOKS)


def question_sets_dir() -> Path:
    """The folder of the built-in question sets (``*.yaml``)."""
    return package_path(QUESTION_SETS)


def sample_data_dir() -> Path:
    """The folder of the bundled synthetic sample organisation (the notebooks' default data)."""
    return package_path(SAMPLE)


def jupyterhub_config_file() -> Path:
    """The JupyterHub configuration of the multi-coach deployment (``careerconv hub`` runs it; so may
    ``jupyterhub -f``)."""
    return package_path(DEPLOY, "jupyterhub_config.py")


def hub_templates_dir() -> Path:
    """careerconv's pages of the hub that replace JupyterHub's own (its error pages, less the lines that do not
    apply to someone who gets no server; its page for an address with no page at it, in words): each extends
    JupyterHub's page of its name, or careerconv's error page."""
    return package_path(DEPLOY, "templates")


def jupyter_data_dir() -> Path:
    """A Jupyter data folder holding careerconv's Voila template (:data:`VOILA_TEMPLATE`): the coach's app
    page without Voila's requests to a public CDN. Voila finds templates only in Jupyter's data folders, so
    a server that is to use it gets this folder on its ``JUPYTER_PATH`` (see :func:`jupyter_path_with_data`)."""
    return package_path(JUPYTER_DATA)


def jupyter_path_with_data(current: str | None) -> str:
    """The value of ``JUPYTER_PATH`` that puts :func:`jupyter_data_dir` first, before ``current`` (the
    environment's own value, if any)."""
    return os.pathsep.join([str(jupyter_data_dir()), *([current] if current else [])])


def voila_template_args() -> list[str]:
    """Voila's options that render the app with careerconv's template (:func:`jupyter_data_dir` must be on the
    server's ``JUPYTER_PATH``) and with no other, whatever a page or the notebook asks for (``?template=lab``
    would bring back the stock page and its CDN requests)."""
    return [f"--VoilaConfiguration.template={VOILA_TEMPLATE}", "--VoilaConfiguration.allow_template_override=NO"]


@cache
def source_checkout() -> Path | None:
    """The project folder when careerconv runs from its source checkout, else None.

    A source checkout is recognised by a ``pyproject.toml`` naming the project
    ``careerconv`` in the folder that holds the package; an installed copy
    (site-packages) has none.
    """
    project = package_path().parent
    try:
        meta = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None
    return project if meta.get("project", {}).get("name") == PACKAGE else None
