"""The one-page summary for the employee: their words, their plan, their dates.

:func:`summary_fragment` returns the summary as an HTML fragment (shown in the
app); :func:`render_summary_html` wraps it in a standalone page that prints on
one sheet (written next to the conversation with ``Store.save_summary``). Every
piece of user text goes through :func:`html.escape`; nothing typed in a
conversation can become markup, and the page loads nothing from outside
itself (:mod:`careerconv.views.html_policy`): it names fonts the reader's computer
may have, never a web font.
"""

from __future__ import annotations

import datetime as dt
from html import escape
from typing import Iterable, Mapping

from careerconv.records import schema
from careerconv.records.dates import human_date, human_datetime
from careerconv.views.html_parts import escape_html
from careerconv.views.html_policy import CSP_META
from careerconv.records.questions import GENERIC_KINDS, QuestionSet
from careerconv.records.schema import CADENCE_MONTHS, COACH_ID, COACH_RATING, DATE, EMPLOYEE_ID, SELF_RATING
from careerconv.rules.progress import horizon_date
from careerconv.rules.followup import item_status_label


SUMMARY_CSS = """
.cc-summary { font-family: "Inter", "Segoe UI", system-ui, -apple-system, "Helvetica Neue", Arial, sans-serif;
  color: #1f2a37; font-size: 14px; line-height: 1.45; overflow-wrap: anywhere; }
.cc-summary h1 { font-size: 22px; margin: 6px 0 2px 0; font-weight: 600; }
.cc-summary h2 { font-size: 15px; text-transform: uppercase; letter-spacing: .05em; color: #2b6c6c;
  margin: 16px 0 6px 0; border-bottom: 1px solid #dde3ea; padding-bottom: 3px; }
.cc-summary h3 { font-size: 16px; margin: 10px 0 2px 0; }
.cc-summary .cc-meta { color: #5f6b7a; font-size: 13px; }
.cc-summary .cc-q { color: #5f6b7a; font-size: 13px; margin: 6px 0 0 0; }
.cc-summary .cc-a { margin: 0 0 4px 0; white-space: pre-wrap; }
.cc-summary ol, .cc-summary ul { margin: 2px 0 6px 0; padding-left: 22px; }
.cc-summary table { border-collapse: collapse; width: 100%; margin: 4px 0 8px 0; font-size: 13px; }
.cc-summary th { text-align: left; color: #5f6b7a; font-weight: 600; border-bottom: 1px solid #dde3ea;
  padding: 3px 6px; }
.cc-summary td { border-bottom: 1px solid #eef1f4; padding: 3px 6px; vertical-align: top; }
.cc-summary .cc-skill { border-left: 3px solid #2b6c6c; padding: 2px 0 2px 12px; margin: 8px 0; }
.cc-summary .cc-chosen { font-weight: 600; }
.cc-summary .cc-foot { color: #8a94a3; font-size: 11px; margin-top: 14px; }
"""

PAGE_CSS = """
body { margin: 0; background: #f6f7f9; }
main { max-width: 820px; margin: 24px auto; background: #fff; border: 1px solid #dde3ea; border-radius: 10px;
  padding: 18px 30px; }
@media print {  /* body ... outranks the screen rules that follow in the page */
  body { background: #fff; }
  main { border: none; margin: 0; padding: 0; max-width: none; }
  @page { size: A4; margin: 11mm 13mm; }
  body .cc-summary { font-size: 10px; line-height: 1.3; }
  body .cc-summary h1 { font-size: 17px; margin: 0 0 1px 0; }
  body .cc-summary h2 { font-size: 11.5px; margin: 7px 0 3px 0; padding-bottom: 1px; }
  body .cc-summary h3 { font-size: 11.5px; margin: 4px 0 1px 0; }
  body .cc-summary .cc-q, body .cc-summary .cc-meta { font-size: 9.5px; margin-top: 2px; }
  body .cc-summary .cc-a { margin-bottom: 2px; }
  body .cc-summary table { font-size: 9.5px; margin: 2px 0 4px 0; }
  body .cc-summary th, body .cc-summary td { padding: 1px 4px; }
  body .cc-summary ol, body .cc-summary ul { margin: 1px 0 3px 0; }
  body .cc-summary .cc-skill { margin: 4px 0; padding: 1px 0 1px 9px; break-inside: avoid;
    display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1.35fr); column-gap: 12px;
    grid-auto-flow: row dense; align-items: start; }
  /* on paper a skill is two columns: what a 10 is, the approach and the targets beside its options */
  body .cc-summary .cc-skill > * { grid-column: 1; }
  body .cc-summary .cc-skill > h3 { grid-column: 1 / -1; }
  body .cc-summary .cc-skill > table.cc-options { grid-column: 2; grid-row: 2 / span 12; }
  body .cc-summary table, body .cc-summary tr { break-inside: avoid; }
  body .cc-summary .cc-foot { margin-top: 6px; }
}
"""


