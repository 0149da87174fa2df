"""The app's link to the browser page it is shown in: the address fragment, page hidden or closed, opening a tab.

:class:`PageBridge` is an invisible widget (an ``anywidget`` with a few lines
of JavaScript):

* ``place`` (kernel → page) is written into the address fragment with
  ``history.replaceState`` (no new history entry per click); on load the page
  sends its fragment once as ``arrived`` (page → kernel), so a reload lands back
  where the coach was, and the app learns that a page has connected (also with no fragment);
* when the page is hidden (another tab, the laptop closed) or closed
  (``visibilitychange`` / ``pagehide``) the page sends ``{"event": "hidden"}``:
  the app saves what is pending at once instead of after its debounce;
* while it is open the page sends ``{"event": "beat"}`` every ``beat_every`` seconds (from a worker, which a
  browser does not slow down in a background tab), and at once when it is shown again; the kernel answers each
  (``{"kind": "beat"}``), so the app knows a page is there
  (:class:`~careerconv.surfaces.app.page_liveness.PageLiveness`) and the page knows the kernel is: with no answer
  within ``answer_wait`` seconds (the kernel ended: culled, restarted, its server stopped) it says that what is
  typed now is not saved and shows what was typed shortly before (around the last save, ``saved_at``) for
  copying, and what is typed while it stands: under Voila over the whole page, offering to reload; in a notebook
  (JupyterLab), where a reload brings no kernel back, at the top of the app, saying to run the notebook again, and
  while it is out of sight a bar at the foot of the window says so; an answer that comes after all takes the notice
  away;
* a text box sent on Enter (:func:`sent_on_enter`) is emptied by the page at the Enter (or at a click on a button
  beside it, :func:`sends_box`), its text sent in the same message: the kernel acts on exactly what was in the box,
  and what is typed next is never the kernel's to empty, however slow it is;
* the coach picker's options are given back the spaces between their words that ipywidgets makes no-break (the
  closed picker's label wraps on a phone rather than be cut); where the closed picker shows the whole name of the
  coach chosen, on one line or several, the start bar is marked ``cc-coach-fits`` (the line naming them in full under
  the picker, for a browser that cuts a long name, would only say it twice);
* buttons named in words (:func:`careerconv.surfaces.app.widgets.named`) are
  given their tooltip as ``aria-label``, toggle buttons ``aria-pressed``, and
  buttons that show and hide a part (:func:`careerconv.surfaces.app.widgets.expander`)
  ``aria-expanded``, whenever they are drawn (a screen reader then says "Move
  dream 2 up", not "up arrow", which rating is chosen, and whether a skill
  card's editors are shown);
* :meth:`PageBridge.open_html` opens an HTML document (the summary) in a new
  tab as a ``blob:`` URL (nothing is fetched from anywhere), and
  :meth:`PageBridge.download` offers a file for download.
"""

from __future__ import annotations

import uuid
import weakref
from typing import Callable

import anywidget
import ipywidgets as widgets
import traitlets

ANSWER_WAIT = 10.0  # seconds the page waits for the kernel's answer to a beat before it says the connection is lost

