"""Executed report notebook -> HTML for the employee, in-process.

``jupyter nbconvert --to html --no-input`` starts a Python process, imports
nbconvert and loads its templates for every report; here one
:class:`nbconvert.HTMLExporter` is made once and reused for a whole batch,
which makes an export cost tens of milliseconds instead of seconds.

What the employee sees is the notebook's rich output only: no code, no input
or output prompts, no stderr stream (warnings are for the operator; they stay
in the executed notebook).

nbconvert's HTML exporter finishes every page by parsing it whole with
BeautifulSoup, to give images without a text alternative a placeholder one and
to make output areas focusable. On a report page that pass costs more than the
rest of the export (about 30 ms of the main thread's time per report, which
the batch runner's kernels wait for). Report images always carry a real text
alternative, so :class:`_ReportHTMLExporter` skips the pass and adds the
``tabindex`` itself with a plain substitution.

The page references nothing outside itself. nbconvert's stock ``lab``
template puts require.js, MathJax and mermaid (and, for notebooks with widget
state, the widget manager) on every page as scripts from a public CDN: opening
a report would tell a third party about it, and offline the page would wait on
scripts that never come. None of them draws anything on a report (its outputs
are HTML and embedded images; MathJax would only turn a ``$`` in someone's
note into mathematics), so :data:`_OFFLINE_TEMPLATE` extends the ``lab``
template with those blocks left empty and puts the page policy of
:mod:`careerconv.views.html_policy` in their place, which forbids the browser to
load anything at all.
"""

from __future__ import annotations

import copy
import re
from typing import Any

import nbformat
from nbconvert import HTMLExporter
from nbconvert.exporters.templateexporter import TemplateExporter
from nbconvert.filters.highlight import Highlight2HTML
from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

from careerconv.views.html_policy import CSP_META

__all__ = ["ReportExporter"]

# The elements nbconvert makes focusable: cell input wrappers and output areas.
_FOCUSABLE_DIV = re.compile(r'<div class="([^"]*\b(?:jp-Cell-inputWrapper|jp-OutputArea-output)\b[^"]*)"')

# nbconvert's lab page without its CDN scripts; the page policy goes where require.js was, before
# any style or output of the page.
_OFFLINE_TEMPLATE = """\
{%- extends 'lab/index.html.j2' -%}
{%- block html_head_js -%}
""" + CSP_META + """
{%- endblock html_head_js -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
"""


class _ReportHTMLExporter(HTMLExporter):
    """:class:`nbconvert.HTMLExporter` without its BeautifulSoup pass over the finished page."""

    def from_notebook_node(self, nb: nbformat.NotebookNode, resources: dict | None = None,
                           **kw: Any) -> tuple[str, dict]:
        # The first half of HTMLExporter.from_notebook_node, unchanged.
        langinfo = nb.metadata.get("language_info", {})
        lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
        highlight_code = self.filters.get("highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self))
        resources = self._init_resources(resources)
        filter_data_type = WidgetsDataTypeFilter(notebook_metadata=self._nb_metadata, parent=self,
                                                 resources=resources)
        self.register_filter("highlight_code", highlight_code)
        self.register_filter("filter_data_type", filter_data_type)
        html, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
        return _FOCUSABLE_DIV.sub(r'<div class="\1" tabindex="0"', html), resources


class ReportExporter:
    """Reusable HTML exporter for executed report notebooks.

    Not thread-safe: use it from one thread (the batch runner exports in its
    main thread while the kernels execute).
    """

    def __init__(self) -> None:
        """Make the exporter.

        Raises
        ------
        RuntimeError
            If the installed nbconvert's ``lab`` template no longer has the
            blocks :data:`_OFFLINE_TEMPLATE` empties, so that its pages would
            load scripts from outside (better no report than one that phones home).
        """
        # optimistic_validation: validate the notebook once, after all the
        # preprocessors, instead of after each of the dozen (most disabled).
        options = {"exclude_input": True, "exclude_input_prompt": True, "exclude_output_prompt": True,
                   "embed_images": True, "optimistic_validation": True, "raw_template": _OFFLINE_TEMPLATE}
        self._exporter: HTMLExporter = _ReportHTMLExporter(**options)
        empty = nbformat.v4.new_notebook()
        try:  # should a future nbconvert change the internals used above, fall back to the stock exporter
            page, _ = self._exporter.from_notebook_node(empty)
        except Exception:
            self._exporter = HTMLExporter(**options)
            page, _ = self._exporter.from_notebook_node(empty)
        if CSP_META not in page or "<script" in page:
            import nbconvert

            raise RuntimeError(f"nbconvert {nbconvert.__version__} lays out its HTML page differently from the "
                               "versions careerconv knows: its reports would load scripts from the internet. "
                               "Install an nbconvert 7 release (pip install 'nbconvert>=7.8,<8').")

    def export(self, nb: nbformat.NotebookNode, title: str) -> str:
        """Return the report's HTML page.

        Parameters
        ----------
        nb
            An executed notebook (not modified).
        title
            The page title (escaped by the template).

        Returns
        -------
        str
            A complete HTML document without any code cell input, which loads
            nothing from outside itself.
        """
        shown = copy.copy(nb)
        shown.cells = [self._visible(cell) for cell in nb.cells]
        body, _resources = self._exporter.from_notebook_node(shown, resources={"metadata": {"name": title}})
        return body

    @staticmethod
    def _visible(cell: nbformat.NotebookNode) -> nbformat.NotebookNode:
        if cell.get("cell_type") != "code":
            return cell
        outputs = [o for o in cell.get("outputs", [])
                   if not (o.get("output_type") == "stream" and o.get("name") == "stderr")]
        if len(outputs) == len(cell.get("outputs", [])):
            return cell
        kept = copy.copy(cell)
        kept["outputs"] = outputs
        return kept