def _answer_html(answer) -> str:
    if isinstance(answer, list):
        items = "".join(f"<li>{escape_html(a)}</li>" for a in answer if str(a).strip())
        return f"<ol>{items}</ol>"
    if isinstance(answer, str) and len(answer) == 10 and answer[4] == "-" and answer[7] == "-":
        try:
            return f'<p class="cc-a">{escape(human_date(answer))}</p>'
        except ValueError:
            pass
    return f'<p class="cc-a">{escape_html(answer)}</p>'


def _section_questions(sets: Iterable[QuestionSet | None]) -> dict[str, list[tuple[str, str]]]:
    """Section id -> [(question id, prompt)] of the answer-kind questions, standard first."""
    out: dict[str, list[tuple[str, str]]] = {}
    for qs in sets:
        if qs is None:
            continue
        for section in qs.sections:
            for q in section.questions:
                if q.kind in GENERIC_KINDS:
                    out.setdefault(section.id, []).append((q.id, q.prompt))
    return out


def _answers_block(record: dict, pairs: list[tuple[str, str]]) -> str:
    answers = record.get("answers") or {}
    parts = []
    for qid, prompt in pairs:
        answer = answers.get(qid)
        if answer in (None, "", []):
            continue
        parts.append(f'<p class="cc-q">{escape_html(prompt)}</p>{_answer_html(answer)}')
    return "".join(parts)


def summary_fragment(record: dict, *, employee: Mapping | None = None, coach_name: str | None = None,
                     question_set: QuestionSet | None = None, alternative: QuestionSet | None = None) -> str:
    """The summary as an HTML fragment (``<div class="cc-summary">…</div>`` with its style).

    Parameters
    ----------
    record
        A conversation record (normally completed; a draft renders what it holds).
    employee
        The roster row (for the name); the id is used if missing.
    coach_name
        How to name the coach (defaults to the coach id).
    question_set, alternative
        The sets the conversation used, for the prompts of free-text answers;
        answers to unknown questions are shown under their id.

    Returns
    -------
    str
        HTML in which all user text is escaped.
    """
    name = (employee or {}).get("name") or record[EMPLOYEE_ID]
    coach = coach_name or record.get(COACH_ID) or ""
    date = record[DATE]
    by_section = _section_questions([question_set, alternative])
    known = {qid for pairs in by_section.values() for qid, _ in pairs}
    html = [f"<style>{SUMMARY_CSS}</style>", '<div class="cc-summary">']
    html.append(f"<h1>Career conversation: {escape_html(name)}</h1>")
    meta = escape(human_date(date)) + (f" · with {escape_html(coach)}" if coach else "")
    if record.get("next_due"):
        meta += f" · next conversation due {escape(human_date(record['next_due']))}"
    html.append(f'<div class="cc-meta">{meta}</div>')

    html.append("<h2>Goals</h2>")
    html.append(_answers_block(record, by_section.get("goals", [])))
    dreams = sorted((d for d in record.get("dreams") or [] if (d.get("text") or "").strip()),
                    key=lambda d: d.get("rank") or 0)
    if dreams:
        html.append('<p class="cc-q">Your dreams, most important first</p><ol>')
        html.extend(f"<li>{escape_html(d['text'])}</li>" for d in dreams)
        html.append("</ol>")
    dream_text = {d.get("rank"): d.get("text") for d in dreams}

    html.append("<h2>Action plan</h2>")
    html.append(_answers_block(record, by_section.get("action_plan", [])))
    conv_date = dt.date.fromisoformat(date)
    for s in record.get("skills") or []:
        html.append('<div class="cc-skill">')
        rating = f"{s['self_rating']}/10" if s.get(SELF_RATING) is not None else "not rated"
        coach_r = f" (coach: {s['coach_rating']}/10)" if s.get(COACH_RATING) is not None else ""
        html.append(f"<h3>{escape_html(s['skill'])} <span class=\"cc-meta\">now {rating}{coach_r}</span></h3>")
        if s.get("dream_rank") in dream_text:
            html.append(f'<div class="cc-meta">Serves dream {s["dream_rank"]}: '
                        f'{escape_html(dream_text[s["dream_rank"]])}</div>')
        if (s.get("ten_looks_like") or "").strip():
            html.append(f'<p class="cc-q">What a 10 looks like</p>'
                        f'<p class="cc-a">{escape_html(s["ten_looks_like"])}</p>')
        options = [o for o in s.get("options") or [] if (o.get("text") or "").strip()]
        if options:
            html.append('<table class="cc-options"><tr><th>Options to raise it by one</th><th>Pros</th>'
                        "<th>Cons / trade-offs</th></tr>")
            for o in options:
                mark = ' class="cc-chosen"' if o.get("chosen") else ""
                tick = "✓ " if o.get("chosen") else ""
                html.append(f"<tr><td{mark}>{tick}{escape_html(o['text'])}</td><td>{escape_html(o.get('pros'))}</td>"
                            f"<td>{escape_html(o.get('cons'))}</td></tr>")
            html.append("</table>")
        if (s.get("approach") or "").strip():
            html.append(f'<p class="cc-q">Approach</p><p class="cc-a">{escape_html(s["approach"])}</p>')
        targets = s.get("targets") or {}
        if any(targets.get(str(h)) is not None for h in schema.HORIZONS):
            cells = "".join(
                f"<td>{escape(human_date(horizon_date(conv_date, h).date()))}: "
                f"<b>{targets.get(str(h)) or '–'}</b>/10</td>" for h in schema.HORIZONS)
            heads = "".join(f"<th>{h} months</th>" for h in schema.HORIZONS)
            html.append(f'<table class="cc-targets"><thead><tr>{heads}</tr></thead><tr>{cells}</tr></table>')
        html.append("</div>")

    html.append("<h2>Next steps</h2>")
    html.append(_answers_block(record, by_section.get("next_steps", [])))
    items = [i for i in record.get("action_items") or [] if (i.get("text") or "").strip()]
    if items:
        html.append('<table><tr><th>Before we meet next</th><th>Due</th><th>Owner</th></tr>')
        for it in items:
            html.append(f"<tr><td>{escape_html(it['text'])}</td><td>{escape(human_date(it.get('due')))}</td>"
                        f"<td>{escape_html(it.get('owner'))}</td></tr>")
        html.append("</table>")
    fu = record.get("follow_up") or {}
    if fu.get("mode"):
        every = (f", every {fu['every_weeks']} week{'s' if fu['every_weeks'] != 1 else ''}"
                 if fu.get("every_weeks") else "")
        note = f" — {escape_html(fu.get('note'))}" if (fu.get("note") or "").strip() else ""
        mode = str(fu["mode"])
        html.append(f'<p class="cc-q">How we follow up</p><p class="cc-a">{escape_html(mode[:1].upper() + mode[1:])}'
                    f"{every}{note}</p>")
    if record.get(CADENCE_MONTHS):
        due = f", next one due {escape(human_date(record['next_due']))}" if record.get("next_due") else ""
        html.append(f'<p class="cc-q">Career conversation</p><p class="cc-a">Every {record["cadence_months"]} '
                    f"months{due}</p>")

    other = {qid: a for qid, a in (record.get("answers") or {}).items() if qid not in known and a not in (None, "", [])}
    if other:
        html.append("<h2>Other notes</h2>")
        html.append(_answers_block(record, [(qid, qid.replace("_", " ").capitalize()) for qid in sorted(other)]))
    done = f" · completed {escape(human_datetime(record['completed_at']))}" if record.get("completed_at") else ""
    html.append(f'<div class="cc-foot">Conversation {escape_html(record["conversation_id"])}{done}</div>')
    html.append("</div>")
    return "".join(html)


