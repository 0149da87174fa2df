"""A PDF reads as the text of its pages: PDFium extracts it (fast, for an erasure that reads every report's PDF),
and pypdf where PDFium cannot open the file. Either way an erasure finds the name and the email in it."""

from __future__ import annotations

import io

import pypdfium2
import pytest
from matplotlib.figure import Figure

from careerconv.records.decoded_text import decode_bytes
from careerconv.records.erasure import Mentions

NAME, EMAIL = "Dana Fox", "dana.fox@example.org"


def pdf_of(*lines: str, pages: int = 2) -> bytes:
    """A PDF of ``pages`` A4 pages drawn by matplotlib's PDF backend (as the report's), ``lines`` on the last."""
    from matplotlib.backends.backend_pdf import PdfPages

    out = io.BytesIO()
    with PdfPages(out) as document:
        for page in range(pages):
            figure = Figure(figsize=(8.27, 11.69))
            figure.text(0.1, 0.9, f"Page {page + 1}")
            if page == pages - 1:
                figure.text(0.1, 0.5, "\n".join(lines))
                chart = figure.add_axes((0.1, 0.1, 0.8, 0.3))
                chart.barh([0, 1], [7, 9])
                chart.set_yticks([0, 1], ["SQL", "Incident response"])
                chart.set_xlabel("Rating (1-10)")
            document.savefig(figure)
    return out.getvalue()


def test_a_pdf_reads_as_the_text_of_every_page_with_the_name_across_a_line_break_and_the_email():
    read = decode_bytes("progress-2026-10-01.pdf", pdf_of("Your coach: Dana", f"Fox ({EMAIL})"))
    assert (read.kind, read.complete, read.how) == ("PDF", True, "the text a PDF reader extracts, and the metadata "
                                                                 "(2 page(s))")
    words = " ".join(read.pieces).split()
    for word in ("Page", "1", "2", "Your", "coach:", "Dana", "Fox", f"({EMAIL})", "SQL", "Incident", "Rating"):
        assert word in words
    mentions = Mentions("E0099", NAME, EMAIL)
    assert mentions.search(read.text)
    assert mentions.replace(read.text)[1] == 2  # the name, across the line break, and the email


def test_a_pdf_pdfium_cannot_open_is_read_by_pypdf_all_the_same(monkeypatch):
    def refuses(*_args, **_kwargs):
        raise pypdfium2.PdfiumError("Failed to load document (PDFium: Data format error).")

    monkeypatch.setattr(pypdfium2, "PdfDocument", refuses)
    read = decode_bytes("progress-2026-10-01.pdf", pdf_of(f"Your coach: {NAME}", EMAIL))
    assert (read.kind, read.complete) == ("PDF", True)
    assert Mentions("E0099", NAME, EMAIL).replace(read.text)[1] == 2


@pytest.mark.parametrize("damage", [b"", b"%PDF-1.4\n1 0 obj << /Length 999 >> stream\nx\x9c\x03"])
def test_a_pdf_neither_reader_can_open_is_never_taken_for_clean(damage):
    read = decode_bytes("progress-2026-10-01.pdf", pdf_of(NAME)[:200] + damage)
    assert (read.kind, read.complete) == ("PDF", False)
    assert "could not be read as PDF" in read.how
