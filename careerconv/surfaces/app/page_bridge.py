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
  copying: under Voila over the whole page, offering to reload; in a notebook (JupyterLab), where a reload brings
  no kernel back, at the top of the app, saying to run the notebook again; an answer that comes after all takes
  the notice away;
* a text box sent on Enter (class ``cc-send-on-enter``) has its text sent before the Enter (ipywidgets sends
  the Enter first), so the kernel acts on what is in the box; when the kernel then empties the box, letters
  typed after the Enter stay;
* where the closed coach picker shows the whole name of the coach chosen, the start bar is marked
  ``cc-coach-fits`` (the line naming them in full under the picker, for a phone that cuts a long name, would
  only say it twice);
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

from typing import Callable

import anywidget
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

// A phone cuts a long name in the closed coach picker, so a line under it (class cc-coach-chosen) names the coach
// chosen in full. Where the picker shows the whole name, that line would only say it twice: the start bar is then
// marked cc-coach-fits and styles.py hides the line. Measured in the picker's own font, as drawn.
const measuring = document.createElement('canvas').getContext('2d');
function markCoachFits(root) {
  const select = root.querySelector('.cc-coach select');
  const bar = select && select.closest('.cc-start-bar');
  if (!bar || select.selectedIndex < 0 || !select.clientWidth) return;
  const cs = getComputedStyle(select);
  measuring.font = cs.font;
  const label = select.options[select.selectedIndex].text.replace(/\s+/g, ' ').trim();
  const room = select.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
  const fits = measuring.measureText(label).width <= room;
  if (bar.classList.contains('cc-coach-fits') !== fits) bar.classList.toggle('cc-coach-fits', fits);
}

function watchNames(root) {
  let queued = false;
  const run = () => { queued = false; nameButtons(root); markCoachFits(root); };
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

// A text box that is sent on Enter (class cc-send-on-enter, synced only when its text is committed): its text
// goes to the kernel before the Enter. ipywidgets sends the Enter ("submit") at the keypress and the text only at
// the change event the browser fires after it, so the kernel would act on the text sent before (found: a skill
// typed fast and added with Enter came as "Mentorin", and the rest of the word stayed in the box ahead of the
// next one). A change event first sends it; a click on a button needs nothing: the box's change comes as it
// loses the focus, before the click.
function sendBeforeEnter(event) {
  const box = event.target;
  if (event.key !== 'Enter' || !box || box.tagName !== 'INPUT' || !box.closest('.cc-send-on-enter')) return;
  keepTypedAfter(box);
  sentOnEnter.set(box, { text: box.value, at: performance.now() });
  box.dispatchEvent(new Event('change', { bubbles: true }));
}

// The kernel empties the box once it has taken the text; letters typed after the Enter, before that reaches the
// page, stay (found: "Negotiation" typed right after adding "Mentoring" came as "otiation"). ipywidgets shows the
// kernel's value through the box's value setter: an emptying within 2 s of an Enter takes the text sent off the
// front of the box instead.
const sentOnEnter = new WeakMap();
const nativeValue = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value');
function keepTypedAfter(box) {
  if (Object.prototype.hasOwnProperty.call(box, 'value')) return;
  Object.defineProperty(box, 'value', {
    configurable: true,
    get() { return nativeValue.get.call(this); },
    set(value) {
      const sent = sentOnEnter.get(this);
      const shown = nativeValue.get.call(this);
      sentOnEnter.delete(this);
      if (value === '' && sent && performance.now() - sent.at < 2000 && shown.length > sent.text.length
          && shown.startsWith(sent.text)) {
        nativeValue.set.call(this, shown.slice(sent.text.length));
      } else {
        nativeValue.set.call(this, value);
      }
    },
  });
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
  const onInput = (event) => {
    const box = event.target;
    const text = box && (box.tagName === 'TEXTAREA' || (box.tagName === 'INPUT' && box.type === 'text'));
    if (text && !box.closest('.cc-search')) {  // a search is nothing to keep
      typed.set(box, performance.now());
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
  const lost = () => {
    deadline = null;
    if (notice) return;
    notice = document.createElement('div');
    notice.className = wholePage ? 'cc-lost' : 'cc-lost cc-lost-inside';
    notice.setAttribute('role', wholePage ? 'alertdialog' : 'alert');
    if (wholePage) notice.setAttribute('aria-modal', 'true');
    notice.setAttribute('aria-labelledby', 'cc-lost-title');
    const card = document.createElement('div');
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
    const texts = unsaved();
    if (texts.length) {
      const label = document.createElement('p');
      label.textContent = 'What you typed last, which may not be saved: copy it before you '
        + (wholePage ? 'reload.' : 'run the notebook again.');
      const copy = document.createElement('textarea');
      copy.className = 'cc-lost-typed';
      copy.readOnly = true;
      copy.rows = Math.min(8, texts.length * 2 + 1);
      copy.value = texts.join('\n\n');
      copy.setAttribute('aria-label', 'What you typed last');
      card.append(label, copy);
    }
    notice.append(card);
    if (!wholePage) {
      root.prepend(notice);
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
    if (notice) { notice.remove(); notice = null; }
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
  document.addEventListener('keypress', sendBeforeEnter, true);
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
    document.removeEventListener('keypress', sendBeforeEnter, true);
    document.removeEventListener('visibilitychange', onVisibility);
    window.removeEventListener('pagehide', hidden);
    model.off('change:place', write);
    model.off('msg:custom', onMessage);
  };
}
export default { render };
"""


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

    def open_html(self, html_text: str) -> None:
        """Open an HTML document in a new browser tab."""
        self.send({"kind": "open", "mime": "text/html;charset=utf-8"}, [html_text.encode("utf-8")])

    def download(self, data: bytes, filename: str, mime: str) -> None:
        """Offer ``data`` as a file download named ``filename``."""
        self.send({"kind": "download", "filename": filename, "mime": mime}, [data])