def render_summary_html(record: dict, *, employee: Mapping | None = None, coach_name: str | None = None,
                        question_set: QuestionSet | None = None, alternative: QuestionSet | None = None) -> str:
    """The summary as a standalone one-page HTML document (see :func:`summary_fragment`).

    Returns
    -------
    str
        A complete ``<!doctype html>`` page with print styles that loads nothing from outside
        itself; all user text escaped.
    """
    name = (employee or {}).get("name") or record[EMPLOYEE_ID]
    body = summary_fragment(record, employee=employee, coach_name=coach_name, question_set=question_set,
                            alternative=alternative)
    return ("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">" + CSP_META +
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>Career conversation – {escape_html(name)} – {escape(human_date(record['date']))}</title>"
            f"<style>{PAGE_CSS}</style></head><body><main>{body}</main></body></html>\n")


# The PDF's type is the report's scaled to the size the HTML summary prints at (10 px = 7.5 pt body text),
# so that three full skills fit on one A4 page.
_PDF_SCALE = 0.75


def render_summary_pdf(record: dict, *, employee: Mapping | None = None, coach_name: str | None = None,
                       question_set: QuestionSet | None = None, alternative: QuestionSet | None = None) -> bytes:
    """The summary as an A4 PDF (see :func:`summary_fragment`), one page for up to three skills.

    Laid out by the progress report's PDF rules (:func:`careerconv.surfaces.report.pdf.document_pdf_bytes`):
    text wrapped by its measured width, headings kept with what follows, fonts that cover the text.

    Returns
    -------
    bytes
        A PDF document, deterministic for the same record.
    """
    from ..report.pdf import document_pdf_bytes  # matplotlib: only when a PDF is asked for

    name = (employee or {}).get("name") or record[EMPLOYEE_ID]
    body = summary_fragment(record, employee=employee, coach_name=coach_name, question_set=question_set,
                            alternative=alternative)
    return document_pdf_bytes(body, title=f"Career conversation: {name}", scale=_PDF_SCALE,
                              footer=f"Career conversation · {name} · {human_date(record['date'])}")



def status_pill(status: str) -> str:
    """A small coloured label for an action item status (HTML, escaped)."""
    cls = {"done": "cc-pill cc-pill-done", "dropped": "cc-pill cc-pill-dropped",
           "in_progress": "cc-pill", "open": "cc-pill cc-pill-warn"}.get(status, "cc-pill")
    return f'<span class="{cls}">{escape_html(item_status_label(status))}</span>'
