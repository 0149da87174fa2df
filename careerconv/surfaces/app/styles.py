"""One CSS block for a calm, legible app (JupyterLab and Voila alike).

Everything is scoped under ``.cc-app`` so the notebook around the app keeps its
own look. Colours are muted, text is large enough to read from across a desk,
and one accent colour marks what to click next.
"""

from __future__ import annotations

import ipywidgets as widgets

ACCENT = "#2b6c6c"
CSS = """
.cc-app {
  --cc-accent: #2b6c6c;
  --cc-accent-soft: #e3f0ef;
  --cc-ink: #1f2a37;
  --cc-muted: #5f6b7a;
  --cc-line: #dde3ea;
  --cc-bg: #f6f7f9;
  --cc-warn-bg: #fff6e0;
  --cc-warn-ink: #7a4d00;
  --cc-error-bg: #fdecec;
  --cc-error-ink: #8a1c1c;
  --cc-ok-bg: #e8f4ea;
  --cc-ok-ink: #1e5b2c;
  font-family: "Inter", "Segoe UI", system-ui, -apple-system, "Helvetica Neue", Arial, sans-serif;
  font-size: 15px;
  line-height: 1.45;
  color: var(--cc-ink);
  background: var(--cc-bg);
  border-radius: 12px;
  padding: 18px 22px 26px 22px;
  max-width: 1080px;
  margin: 0 auto;
  box-sizing: border-box;
}
.cc-app .widget-html, .cc-app .widget-html-content, .cc-app .widget-label {
  font-size: 15px; color: var(--cc-ink); line-height: 1.45;
}
.cc-app .widget-html-content { white-space: normal; }
.cc-app .jupyter-widgets { margin: 2px 0; }
.cc-app h1, .cc-app h2, .cc-app h3 { font-weight: 600; color: var(--cc-ink); margin: 0; }
.cc-app .cc-title .cc-sub { color: var(--cc-muted); font-size: 12px; }
.cc-app .cc-header { align-items: center; justify-content: space-between; margin-bottom: 10px; flex-wrap: wrap;
  column-gap: 16px; }
/* where the records are keeps its one line; the status sits at the right of that line when it fits there whole,
   else on a line of its own, from the left (the header's space-between puts an item alone on its line at the
   start), where a long status ("Not saved: ...") wraps */
.cc-app .cc-header > .cc-title { flex: 0 0 auto; max-width: 100%; }
.cc-app .cc-header > .cc-status { flex: 0 1 auto; min-width: 0; }
.cc-app .cc-status .widget-html-content { font-size: 13px; color: var(--cc-muted); text-align: left; }
.cc-app .cc-status-saved .widget-html-content { color: var(--cc-ok-ink); }
.cc-app .cc-status-error .widget-html-content { color: var(--cc-error-ink); font-weight: 600; }

.cc-app .cc-card {
  background: #ffffff; border: 1px solid var(--cc-line); border-radius: 10px;
  padding: 14px 18px; margin: 8px 0; box-sizing: border-box;
}
.cc-app .cc-card-soft { background: #fbfcfd; }
.cc-app .cc-prompt .widget-html-content { font-weight: 600; font-size: 16px; color: #17324d; margin-top: 6px; }
.cc-app .cc-help .widget-html-content, .cc-app .cc-muted .widget-html-content,
.cc-app .cc-muted { color: var(--cc-muted); font-size: 13px; }
.cc-app .cc-section-title .widget-html-content, .cc-app .cc-section-title.cc-h {
  font-size: 20px; font-weight: 600; color: var(--cc-ink);
}
/* headings for screen readers' heading lists, drawn as the text they replace */
.cc-app h2.cc-h, .cc-app h3.cc-h, .cc-app h4.cc-h { margin: 0; font-size: inherit; font-weight: inherit;
  line-height: inherit; color: inherit; }
.cc-app h2.cc-h-small { font-weight: 700; font-size: 16px; }
.cc-app .cc-prompt .cc-muted { font-weight: 400; }
.cc-app .cc-conv-title .cc-section-title { font-size: 22px; }
.cc-app .cc-previous { margin: 6px 0 2px 0; }
.cc-app .cc-previous details { background: #fff; border: 1px solid var(--cc-line); border-radius: 10px; }
.cc-app .cc-previous summary {
  color: var(--cc-ink); font-size: 14px; font-weight: 600; padding: 8px 14px; cursor: pointer;
}
.cc-app .cc-previous details[open] summary { border-bottom: 1px solid var(--cc-line); }
.cc-app .cc-previous .cc-previous-body { padding: 6px 16px 10px 16px; }
.cc-app .cc-pill {
  display: inline-block; padding: 1px 9px; border-radius: 999px; font-size: 12px;
  background: var(--cc-accent-soft); color: var(--cc-accent); margin-left: 6px; font-weight: 600;
  white-space: nowrap;
}
.cc-app .cc-pill-warn { background: var(--cc-warn-bg); color: var(--cc-warn-ink); }
.cc-app .cc-pill-done { background: var(--cc-ok-bg); color: var(--cc-ok-ink); }
.cc-app .cc-pill-dropped { background: #eceff3; color: #5f6b7a; }

.cc-app input[type="text"], .cc-app input[type="date"], .cc-app input[type="number"],
.cc-app textarea, .cc-app select {
  font-size: 15px; border-radius: 6px; border: 1px solid #c9d2dc; color: var(--cc-ink);
  background-color: #fff; font-family: inherit;
}
/* a picker keeps the arrow ipywidgets draws in its background (a white "background" erased it, and a closed
   picker looked like a text box) */
.cc-app .widget-dropdown > select { background-image: var(--jp-widgets-dropdown-arrow); background-repeat: no-repeat;
  background-position: right 6px center; padding-right: 26px; }
.cc-app textarea { padding: 6px 8px; line-height: 1.4; }
.cc-app input[type="text"] { padding: 0 8px; }
.cc-app input:focus, .cc-app textarea:focus, .cc-app select:focus {
  border-color: var(--cc-accent); outline: 2px solid var(--cc-accent-soft);
}
.cc-app .widget-text input, .cc-app .widget-combobox input, .cc-app .widget-datepicker input { height: 32px; }
.cc-app .widget-dropdown select { height: 32px; }
.cc-app .widget-inline-hbox .widget-label { color: var(--cc-muted); font-size: 13px; }

.cc-app .jupyter-button {
  border-radius: 7px; font-size: 14px; height: 32px; padding: 0 14px;
  background: #ffffff; color: var(--cc-ink); border: 1px solid #c9d2dc; box-shadow: none;
}
.cc-app .jupyter-button:hover:enabled { border-color: var(--cc-accent); color: var(--cc-accent); box-shadow: none; }
.cc-app .jupyter-button.cc-primary {
  background: var(--cc-accent); color: #fff; border-color: var(--cc-accent); font-weight: 600;
}
.cc-app .jupyter-button.cc-primary:hover:enabled { background: #225858; color: #fff; }
.cc-app .jupyter-button.cc-danger { color: var(--cc-error-ink); border-color: #e3b5b5; }
.cc-app .jupyter-button.cc-link { border: none; background: transparent; color: var(--cc-accent); padding: 0 6px; }
.cc-app .jupyter-button.cc-icon { width: 32px; padding: 0; color: var(--cc-muted); }
.cc-app .jupyter-button:disabled { opacity: 0.45; }
.cc-app .widget-hbox > .jupyter-button { flex-shrink: 0; }  /* a narrow screen squeezes texts, never a button's label */

.cc-app .cc-stepper { gap: 6px; flex-wrap: wrap; align-items: center; margin: 6px 0 4px 0; }
.cc-app .cc-stepper .jupyter-button.cc-step {
  height: auto; min-height: 44px; padding: 4px 16px; border-radius: 10px; text-align: left;
  white-space: pre-line; line-height: 1.25; font-size: 14px; background: #fff;
}
.cc-app .cc-stepper .jupyter-button.cc-step-active {
  background: var(--cc-accent); color: #fff; border-color: var(--cc-accent);
}
.cc-app .cc-stepper .jupyter-button.cc-step-over {
  border-color: #e0a84c; color: var(--cc-warn-ink); background: var(--cc-warn-bg);
}
.cc-app .cc-stepper .jupyter-button.cc-step-active.cc-step-over {
  background: #b7791f; color: #fff; border-color: #b7791f;
}
.cc-app .cc-total .widget-html-content { font-size: 13px; color: var(--cc-muted); padding-left: 10px; }
.cc-app .cc-total-over .widget-html-content { color: var(--cc-warn-ink); font-weight: 600; }

.cc-app .widget-toggle-buttons .widget-toggle-button {
  border-radius: 7px; margin-right: 4px; background: #fff; border: 1px solid #c9d2dc; font-size: 14px;
  height: 32px; color: var(--cc-ink);
}
.cc-app .widget-toggle-buttons .widget-toggle-button.mod-active {
  background: var(--cc-accent); color: #fff; border-color: var(--cc-accent); box-shadow: none;
}
.cc-app .cc-rating .widget-toggle-button { width: 38px; padding: 0; }
.cc-app .cc-choice .widget-toggle-button { width: auto; padding: 0 12px; }
.cc-app .jupyter-button.cc-choose.mod-active, .cc-app .jupyter-button.cc-chosen {
  background: var(--cc-accent); color: #fff; border-color: var(--cc-accent);
}

.cc-app .cc-row { align-items: center; gap: 6px; }
.cc-app .cc-rank .widget-html-content {
  width: 26px; height: 26px; border-radius: 50%; background: var(--cc-accent-soft); color: var(--cc-accent);
  text-align: center; font-weight: 700; line-height: 26px; font-size: 13px;
}
.cc-app .cc-skill-card { border-left: 4px solid var(--cc-accent); }
.cc-app .cc-skill-name .widget-html-content { font-size: 18px; font-weight: 600; }
.cc-app .cc-skill-summary .widget-html-content { white-space: normal; overflow-wrap: anywhere; line-height: 1.4; }
.cc-app .cc-option-row { padding: 6px 0; border-top: 1px dashed var(--cc-line); }
.cc-app .cc-option-chosen { background: var(--cc-accent-soft); border-radius: 8px; padding: 6px; }
.cc-app .cc-undo-notice {
  background: var(--cc-accent-soft); border-radius: 8px; padding: 4px 6px 4px 12px; margin: 4px 0;
}
.cc-app .cc-undo-message { flex: 1 1 auto; min-width: 0; }
.cc-app .cc-undo-message .widget-html-content {
  white-space: normal; overflow-wrap: anywhere; line-height: 1.35; font-size: 14px; color: #173f3f;
}
.cc-app .jupyter-button.cc-undo { font-weight: 600; color: var(--cc-accent); border-color: var(--cc-accent); }

.cc-app div.cc-note, .cc-app .cc-note .widget-html-content {
  border-radius: 8px; padding: 8px 12px; font-size: 14px; background: var(--cc-accent-soft); color: #173f3f;
}
.cc-app .cc-warn .widget-html-content, .cc-app div.cc-warn-box, .cc-app .cc-warn-box {
  border-radius: 8px; padding: 8px 12px; background: var(--cc-warn-bg); color: var(--cc-warn-ink); font-size: 14px;
}
/* a refused skill is named in its message, however long a word the coach typed: it wraps, never sticks out */
.cc-app .cc-skill-message .widget-html-content { white-space: normal; overflow-wrap: anywhere; }
.cc-app div.cc-ok, .cc-app .cc-ok .widget-html-content {
  border-radius: 8px; padding: 8px 12px; background: var(--cc-ok-bg); color: var(--cc-ok-ink); font-size: 14px;
}
.cc-app .cc-error-banner {
  border-radius: 8px; padding: 8px 12px; background: var(--cc-error-bg); color: var(--cc-error-ink);
  border: 1px solid #f1c4c4; margin: 6px 0;
}
.cc-app .cc-error-banner .widget-html-content { color: var(--cc-error-ink); font-size: 14px; }
.cc-app .cc-error-banner > .cc-error-text { flex: 1 1 auto; min-width: 0; }
.cc-app .cc-missing ul { margin: 4px 0 0 0; padding-left: 20px; }

.cc-app .cc-results { max-height: 430px; overflow-y: auto; gap: 3px; }
.cc-app .cc-results .jupyter-button.cc-result {
  text-align: left; justify-content: flex-start; border-color: transparent; background: transparent;
  font-size: 15px; margin: 0; flex: 0 0 auto;  /* a long list scrolls in its box; the names are never squeezed */
  /* a person is read whole, never cut: what a line cannot hold (a long name, the day they left) wraps below */
  height: auto; min-height: 34px; padding: 5px 10px; line-height: 22px;
  white-space: normal; overflow-wrap: anywhere; overflow: visible; text-overflow: clip;
}
.cc-app .cc-results .jupyter-button.cc-result:hover:enabled { background: var(--cc-accent-soft); color: var(--cc-ink); }
.cc-app .cc-results .jupyter-button.cc-result-active,
.cc-app .cc-results .jupyter-button.cc-result-active:hover:enabled {
  background: var(--cc-accent); color: #fff; font-weight: 600;
}
.cc-app .cc-employee-card h2 { font-size: 20px; }
.cc-app table.cc-table { border-collapse: collapse; width: 100%; font-size: 14px; margin: 4px 0 10px 0; }
.cc-app table.cc-table th { text-align: left; color: var(--cc-muted); font-weight: 600; font-size: 12px;
  text-transform: uppercase; letter-spacing: 0.04em; border-bottom: 1px solid var(--cc-line); padding: 4px 8px; }
.cc-app table.cc-table td { border-bottom: 1px solid #eef1f4; padding: 5px 8px; vertical-align: top; }
.cc-app .cc-glance h3 { font-size: 14px; text-transform: uppercase; letter-spacing: 0.05em; color: var(--cc-muted);
  margin: 12px 0 4px 0; }
.cc-app .cc-glance ol { margin: 2px 0; padding-left: 22px; }
.cc-app .cc-glance .cc-empty { color: var(--cc-muted); font-style: italic; }
.cc-app .cc-section-head { align-items: center; justify-content: space-between; }
.cc-app .cc-bank .widget-toggle-button { width: auto; padding: 0 10px; height: 28px; font-size: 13px; }
.cc-app .cc-alt-question { border-left: 3px solid #c7d7e6; padding-left: 10px; }
.cc-app .cc-footer { justify-content: space-between; margin-top: 10px; }
.cc-app .cc-locked-banner .widget-html-content {
  border-radius: 8px; padding: 8px 12px; background: var(--cc-ok-bg); color: var(--cc-ok-ink); font-weight: 600;
}
.cc-app .cc-summary { background: #fff; border: 1px solid var(--cc-line); border-radius: 10px; padding: 6px 18px; }
.cc-app .cc-checkin-item { border-top: 1px solid var(--cc-line); padding: 8px 0; }
.cc-app .cc-item-text .widget-html-content { font-weight: 600; }
.cc-app .cc-when { color: var(--cc-muted); font-size: 12px; white-space: nowrap; }
.cc-app .cc-reason { font-size: 13px; }
.cc-app .cc-subhead { font-size: 13px; text-transform: uppercase; letter-spacing: 0.05em; color: var(--cc-muted);
  font-weight: 600; margin: 12px 0 2px 0; }
.cc-app .cc-closed-items ul { margin: 2px 0; padding-left: 20px; font-size: 14px; }
.cc-app .cc-closed-items li { margin: 2px 0; }

.cc-app .cc-start-bar { align-items: center; gap: 14px; margin: 0 0 2px 0; flex-wrap: wrap; overflow: visible; }
.cc-app .cc-start-bar .widget-dropdown { height: 32px; line-height: 32px; }
/* the coach picker is as wide as its longest coach (at least 440 px), so no name is cut where there is room; on a
   phone it fits the screen and its closed label wraps between words (page_bridge.py lets them apart), as many lines
   as it takes, rather than be cut (found cut at 400 px, "… · starts 4 Fe", and at 360 px, "… · starts 4 Feb" of
   2028); where a browser does not wrap a picker's label, the line below it names the coach chosen in full (or the
   note, a coach who is not here) */
.cc-app .cc-start-bar .cc-coach { width: auto; min-width: 440px; max-width: 100%; height: auto; }
.cc-app .cc-start-bar .cc-coach > select { min-width: 0; flex: 1 1 auto; width: auto; height: auto; min-height: 32px;
  white-space: normal; overflow-wrap: anywhere; line-height: 20px; padding-top: 5px; padding-bottom: 5px; }
.cc-app .cc-start-bar > .cc-coach-chosen { display: none; }
.cc-app .cc-start-bar > .cc-coach-left-hint { flex: 1 1 100%; margin: 0; }
.cc-app .cc-coach-left-hint .cc-warn-box { margin: 0; }
.cc-app .cc-view-choice .widget-toggle-button { padding: 0 16px; font-weight: 600; }
.cc-app .cc-badge {
  display: inline-block; padding: 2px 10px; border-radius: 999px; font-size: 12px; font-weight: 600;
  white-space: nowrap; line-height: 1.5;
}
.cc-app .cc-badge-overdue { background: var(--cc-error-bg); color: var(--cc-error-ink); }
.cc-app .cc-badge-never { background: #ece8fb; color: #4b2f8f; }
.cc-app .cc-badge-soon { background: var(--cc-warn-bg); color: var(--cc-warn-ink); }
.cc-app .cc-badge-scheduled { background: var(--cc-ok-bg); color: var(--cc-ok-ink); }
.cc-app .cc-team-head { align-items: flex-start; justify-content: space-between; }
.cc-app .cc-team-counts { display: flex; gap: 6px; align-items: center; flex-wrap: wrap; margin: 4px 0 2px 0; }
.cc-app .cc-team-columns {
  display: flex; gap: 12px; color: var(--cc-muted); font-size: 11px; font-weight: 600; text-transform: uppercase;
  letter-spacing: 0.05em; border-bottom: 1px solid var(--cc-line); padding: 8px 0 6px 0;
}
.cc-app .cc-team-columns span { flex: 0 0 auto; }
.cc-app .cc-team-row {
  display: flex; align-items: flex-start; gap: 12px; padding: 10px 0; border-bottom: 1px solid #eef1f4;
  font-size: 14px; line-height: 1.4;
}
.cc-app .cc-team-row:last-child { border-bottom: none; }
.cc-app .cc-team-row > div { overflow-wrap: anywhere; }
.cc-app .cc-team-row .cc-muted { font-size: 12.5px; }
.cc-app .cc-team-line { margin-top: 4px; }
/* a person is read whole, never cut: a long name wraps below (one line stands where the 24 px line stood) */
.cc-app .jupyter-button.cc-team-person {
  font-weight: 600; font-size: 15px; padding: 2px 0; height: auto; min-height: 24px; line-height: 20px;
  color: var(--cc-ink); max-width: 100%; text-align: left; justify-content: flex-start;
  white-space: normal; overflow-wrap: anywhere; overflow: visible; text-overflow: clip;
}
.cc-app .jupyter-button.cc-team-person:hover:enabled { color: var(--cc-accent); text-decoration: underline; }
.cc-app .jupyter-button.cc-team-person { display: block; width: 100%; cursor: pointer; }
.cc-app .cc-team-actions { display: flex; flex-direction: column; gap: 6px; }
.cc-app .cc-team-actions .jupyter-button { margin: 0; font-size: 13px; padding: 0 8px; width: 100%; cursor: pointer; }
.cc-app .cc-team-items summary { cursor: pointer; }
.cc-app .cc-team-items ul { padding-left: 16px; margin: 6px 0 0 0; font-size: 13px; }
.cc-app .cc-team-items li { margin-bottom: 6px; }
.cc-app .cc-team-items .cc-pill, .cc-app .cc-team-due .cc-pill { margin-left: 0; }
/* a badge or pill too long for its cell wraps where its words allow (team.badge_html), never past the cell */
.cc-app .cc-team-row .cc-badge, .cc-app .cc-team-row .cc-pill { white-space: normal; max-width: 100%;
  box-sizing: border-box; }
.cc-app .cc-team-note { font-size: 12.5px; color: var(--cc-muted); }
.cc-app .cc-late { color: var(--cc-error-ink); font-weight: 600; }
.cc-app .cc-trends { display: flex; flex-direction: column; gap: 5px; }
.cc-app .cc-trend {
  border: 1px solid var(--cc-line); border-left: 4px solid #b8c2cc; border-radius: 7px; padding: 3px 9px;
  background: #fff; font-size: 13px; line-height: 1.35;
}
.cc-app .cc-trend-line { display: flex; align-items: baseline; justify-content: space-between; gap: 8px; }
.cc-app .cc-trend-skill { font-weight: 600; min-width: 0; overflow-wrap: anywhere; }  /* wraps, never cut */
.cc-app .cc-trend-value { white-space: nowrap; }
.cc-app .cc-spark {
  font-family: "DejaVu Sans Mono", "Menlo", monospace; color: var(--cc-accent); letter-spacing: 2px; font-size: 15px;
  line-height: 1.1;
}
.cc-app .cc-trend-word {
  font-size: 10.5px; font-weight: 700; text-transform: uppercase; letter-spacing: 0.04em; text-align: right;
  color: var(--cc-muted); white-space: nowrap;
}
.cc-app .cc-trend-ahead { border-left-color: #2f855a; }
.cc-app .cc-trend-ahead .cc-trend-word { color: #2f855a; }
.cc-app .cc-trend-on-track { border-left-color: var(--cc-accent); }
.cc-app .cc-trend-on-track .cc-trend-word { color: var(--cc-accent); }
.cc-app .cc-trend-behind { border-left-color: #c05621; }
.cc-app .cc-trend-behind .cc-trend-word { color: #c05621; }

.cc-app .cc-conflict {
  border: 1px solid #e9c37a; border-left: 5px solid #c77700; background: var(--cc-warn-bg); border-radius: 10px;
  padding: 12px 16px; margin: 8px 0; box-sizing: border-box;
}
.cc-app .cc-conflict-title .widget-html-content { font-size: 17px; font-weight: 700; color: var(--cc-warn-ink); }
.cc-app .cc-conflict-message .widget-html-content { font-size: 14px; color: var(--cc-ink); }
.cc-app .cc-conflict-choices { flex-wrap: wrap; gap: 8px; margin: 6px 0 2px 0; }
.cc-app .cc-conflict-choices .jupyter-button { margin: 0; }
.cc-app .cc-conflict-help .widget-html-content { font-size: 13px; color: var(--cc-muted); }
.cc-app .cc-conflict-help-list { margin: 2px 0 0 0; padding-left: 18px; }
.cc-app .cc-merge-row {
  background: #fff; border: 1px solid var(--cc-line); border-radius: 8px; padding: 8px 12px; margin: 6px 0;
  box-sizing: border-box;
}
.cc-app .cc-merge-label { font-weight: 600; }
.cc-app .cc-merge-label .cc-pill { margin-left: 4px; }
.cc-app .cc-merge-sides { flex-wrap: wrap; gap: 8px; align-items: stretch; margin: 4px 0; }
.cc-app .cc-merge-side {
  border: 1px solid var(--cc-line); border-radius: 6px; padding: 6px 10px; background: #fbfcfd; box-sizing: border-box;
}
.cc-app .cc-merge-picked { border: 2px solid var(--cc-accent); background: var(--cc-accent-soft); }
.cc-app .cc-merge-tag {
  font-size: 11px; font-weight: 700; text-transform: uppercase; letter-spacing: 0.05em; color: var(--cc-muted);
}
.cc-app .cc-merge-text { white-space: pre-wrap; overflow-wrap: anywhere; font-size: 14px; line-height: 1.4; }
.cc-app .cc-merge-choice .widget-toggle-button { height: 30px; }
.cc-app pre.cc-copy-text {
  white-space: pre-wrap; overflow-wrap: anywhere; word-break: normal; background: #fff;
  border: 1px solid var(--cc-line);
  border-radius: 6px; padding: 8px 10px; max-height: 260px; overflow: auto; font-size: 13px; user-select: text;
  font-family: inherit; margin: 4px 0 0 0;
}
.cc-app .cc-former-draft + .cc-former-draft { margin-top: 8px; }  /* a former coach's drafts, one box each */
.cc-app .cc-conflict-notice { align-items: flex-start; gap: 6px; margin: 6px 0; }

/* a focus ring that is seen from across the desk, on every control the keyboard reaches; !important because
   ipywidgets sets `outline: none !important` on dropdowns and text fields and a 1px pale outline on buttons */
.cc-app.cc-app button:focus-visible, .cc-app.cc-app input:focus-visible, .cc-app.cc-app textarea:focus-visible,
.cc-app.cc-app select:focus-visible, .cc-app.cc-app summary:focus-visible, .cc-app.cc-app a:focus-visible {
  outline: 3px solid #1a73e8 !important; outline-offset: 2px !important;
  box-shadow: 0 0 0 5px rgba(26, 115, 232, 0.18) !important;
}
/* words for screen readers only: a field's name where the screen shows the question above it (cc-named),
   the skill a field is about */
.cc-app .cc-named > .widget-label, .cc-app .cc-sr-only {
  position: absolute !important; width: 1px !important; height: 1px !important; padding: 0 !important;
  margin: -1px !important; overflow: hidden !important; clip-path: inset(50%) !important;
  white-space: nowrap !important; border: 0 !important;
}
/* not ready yet, yet pressed to hear why: light, with its words at 4.5:1 or more (white on #8fa9a9 was 2.5:1) */
.cc-app .jupyter-button.cc-primary.cc-blocked { background: #e3ebeb; border-color: #8fa9a9; color: #24423f; }
.cc-app .cc-complete-note .widget-html-content { padding-left: 10px; }
.cc-app .cc-target-cell { margin-right: 10px; }
.cc-app .cc-target-check .widget-html-content { font-size: 12.5px; line-height: 1.3; min-height: 0; }
.cc-app .cc-target-check .cc-warn { color: var(--cc-warn-ink); }
.cc-app .cc-date-check .widget-html-content { font-size: 12.5px; line-height: 1.3; min-height: 0; white-space: normal; }
.cc-app .cc-date-check .cc-warn { color: var(--cc-warn-ink); }
.cc-app .cc-action-row { align-items: flex-start; }  /* a date's complaint under it leaves the row's fields in line */
.cc-app .cc-start-confirm .jupyter-button { margin: 0 6px 0 0; }
.cc-app .cc-start-confirm .cc-row, .cc-app .cc-draft-offer .cc-row, .cc-app .cc-summary-actions {
  flex-wrap: wrap; gap: 6px;
}
/* text boxes grow with their text instead of cutting it off */
.cc-app textarea { field-sizing: content; min-height: 2.3em; max-height: 16em; }
.cc-app .cc-grow textarea { min-height: 32px; resize: none; overflow-wrap: anywhere; }
.cc-app .cc-option-row { align-items: flex-start; }
/* narrow screens (the app's own width, so JupyterLab's side panels count too): stack instead of squeezing */
.cc-app { container-type: inline-size; container-name: cc-app; }
.cc-app .widget-html-content { overflow-wrap: anywhere; }
.cc-app .cc-glance-box .widget-html-content, .cc-app .cc-summary-view .widget-html-content { overflow-x: auto; }
.cc-app table.cc-table td, .cc-app table.cc-table th { overflow-wrap: normal; word-break: normal; }
@container cc-app (max-width: 940px) {
  .cc-app .cc-person-view { flex-wrap: wrap; }
  .cc-app .cc-person-view > .cc-picker { flex: 1 1 100% !important; width: 100% !important; }
  .cc-app .cc-person-view > .cc-employee-panel { flex: 1 1 100% !important; width: 100% !important; }
  .cc-app .cc-results { max-height: 200px; }
  .cc-app .cc-team-row { flex-wrap: wrap; row-gap: 6px; }
  .cc-app .cc-team-row > .cc-team-skills { flex: 1 1 100% !important; order: 10; }
  .cc-app .cc-team-columns span:nth-child(4) { display: none; }
  /* person, due and items keep one line with the buttons; the skills take the next line, full width */
  .cc-app .cc-team-row > .cc-team-due, .cc-app .cc-team-columns span:nth-child(2) {
    flex: 0 0 170px !important; width: 170px !important; }
  .cc-app .cc-team-row > .cc-team-items-cell, .cc-app .cc-team-columns span:nth-child(3) {
    flex: 0 0 150px !important; width: 150px !important; }
  .cc-app .cc-team-row { column-gap: 8px; }
  .cc-app table.cc-table { font-size: 13px; }
  .cc-app table.cc-table td, .cc-app table.cc-table th { padding: 4px 5px; }
}
/* a phone (the app under 560 px): rows of fields and buttons wrap, each field as wide as it needs to be read */
@container cc-app (max-width: 560px) {
  .cc-app .cc-checkin-item .cc-row, .cc-app .cc-interim-row, .cc-app .cc-action-row { flex-wrap: wrap; row-gap: 6px; }
  /* the error's message takes the box's width, its Dismiss button the row below (beside, it left a thin column) */
  .cc-app .cc-error-banner { flex-wrap: wrap; row-gap: 4px; }
  .cc-app .cc-error-banner > .cc-error-text { flex: 1 1 100%; }
  .cc-app .cc-checkin-item .cc-item-status { flex: 1 1 100% !important; }
  .cc-app .cc-checkin-item .cc-item-note, .cc-app .cc-checkin-item .cc-item-reason { flex: 1 1 100% !important; }
  .cc-app .cc-interim-row > .widget-html { flex: 1 1 100% !important; }
  .cc-app .cc-action-heads { display: none !important; }
  .cc-app .cc-action-row > .cc-action-text { flex: 1 1 100% !important; width: 100% !important; }
  .cc-app .cc-action-row > .cc-action-owner { flex: 1 1 120px !important; min-width: 0; }
  .cc-app .cc-action-row > .cc-action-skill { flex: 1 1 calc(100% - 44px) !important; }
  .cc-app .cc-team-columns span:nth-child(n+2) { display: none; }
  /* the due cell takes the rest of its line: a badge such as "Check-in overdue · 80 days" keeps to one line */
  .cc-app .cc-team-row > .cc-team-due { flex: 1 0 170px !important; }
  .cc-app .cc-option-row, .cc-app .cc-skill-head, .cc-app .cc-rating-row, .cc-app .cc-actions {
    flex-wrap: wrap; row-gap: 6px; }
  .cc-app .cc-option-row > .cc-option-text { flex: 1 1 100% !important; }
  .cc-app .cc-option-row > .cc-option-pros, .cc-app .cc-option-row > .cc-option-cons { flex: 1 1 40% !important; }
  .cc-app .cc-rating-row > .widget-html { flex: 1 1 100% !important; }
  .cc-app .cc-skill-card .widget-dropdown { max-width: 100%; }
  .cc-app .cc-skill-card .widget-dropdown > select { min-width: 0; flex: 1 1 auto; }
  /* the coach picker's name above it: the whole width is left for the coach's name and the day they left */
  .cc-app .cc-start-bar .cc-coach { flex: 1 1 100% !important; width: 100% !important; flex-wrap: wrap;
    height: auto; row-gap: 2px; min-width: 0; }
  .cc-app .cc-start-bar > .cc-coach-chosen { display: block; flex: 1 1 100%; margin: -10px 0 0 0; line-height: 20px; }
  .cc-app .cc-start-bar.cc-coach-fits > .cc-coach-chosen { display: none; }  /* the picker shows it whole */
  .cc-app .cc-start-bar .cc-coach > label { flex: 1 1 100%; width: auto !important; text-align: left;
    line-height: 20px; }
  .cc-app .cc-start-bar .cc-coach > select { flex: 1 1 100%; width: 100%; }  /* wraps at the picker's width */
  /* the question set's name above its picker too: "Career conversation" is cut beside it at 360 px */
  .cc-app .cc-question-set { flex-wrap: wrap; height: auto; row-gap: 2px; min-width: 0; }
  .cc-app .cc-question-set > label { flex: 1 1 100%; width: auto !important; text-align: left; line-height: 20px; }
  .cc-app .cc-question-set > select { height: 32px; min-width: 0; flex: 1 1 auto; }
  /* the last plan at a glance, one block per row (glance._stacking_table): each value under its heading, the
     skill's ratings on one line and its 6/12/18-month targets on the next, so no column is past the screen's edge */
  .cc-app table.cc-stack, .cc-app table.cc-stack tbody { display: block; }
  .cc-app table.cc-stack thead { display: none; }
  .cc-app table.cc-stack tr { display: grid; grid-template-columns: repeat(3, minmax(0, 1fr)); column-gap: 10px;
    padding: 6px 0; border-bottom: 1px solid var(--cc-line); }
  .cc-app table.cc-stack td { border: none; padding: 2px 0; min-width: 0; overflow-wrap: anywhere; }
  .cc-app table.cc-stack td:empty { display: none; }
  .cc-app table.cc-stack td::before { content: attr(data-label); display: block; color: var(--cc-muted);
    font-size: 11px; font-weight: 600; text-transform: uppercase; letter-spacing: 0.04em; }
  .cc-app table.cc-stack td.cc-col-skill, .cc-app table.cc-stack td.cc-col-item { font-weight: 600; }
  .cc-app table.cc-stack td.cc-col-skill::before, .cc-app table.cc-stack td.cc-col-item::before { display: none; }
  .cc-app table.cc-stack td.cc-col-skill, .cc-app table.cc-stack td.cc-col-item,
  .cc-app table.cc-stack td.cc-col-approach, .cc-app table.cc-stack td.cc-col-status,
  .cc-app table.cc-stack td.cc-col-note { grid-column: 1 / -1; }
  .cc-app table.cc-stack td.cc-col-latest, .cc-app table.cc-stack td.cc-col-due { grid-column: span 2; }
  .cc-app table.cc-stack .cc-pill:first-child { margin-left: 0; }
}
/* 400% zoom of a 1280 px window (WCAG's 320 px reflow): the question bank's two buttons go under the title */
@container cc-app (max-width: 360px) {
  .cc-app .cc-section-head { flex-wrap: wrap; row-gap: 6px; }
  .cc-app .cc-section-head > .cc-bank { flex: 1 1 100% !important; }
  .cc-app .cc-bank > div { display: flex; flex-wrap: wrap; row-gap: 4px; }
}
.cc-app .cc-skill-chart-grid { display: flex; flex-wrap: wrap; gap: 10px; }
.cc-app .cc-skill-chart { margin: 0; flex: 1 1 300px; max-width: 520px; min-width: 0; }
.cc-app .cc-skill-chart svg { width: 100%; height: auto; }
.cc-app .cc-page-bridge, .cc-app .widget-box > .cc-page-bridge { display: none; }
/* The notice that the page lost its kernel (page_bridge.py). Under Voila it covers the whole window: it is put on
   the body (inside .cc-app, whose container query makes it the box a fixed element is placed in, it would cover the
   app only). In a notebook it stands at the top of the app (.cc-lost-inside). The colours are the app's (its
   variables are set on .cc-app). */
body > .cc-lost {
  position: fixed; inset: 0; z-index: 10000; display: flex; align-items: center; justify-content: center;
  padding: 16px; box-sizing: border-box; background: rgba(31, 42, 55, 0.6);
}
.cc-app > .cc-lost-inside { margin: 0 0 12px 0; }
/* ipywidgets marks every widget of a gone kernel with a broken-chain icon, which scattered dozens of red icons over
   the app and pushed its layout about: the notice says what happened, once */
.cc-app.jupyter-widgets-disconnected::before,
.cc-app .jupyter-widgets-disconnected::before { content: none; display: none; }
.cc-lost, .cc-lost-bar {
  color: #1f2a37; font-family: "Inter", "Segoe UI", system-ui, -apple-system, "Helvetica Neue", Arial, sans-serif;
}
.cc-lost .cc-lost-card {
  width: 100%; max-width: 560px; max-height: 100%; overflow: auto; box-sizing: border-box; padding: 20px 24px;
  background: #ffffff; border-radius: 12px; border-top: 6px solid #8a1c1c; box-shadow: 0 8px 30px rgba(0, 0, 0, 0.3);
}
.cc-lost-inside .cc-lost-card { max-width: none; box-shadow: 0 2px 10px rgba(0, 0, 0, 0.15); }
.cc-lost h2 { margin: 0 0 10px 0; font-size: 20px; line-height: 1.3; font-weight: 600; color: #8a1c1c; }
.cc-lost p { margin: 0 0 12px 0; font-size: 15px; line-height: 1.45; }
.cc-lost .cc-lost-typed {
  display: block; width: 100%; box-sizing: border-box; margin: 0 0 14px 0; padding: 8px 10px; resize: vertical;
  font: inherit; font-size: 14px; color: #1f2a37; background: #f6f7f9; border: 1px solid #dde3ea; border-radius: 8px;
}
.cc-lost .cc-lost-reload, .cc-lost-bar .cc-lost-show {
  padding: 10px 18px; font: inherit; font-size: 15px; font-weight: 600; color: #ffffff; background: #2b6c6c;
  border: 0; border-radius: 8px; cursor: pointer;
}
.cc-lost .cc-lost-reload:focus-visible, .cc-lost-bar .cc-lost-show:focus-visible {
  outline: 3px solid #1f2a37; outline-offset: 2px;
}
/* In a notebook, while the notice at the top of the app is out of sight (page_bridge.py): a bar at the foot of the
   window, above JupyterLab's status bar, with a button that brings the notice into sight. */
body > .cc-lost-bar {
  position: fixed; left: 50%; bottom: 40px; transform: translateX(-50%); z-index: 10000; box-sizing: border-box;
  width: max-content; max-width: calc(100vw - 24px); display: flex; flex-wrap: wrap; align-items: center; gap: 8px 14px;
  padding: 10px 14px; background: #ffffff; border-top: 4px solid #8a1c1c; border-radius: 10px;
  box-shadow: 0 4px 18px rgba(0, 0, 0, 0.25); font-size: 15px; line-height: 1.4;
}
.cc-lost-bar .cc-lost-show { padding: 6px 12px; }
"""


def style_widget() -> widgets.HTML:
    """An HTML widget carrying the app's ``<style>`` block (placed inside the app once)."""
    box = widgets.HTML(f"<style>{CSS}</style>", layout=widgets.Layout(height="0px", margin="0", overflow="hidden"))
    box.add_class("cc-style")
    return box
