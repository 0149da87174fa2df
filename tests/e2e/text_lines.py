"""Measuring text on the page as a reader sees it, for the browser tests' checks that a text reads whole.

A text cut with an ellipsis, or clipped by a box, still runs on past its box, unpainted, so a check measures the
lines of each text node (``Range.getClientRects``), not the boxes of its elements. :func:`measuring` makes the
function a check passes to Playwright's ``evaluate``: its body may call ``where(rect)`` (a rectangle as
``"left..right x top..bottom"``, in whole pixels) and ``eachLine(root, visit)``, which calls ``visit(node, line)``
for each line (a rectangle at least 1 px wide) of each text node inside ``root`` that holds more than spaces and
is shown (a folded item's text is not).
"""

from __future__ import annotations

LINES_JS = r"""
  const where = r => Math.round(r.left) + '..' + Math.round(r.right) + ' x ' + Math.round(r.top) + '..'
                     + Math.round(r.bottom);
  const eachLine = (root, visit) => {
    const range = document.createRange(), walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (!node.textContent.trim() || !node.parentElement.checkVisibility()) continue;
      range.selectNodeContents(node);
      for (const line of range.getClientRects()) {
        if (line.width >= 1) visit(node, line);
      }
    }
  };
"""


def measuring(argument: str, body: str) -> str:
    """``argument => { body }`` (JavaScript, for ``evaluate``), with ``where`` and ``eachLine`` defined for
    ``body`` (see the module's docstring)."""
    return f"{argument} => {{\n{LINES_JS}\n{body}\n}}"
