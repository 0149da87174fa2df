"""Where things live: every path the product uses is derived here.

The data folder is chosen, in order, from an explicit argument (``--data``),
the ``CAREERCONV_DATA`` environment variable, or ``./data``. Reports go to
``reports/`` next to the data folder unless told otherwise
(``CAREERCONV_REPORTS``).
"""

from __future__ import annotations

import os
from pathlib import Path

DATA_ENV = "CAREERCONV_DATA"
REPORTS_ENV = "CAREERCONV_REPORTS"
PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent
SAMPLE_DATA_DIR = PROJECT_DIR / "data" / "sample"
NOTEBOOKS_DIR = PROJECT_DIR / "notebooks"
BUILTIN_QUESTION_SETS_DIR = PACKAGE_DIR / "question_sets"


def data_dir(explicit: str | os.PathLike | None = None) -> Path:
    """Return the data folder to use.

    Parameters
    ----------
    explicit
        A folder given on the command line or by the caller; wins over the
        environment.

    Returns
    -------
    Path
        Absolute path of the data folder (it may not exist yet).
    """
    chosen = explicit or os.environ.get(DATA_ENV) or "data"
    return Path(chosen).expanduser().resolve()


def reports_dir(data: Path, explicit: str | os.PathLike | None = None) -> Path:
    """Return the folder generated reports go to.

    Defaults to ``reports/`` beside the data folder, so ``./data`` pairs with
    ``./reports`` and ``data/sample`` with ``data/reports``... except that the
    sample folder is committed, so its reports go to the project ``reports/``.
    """
    chosen = explicit or os.environ.get(REPORTS_ENV)
    if chosen:
        return Path(chosen).expanduser().resolve()
    data = Path(data).resolve()
    if data == SAMPLE_DATA_DIR.resolve():
        return (PROJECT_DIR / "reports" / "sample").resolve()
    return (data.parent / "reports").resolve()