_ESM = r"""
// Screen readers: a button the app named in words (class cc-named or cc-icon, or one of a cc-named
// ToggleButtons) is called by its tooltip, not by its symbol or bare number; a toggle button says whether
// it is the one chosen (ipywidgets shows that by colour only); a button that shows and hides a part
// (class cc-expander) says whether it is shown (class cc-expanded). Kept up as widgets are drawn again.
function nameButtons(root) {
  for (const b of root.querySelectorAll('button')) {
    const named = b.classList.contains('cc-icon') || b.closest('.cc-named');
    if (named && b.title && b.getAttribute('aria-label') !== b.title) b.setAttribute('aria-label', b.title);
    if (b.classList.contains('widget-toggle-button')) {
      const pressed = String(b.classList.contains('mod-active'));
      if (b.getAttribute('aria-pressed') !== pressed) b.setAttribute('aria-pressed', pressed);
    }
    if (b.classList.contains('cc-expander')) {
      const expanded = String(b.classList.contains('cc-expanded'));
      if (b.getAttribute('aria-expanded') !== expanded) b.setAttribute('aria-expanded', expanded);
    }
  }
}

// ipywidgets writes every space of a picker's option as a no-break space. The closed coach picker's label wraps
// on a phone rather than be cut (styles.py), so the words of its options are let apart again, all but those after
// its last ' · ' (the day a coach left or starts), which go whole to the next line, as in the list of people.
function wrappableCoachOptions(root) {
  for (const option of root.querySelectorAll('.cc-coach select option')) {
    const text = option.textContent;
    const day = /^(.*)[ \u00a0]\u00b7\u00a0(.*)$/s.exec(text);
    const wrappable = day ? `${day[1].replace(/\u00a0/g, ' ')} \u00b7\u00a0${day[2]}` : text.replace(/\u00a0/g, ' ');
    if (wrappable !== text) option.textContent = wrappable;
  }
}

// Where a browser cuts a long name in the closed coach picker (one that does not wrap a picker's label), a line
// under it (class cc-coach-chosen) names the coach chosen in full. Where the picker shows the whole name, on one line
// or wrapped on several, that line would only say it twice: the start bar is then marked cc-coach-fits and styles.py
// hides the line. Measured in the picker's own font, as drawn.
const measuring = document.createElement('canvas').getContext('2d');
function markCoachFits(root) {
  const select = root.querySelector('.cc-coach select');
  const bar = select && select.closest('.cc-start-bar');
  if (!bar || select.selectedIndex < 0 || !select.clientWidth) return;
  const cs = getComputedStyle(select);
  measuring.font = cs.font;
  const label = select.options[select.selectedIndex].text.replace(/\s+/g, ' ').trim();
  const room = select.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
  const lines = (select.clientHeight - parseFloat(cs.paddingTop) - parseFloat(cs.paddingBottom))
    / (parseFloat(cs.lineHeight) || Infinity);
  const fits = measuring.measureText(label).width <= room || lines >= 1.5;  // on one line, or wrapped whole
  if (bar.classList.contains('cc-coach-fits') !== fits) bar.classList.toggle('cc-coach-fits', fits);
}

function watchNames(root) {
  let queued = false;
  const run = () => { queued = false; nameButtons(root); wrappableCoachOptions(root); markCoachFits(root); };
  const later = () => { if (!queued) { queued = true; requestAnimationFrame(run); } };
  const observer = new MutationObserver(later);
  observer.observe(root, { subtree: true, childList: true, attributes: true, attributeFilter: ['class', 'title'] });
  root.addEventListener('change', later, true);  // a coach picked: the select's value is no attribute
  window.addEventListener('resize', later);  // a phone turned: the picker's width changes
  run();
  return () => {
    observer.disconnect();
    root.removeEventListener('change', later, true);
    window.removeEventListener('resize', later);
  };
}

// A text box sent on Enter (class cc-send-on-enter, marked cc-box-<its key> by sent_on_enter): at an Enter in
// it, or a click on a button of class cc-send-box beside it ("+ Add skill"), the page takes its text out of the box
// and sends it to the kernel in the message itself; neither the Enter nor the click goes on to ipywidgets. Sent
// apart, the text and the Enter (or click) raced on a slow kernel (found in CI on a busy host: ipywidgets holds
// back a box's text while the kernel is busy but sends an Enter or a click at once, so "Mentoring" came as
// "Mentorin", or the next skill typed before the kernel's emptying reached the page came as "WritingHiring"). The
// page empties the box itself, at once, so what is typed next is never the kernel's to empty, whatever its delay;
// an 'input' event tells ipywidgets (the box sends each keystroke), so the box's model holds what is shown and
// no later redraw of the box puts back text already sent. The kernel names a text it refuses.
function sendBox(model, input) {
  const holder = input.closest('.cc-send-on-enter');
  const mark = holder && [...holder.classList].find((c) => c.startsWith('cc-box-'));
  if (!mark) return false;
  try {
    model.send({ event: 'send', box: mark.slice('cc-box-'.length), text: input.value });
  } catch (e) {
    return false;  // no kernel to send it to: the text stays in the box, and ipywidgets has the Enter
  }
  input.value = '';
  input.dispatchEvent(new Event('input', { bubbles: true }));
  return true;
}

// The boxes of one app (its root, .cc-app) are sent by one drawing of its bridge, however often it is drawn (two
// would send each text twice); another app on the page (a second notebook in JupyterLab) sends its own boxes
// through its own bridge, to its own kernel.
function sendOnEnter(model, root) {
  if (root.dataset.ccSendsBoxes) return () => {};
  root.dataset.ccSendsBoxes = '1';
  const stop = (event) => { event.preventDefault(); event.stopPropagation(); };
  const onKey = (event) => {
    const input = event.target;
    if (event.key !== 'Enter' || !input || input.tagName !== 'INPUT' || !input.closest('.cc-send-on-enter')) return;
    if (sendBox(model, input)) stop(event);
  };
  const onClick = (event) => {
    const button = event.target && event.target.closest && event.target.closest('button.cc-send-box');
    const input = button && button.parentElement && button.parentElement.querySelector('.cc-send-on-enter input');
    if (input && !button.disabled && sendBox(model, input)) stop(event);
  };
  root.addEventListener('keypress', onKey, true);
  root.addEventListener('click', onClick, true);
  return () => {
    root.removeEventListener('keypress', onKey, true);
    root.removeEventListener('click', onClick, true);
    delete root.dataset.ccSendsBoxes;
  };
}

// The kernel's answers to the page's beats: none within answer_wait seconds means it is gone (culled, restarted,
// its server stopped). The page then went on showing "Saved" and took typing that was never saved (found by a
// tester on the hub), so a notice covers it, keeps what was typed last for copying, and offers
// to reload. Beats come from a worker: a background tab slows its own timers to one a minute.
function startTicker(seconds, onTick) {
  try {
    const code = `setInterval(() => postMessage(0), ${Math.round(seconds * 1000)});`;
    const url = URL.createObjectURL(new Blob([code], { type: 'text/javascript' }));
    const worker = new Worker(url);
    URL.revokeObjectURL(url);
    worker.onmessage = onTick;
    return () => worker.terminate();
  } catch (e) {
    const id = setInterval(onTick, seconds * 1000);
    return () => clearInterval(id);
  }
}

// The kernel's own status, where the page's widget manager gives it (Voila, JupyterLab): the server says at once
// when the kernel died and is restarted, or could not be ('autorestarting', 'restarting', 'dead'), where a beat
// would wait answer_wait seconds for an answer that cannot come (found by a tester on the hub: 12 s of "Saved" and
// typing taken after a kill -9 of the kernel). A kernel only busy says 'busy', and is left to the beats.
const KERNEL_GONE = new Set(['autorestarting', 'restarting', 'dead']);

function watchKernel(model, onGone) {
  let kernel = null;
  try { kernel = model.widget_manager && model.widget_manager.kernel; } catch (e) { kernel = null; }
  const signal = kernel && kernel.statusChanged;
  if (!signal || typeof signal.connect !== 'function') return () => {};
  const onStatus = (_kernel, status) => { if (KERNEL_GONE.has(status)) onGone(); };
  signal.connect(onStatus);
  return () => signal.disconnect(onStatus);
}

function keepInTouch(model, root) {
  const typed = new Map();  // text box -> when it was last typed in
  let savedSeen = 0;  // when the page last heard of a save
  let deadline = null;
  let notice = null;
  let card = null;  // the notice's card
  let copy = null;  // its box of what was typed last, once there is some
  let bar = null;  // in a notebook, the bar saying so while the notice is out of sight
  let sight = null;  // what watches whether it is
  const onInput = (event) => {
    const box = event.target;
    const text = box && (box.tagName === 'TEXTAREA' || (box.tagName === 'INPUT' && box.type === 'text'));
    if (text && !box.closest('.cc-search')) {  // a search is nothing to keep
      typed.set(box, performance.now());
      if (notice) showTyped();
    }
  };
  const onSaved = () => { savedSeen = performance.now(); };
  const unsaved = () => {
    // the page cannot tell which typing the last save held (a save in flight may not hold it): boxes typed in
    // up to 10 s before the page heard of it are shown too; one shown that was saved does no harm
    const since = savedSeen - 10000;
    return [...typed].filter(([box, at]) => at >= since && box.isConnected && box.value.trim())
      .map(([box]) => box.value.trim());
  };
  // Under Voila the page is the app: the notice covers the page, and a reload starts a new kernel. In a notebook
  // (JupyterLab, Jupyter Notebook) the page is more than the app, and a reload brings no kernel back: the notice
  // stands at the top of the app and says to run the notebook again (a kernel only busy answers later, and the
  // notice goes).
  const wholePage = document.body.hasAttribute('data-voila');
  // What was typed last, in the notice: kept up to date while it stands, for what is typed after it came is not
  // saved either (in a notebook the notice stands at the top of the app, perhaps out of sight, and the boxes below
  // still take typing; found when a busy machine let the typing come after the notice).
  const showTyped = () => {
    const texts = unsaved();
    if (!texts.length) return;
    if (!copy) {
      const label = document.createElement('p');
      label.textContent = 'What you typed last, which may not be saved: copy it before you '
        + (wholePage ? 'reload.' : 'run the notebook again.');
      copy = document.createElement('textarea');
      copy.className = 'cc-lost-typed';
      copy.readOnly = true;
      copy.setAttribute('aria-label', 'What you typed last');
      card.insertBefore(label, card.querySelector('.cc-lost-reload'));
      card.insertBefore(copy, label.nextSibling);
    }
    copy.rows = Math.min(8, texts.length * 2 + 1);
    copy.value = texts.join('\n\n');
  };
  // In a notebook the notice stands at the top of the app, out of sight for a coach who has scrolled down to a later
  // section (under JupyterLab's toolbar once scrolled a little): while its title is out of sight, a bar at the foot
  // of the window says that what is typed is not saved, with a button that brings the notice into sight.
  const watchSight = (title) => {
    if (typeof IntersectionObserver !== 'function') return;
    sight = new IntersectionObserver((entries) => {
      const seen = entries[entries.length - 1].isIntersecting;
      if (seen && bar) {
        bar.remove();
        bar = null;
      } else if (!seen && !bar && notice) {
        bar = document.createElement('div');
        bar.className = 'cc-lost-bar';
        bar.setAttribute('role', 'alert');
        const says = document.createElement('span');
        says.textContent = "This notebook's kernel is not answering: what you type now is not saved.";
        const show = document.createElement('button');
        show.className = 'cc-lost-show';
        show.textContent = 'Show what to do';
        show.addEventListener('click', () => { if (notice) notice.scrollIntoView({ block: 'start' }); });
        bar.append(says, show);
        document.body.append(bar);
      }
    });
    sight.observe(title);
  };
  const stopSight = () => {
    if (sight) { sight.disconnect(); sight = null; }
    if (bar) { bar.remove(); bar = null; }
  };
  const lost = () => {
    deadline = null;
    if (notice) return;
    notice = document.createElement('div');
    notice.className = wholePage ? 'cc-lost' : 'cc-lost cc-lost-inside';
    notice.setAttribute('role', wholePage ? 'alertdialog' : 'alert');
    if (wholePage) notice.setAttribute('aria-modal', 'true');
    notice.setAttribute('aria-labelledby', 'cc-lost-title');
    card = document.createElement('div');
    card.className = 'cc-lost-card';
    const title = document.createElement('h2');
    title.id = 'cc-lost-title';
    title.textContent = wholePage ? 'This page has lost its connection to careerconv'
      : "This notebook's kernel is not answering";
    const what = document.createElement('p');
    const saved = model.get('saved_at');
    const back = 'everything saved ' + (saved ? `up to ${saved} ` : '') + 'comes back.';
    what.textContent = wholePage ? `What you type now is not saved. Reload the page to go on: ${back}`
      : 'If it was restarted or shut down, what you type now is not saved: run the notebook again to go on '
        + `(${back.replace(/\.$/, '')}). If it is only busy, this goes away once it answers.`;
    card.append(title, what);
    showTyped();
    notice.append(card);
    if (!wholePage) {
      root.prepend(notice);
      watchSight(title);
      return;
    }
    const reload = document.createElement('button');
    reload.className = 'cc-lost-reload';
    reload.textContent = 'Reload the page';
    reload.addEventListener('click', () => window.location.reload());
    card.append(reload);
    document.body.append(notice);
    reload.focus();
  };
  const answered = (msg) => {
    if (!msg || msg.kind !== 'beat') return;
    if (deadline !== null) { clearTimeout(deadline); deadline = null; }
    if (notice) { stopSight(); notice.remove(); notice = null; card = null; copy = null; }
  };
  const beat = () => {
    if (deadline === null) deadline = setTimeout(lost, model.get('answer_wait') * 1000);
    try { model.send({ event: 'beat' }); } catch (e) { lost(); }
  };
  const onShown = () => { if (document.visibilityState === 'visible') beat(); };
  root.addEventListener('input', onInput, true);
  model.on('change:saved_at', onSaved);
  model.on('msg:custom', answered);
  document.addEventListener('visibilitychange', onShown);
  const stopTicker = startTicker(model.get('beat_every'), beat);
  const stopWatching = watchKernel(model, lost);
  return () => {
    stopTicker();
    stopWatching();
    if (deadline !== null) clearTimeout(deadline);
    stopSight();
    root.removeEventListener('input', onInput, true);
    model.off('change:saved_at', onSaved);
    model.off('msg:custom', answered);
    document.removeEventListener('visibilitychange', onShown);
  };
}

// ipywidgets draws a box's children before it puts them into the box, and anywidget draws this bridge whenever
// its module has loaded, so the bridge may not be inside the app yet when it is drawn (found by CI: the notice
// meant for the top of the app stood over JupyterLab's whole page, the bridge having taken body for the app).
// What works on the app starts once the bridge is in it; the returned function stops it (or the waiting).
function whenInApp(el, start) {
  let stop = null;
  const app = () => el.closest('.cc-app');
  if (app()) {
    stop = start(app());
    return () => stop();
  }
  const placed = new MutationObserver(() => {
    if (!app()) return;
    placed.disconnect();
    stop = start(app());
  });
  placed.observe(document.documentElement, { childList: true, subtree: true });
  return () => {
    placed.disconnect();
    if (stop) stop();
  };
}

function render({ model, el }) {
  el.classList.add('cc-page-bridge');
  const unwatchNames = whenInApp(el, watchNames);
  const stopBeating = whenInApp(el, (root) => keepInTouch(model, root));
  const stopSending = whenInApp(el, (root) => sendOnEnter(model, root));
  const current = () => decodeURIComponent(window.location.hash.replace(/^#/, ''));
  const write = () => {
    const place = model.get('place');
    if (current() === place) return;
    const url = window.location.pathname + window.location.search + (place ? '#' + place : '');
    window.history.replaceState(window.history.state, '', url);
  };
  if (!model.get('arrived_sent')) {
    model.set('arrived', current());
    model.set('arrived_sent', true);
    model.save_changes();
  } else {
    write();
  }
  model.on('change:place', write);
  const hidden = () => model.send({ event: 'hidden' });
  const onVisibility = () => { if (document.visibilityState === 'hidden') hidden(); };
  document.addEventListener('visibilitychange', onVisibility);
  window.addEventListener('pagehide', hidden);
  const onMessage = (msg, buffers) => {
    if (!msg || (msg.kind !== 'open' && msg.kind !== 'download')) return;
    const bytes = buffers && buffers.length ? buffers[0] : new Uint8Array();
    const blob = new Blob([bytes], { type: msg.mime || 'application/octet-stream' });
    const url = URL.createObjectURL(blob);
    if (msg.kind === 'open') {
      const tab = window.open(url, '_blank');
      if (!tab) model.send({ event: 'blocked' });
    } else if (msg.kind === 'download') {
      const a = document.createElement('a');
      a.href = url; a.download = msg.filename || 'download';
      document.body.appendChild(a); a.click(); a.remove();
    }
    setTimeout(() => URL.revokeObjectURL(url), 60000);
  };
  model.on('msg:custom', onMessage);
  return () => {
    unwatchNames();
    stopBeating();
    stopSending();
    document.removeEventListener('visibilitychange', onVisibility);
    window.removeEventListener('pagehide', hidden);
    model.off('change:place', write);
    model.off('msg:custom', onMessage);
  };
}
export default { render };
"""


