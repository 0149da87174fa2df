"""Where things live: every path the product uses is derived here.

The data folder is chosen, in order, from an explicit argument (``--data``),
the ``CAREERCONV_DATA`` environment variable, or ``./data``. Reports go to
``reports/`` next to the data folder unless told otherwise
(``CAREERCONV_REPORTS``). Files shipped in the package (notebooks, question
sets, the sample organisation) are found by :mod:`careerconv.records.resources`.
"""

from __future__ import annotations

import os
from pathlib import Path

from . import resources

DATA_ENV = "CAREERCONV_DATA"
REPORTS_ENV = "CAREERCONV_REPORTS"
SERVICE_URL_ENV = "CAREERCONV_SERVICE_URL"  # the records service the app uses under JupyterHub
PACKAGE_DIR = resources.package_path()
# The source checkout careerconv runs from, or None when it is installed (site-packages).
PROJECT_DIR = resources.source_checkout()
SAMPLE_DATA_DIR = resources.sample_data_dir()
NOTEBOOKS_DIR = resources.notebooks_dir()
BUILTIN_QUESTION_SETS_DIR = resources.question_sets_dir()


def data_dir(explicit: str | os.PathLike | None = None, *, fallback: str | os.PathLike = "data") -> Path:
    """Return the data folder to use: the one rule for every command, notebook and the app.

    Parameters
    ----------
    explicit
        A folder given on the command line or by the caller (a notebook's
        ``data_dir`` parameter); wins over the environment. Empty or blank
        counts as not given.
    fallback
        The folder when neither ``explicit`` nor ``$CAREERCONV_DATA`` names
        one: ``./data`` for the commands; the app and the notebooks, opened
        without a folder, pass the bundled sample organisation.

    Returns
    -------
    Path
        Absolute path of the data folder (it may not exist yet).

    Raises
    ------
    ValueError
        If no folder is named, or the one named is a file or lies inside one.
    """
    for chosen in (explicit, os.environ.get(DATA_ENV), fallback):
        if chosen is not None and str(chosen).strip():
            return not_in_a_file(Path(chosen).expanduser().resolve(), "data folder",
                                 "name the folder that holds roster.csv and the records, or a new folder for a new "
                                 "organisation")
    raise ValueError("no data folder: give one with --data or $CAREERCONV_DATA")


def not_in_a_file(folder: Path, what: str, instead: str) -> Path:
    """``folder``, checked to be a folder or a name one can be made under.

    Raises
    ------
    ValueError
        If ``folder``, or the nearest of its parents that exists, is a file: the message calls ``folder``
        ``what`` ("data folder") and ends with ``instead``, what to name.
    """
    for path in (folder, *folder.parents):
        if path.exists():
            if not path.is_dir():
                where = "is a file" if path == folder else f"is inside {path}, which is a file"
                raise ValueError(f"{what} {folder} {where}, not a folder; {instead}")
            break
    return folder


def outside_data(reports: Path, data: Path) -> Path:
    """``reports``, checked to lie outside the data folder ``data``.

    Reports are generated files: in the data folder they would sit among the
    records (``-o data/conversations`` puts an employee's report in the folder
    of their conversation records), where every reader of the data folder
    finds them.

    Raises
    ------
    ValueError
        If ``reports`` is the data folder or inside it; the message names both
        and the default folder to use instead.
    """
    reports, data = Path(reports).resolve(), Path(data).resolve()
    if is_inside(reports, data):
        where = "is the data folder" if reports == data else f"is inside the data folder {data}"
        raise ValueError(f"reports folder {reports} {where}, which holds only records; name a folder outside it "
                         f"(-o/--output, ${REPORTS_ENV} or the setting reports.folder), such as "
                         f"{data.parent / 'reports'} (the default)")
    return reports


def is_inside(path: str | os.PathLike, folder: str | os.PathLike) -> bool:
    """Whether ``path`` is ``folder`` or lies inside it, once both are resolved (links followed)."""
    path, folder = Path(path).expanduser().resolve(), Path(folder).expanduser().resolve()
    return path == folder or folder in path.parents


def output_outside_data(path: str | os.PathLike, data: str | os.PathLike, option: str) -> Path:
    """An output a command writes (a file, or a folder of files), checked to lie outside the data folder.

    The data folder's files are careerconv's own: an export or a due list
    written as ``data/roster.csv`` replaced the roster, and one written into
    ``data/derived/`` became part of a table every reader takes as derived.

    Parameters
    ----------
    path
        Where the command was told to write.
    data
        The data folder.
    option
        The option that named ``path`` (``"-o/--output"``, ``"--ics"``), for the message.

    Raises
    ------
    ValueError
        If ``path`` is the data folder or inside it; the message names both and
        what to do instead.
    """
    if is_inside(path, data):
        data = Path(data).resolve()
        where = "is the data folder" if Path(path).expanduser().resolve() == data else \
            f"is inside the data folder {data}"
        beside = data.parent / Path(path).name
        example = f", such as {beside}" if not is_inside(beside, data) else ""
        raise ValueError(f"{option} {path} {where}, whose files careerconv keeps (it would replace or sit among "
                         f"the records); write it outside that folder{example}")
    return Path(path).expanduser()


def reports_dir(data: Path, explicit: str | os.PathLike | None = None) -> Path:
    """Return the folder generated reports go to.

    Defaults to ``reports/`` beside the data folder, so ``./data`` pairs with
    ``./reports``... except for the bundled sample organisation, which lives
    inside the package: its reports go to ``reports/sample`` in the source
    checkout, or in the current folder when careerconv is installed (never
    into site-packages).

    Raises
    ------
    ValueError
        If the folder named is a file or lies inside one.
    """
    chosen = explicit or os.environ.get(REPORTS_ENV)
    if chosen:
        return not_in_a_file(Path(chosen).expanduser().resolve(), "reports folder", "name a folder for the reports")
    return default_reports_dir(data)


def default_reports_dir(data: Path) -> Path:
    """The reports folder when none is named (:func:`reports_dir`): ``reports/`` beside the data folder, or
    ``reports/sample`` for the bundled sample organisation."""
    data = Path(data).resolve()
    if data == SAMPLE_DATA_DIR:
        return ((PROJECT_DIR or Path.cwd()) / "reports" / "sample").resolve()
    return (data.parent / "reports").resolve()
