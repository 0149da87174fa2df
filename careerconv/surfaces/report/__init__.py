"""Per-employee progress reports: what they show, how they look, how a batch is made.

A report is the notebook ``careerconv/surfaces/notebooks/progress_report.ipynb`` executed with
papermill for one employee and exported to HTML without code. The notebook is
thin; it calls:

* :func:`load_history` (:mod:`.source`) to read one employee's data strictly;
* :func:`build_content` (:mod:`.content`) for everything the report shows, using
  the rules of :mod:`careerconv.rules.progress` and :mod:`careerconv.rules.cadence`;
* the section renderers of :mod:`.render` (escaped HTML and charts drawn
  with :mod:`careerconv.views.plots`), and :func:`write_pdf` (:mod:`.pdf`).

The batch runner (:mod:`.runner`), the HTML export (:mod:`.html_export`) and
the index page (:mod:`.index`) are imported on their own: a kernel that only
renders reports never needs them.
"""

import os
from pathlib import Path

from .content import DEFAULT_HORIZONS, ReportContent, build_content, horizon_rows, skill_chart_data
from .render import (
    Fragment,
    action_plan,
    dreams,
    earlier_plans,
    header,
    horizon_table,
    how_to_read,
    next_steps,
    skill_sections,
    standing,
    standing_heading,
)
from .source import data_fingerprint, load_history, record_files


def write_pdf(content: ReportContent, path: str | os.PathLike) -> Path:
    """Write the report as a PDF file (see :func:`careerconv.surfaces.report.pdf.write_pdf`).

    The PDF module is imported on first use: matplotlib's PDF backend takes
    most of a second to import, which every report kernel would otherwise pay
    for nothing.

    Raises
    ------
    ValueError
        If ``path`` is empty.
    """
    from .pdf import write_pdf as _write_pdf

    return _write_pdf(content, path)


def pdf_bytes(content: ReportContent) -> bytes:
    """The report as PDF bytes (see :func:`careerconv.surfaces.report.pdf.pdf_bytes`)."""
    from .pdf import pdf_bytes as _pdf_bytes

    return _pdf_bytes(content)

__all__ = [
    "DEFAULT_HORIZONS",
    "Fragment",
    "ReportContent",
    "action_plan",
    "build_content",
    "data_fingerprint",
    "dreams",
    "earlier_plans",
    "header",
    "horizon_rows",
    "horizon_table",
    "how_to_read",
    "load_history",
    "next_steps",
    "pdf_bytes",
    "record_files",
    "skill_chart_data",
    "skill_sections",
    "standing",
    "standing_heading",
    "write_pdf",
]