_SENT_ON_ENTER: "weakref.WeakValueDictionary[str, widgets.Text]" = weakref.WeakValueDictionary()


def sent_on_enter(box: widgets.Text, on_send: Callable[[str], None]) -> widgets.Text:
    """Have the page send ``box``'s text on Enter to ``on_send``, the box emptied by the page itself.

    The text comes in the page's message (see ``sendBox`` in the bridge's JavaScript), so the kernel never empties
    the box: letters typed after the Enter are the page's alone, however slow the kernel. A button beside the box
    given :func:`sends_box` sends it the same way. The box sends each keystroke (``continuous_update``), so its
    model holds what the page shows. Without a page (tests), ``on_submit`` and the button's own ``on_click`` act.
    """
    key = uuid.uuid4().hex  # the page names the box by it (a widget has no model id without a kernel)
    box.continuous_update = True
    box.add_class("cc-send-on-enter")
    box.add_class(f"cc-box-{key}")
    box.cc_on_send = on_send  # what the bridge calls with a text sent
    _SENT_ON_ENTER[key] = box
    return box


def sends_box(button: widgets.Button) -> widgets.Button:
    """Have a click on ``button`` send the box of :func:`sent_on_enter` beside it (in the same row), as an Enter."""
    button.add_class("cc-send-box")
    return button


class PageBridge(anywidget.AnyWidget):
    """The invisible widget between the app and its page.

    Parameters
    ----------
    on_arrived
        Called once, when the page has connected, with the fragment it was opened with ("" for none).
    on_hidden
        Called when the page is hidden or closed (save what is pending).
    on_blocked
        Called when the browser refused to open a new tab.
    on_beat
        Called when the page beats or arrives (it is there); the bridge answers the beat itself.
    beat_every
        Seconds between the page's beats.
    """

    _esm = _ESM
    place = traitlets.Unicode("").tag(sync=True)
    arrived = traitlets.Unicode("").tag(sync=True)
    arrived_sent = traitlets.Bool(False).tag(sync=True)
    beat_every = traitlets.Float(15.0).tag(sync=True)
    answer_wait = traitlets.Float(ANSWER_WAIT).tag(sync=True)
    saved_at = traitlets.Unicode("").tag(sync=True)  # "09:21:55": the last save, for the lost-connection notice

    def __init__(self, *, on_arrived: Callable[[str], None], on_hidden: Callable[[], None],
                 on_blocked: Callable[[], None] | None = None, on_beat: Callable[[], None] = lambda: None,
                 beat_every: float = 15.0):
        super().__init__(beat_every=beat_every)
        self.layout.display = "none"
        self._on_hidden, self._on_blocked, self._on_beat = on_hidden, on_blocked, on_beat
        self.observe(lambda change: self._arrived(on_arrived, change["new"]), names="arrived")
        # a page opened with no fragment sends "" (no change of "arrived") with arrived_sent: it has arrived too
        self.observe(lambda change: self._arrived(on_arrived, "") if change["new"] and not self.arrived else None,
                     names="arrived_sent")
        self.on_msg(self._message)

    def _arrived(self, on_arrived: Callable[[str], None], fragment: str) -> None:
        self._on_beat()
        on_arrived(fragment)

    def _message(self, _widget, content, _buffers) -> None:
        event = (content or {}).get("event")
        if event == "beat":
            self.send({"kind": "beat"})
            self._on_beat()
        elif event == "hidden":
            self._on_hidden()
        elif event == "blocked" and self._on_blocked is not None:
            self._on_blocked()
        elif event == "send":
            box = _SENT_ON_ENTER.get(str(content.get("box")))
            if box is not None:
                box.cc_on_send(str(content.get("text", "")))

    def open_html(self, html_text: str) -> None:
        """Open an HTML document in a new browser tab."""
        self.send({"kind": "open", "mime": "text/html;charset=utf-8"}, [html_text.encode("utf-8")])

    def download(self, data: bytes, filename: str, mime: str) -> None:
        """Offer ``data`` as a file download named ``filename``."""
        self.send({"kind": "download", "filename": filename, "mime": mime}, [data])

