"""Widgets built in one go reach the browser as one message each, holding their final state.

Measured on the 10,000-employee demo (``benchmarks/bench_app_browser.py``): the time from a click to the
painted result is the time the kernel takes to send its widget messages, one by one through the server to
the browser - about 5 ms each on a busy 2-core machine, and starting a conversation sent 418 of them. An
ipywidget sends a message when it is created (with its state) and then one more for every change: each CSS
class added, each value loaded, each widget hidden. Every widget also brings a Layout and a Style model of
its own, three messages where one would do.

Inside :func:`batched` a widget created on this thread is not opened (sent) at once:

* changes to it before the end of the block send nothing: its opening message carries the final state;
* widgets whose ``layout`` or ``style`` is a fresh model equal to one already sent share that one
  (a shared layout is registered with :mod:`.widgets`, so :func:`~careerconv.surfaces.app.widgets.show` gives the
  widget its own copy before hiding it);
* custom messages to it (``focus()``) are sent after it is opened, in order;
* at the end every pending widget is opened, the widgets it refers to (children, layout, style) first;
  a layout or style set aside for an equal one is opened after all if something refers to it later.

Blocks nest; the outermost one sends. The app runs every callback (click, typing, timer) in one block
(:meth:`careerconv.surfaces.app.ConversationApp.guard`), so a click sends what it built in as few messages as possible.
"""

from __future__ import annotations

import contextlib
import threading
from typing import Iterator

import ipywidgets as widgets

from . import widgets as _widgets

_local = threading.local()
_ORIGINAL_OPEN = widgets.Widget.open
_ORIGINAL_SEND = widgets.Widget._send
_ORIGINAL_SEND_STATE = widgets.Widget.send_state
_installed = False
_install_lock = threading.Lock()
_SHARED: dict[tuple[type, str], widgets.Widget] = {}  # (class, state) -> a layout or style model already sent
_ALL = None  # "every synced trait" in a widget's list of changed traits


class _Batch:
    """What a block holds back: widgets to open, changed traits of opened widgets, custom messages."""

    def __init__(self):
        self.pending: list[widgets.Widget] = []
        self.changed: dict[int, tuple[widgets.Widget, dict]] = {}  # id -> (widget, {trait: None} or {_ALL: None})
        self.custom: list[tuple[widgets.Widget, dict, list | None]] = []
        self.unused: set[int] = set()  # layout and style models replaced by an equal one already sent


def _current() -> _Batch | None:
    return getattr(_local, "batch", None)


def _open(self: widgets.Widget) -> None:
    batch = _current()
    if batch is not None and self.comm is None:
        batch.pending.append(self)
        return
    _ORIGINAL_OPEN(self)


def _send_state(self: widgets.Widget, key=None) -> None:
    batch = _current()
    if batch is None:
        _ORIGINAL_SEND_STATE(self, key)
        return
    if self.comm is None:
        return  # not opened yet (its opening message carries the state) or closed
    keys = batch.changed.setdefault(id(self), (self, {}))[1]
    if key is None:
        keys[_ALL] = None
    else:
        for k in ([key] if isinstance(key, str) else key):
            keys[k] = None


def _send(self: widgets.Widget, msg: dict, buffers=None) -> None:
    batch = _current()
    if batch is not None and msg.get("method") == "custom":
        batch.custom.append((self, msg, buffers))  # after the widget is opened and its state is sent
        return
    _ORIGINAL_SEND(self, msg, buffers)


def _model_id(self: widgets.Widget) -> str:
    if self.comm is None and _current() is None:
        # a layout set aside as unused (an equal one was sent) that a widget made later refers to after all
        _ORIGINAL_OPEN(self)
    return self.comm.comm_id


def _install() -> None:
    global _installed
    with _install_lock:
        if not _installed:
            widgets.Widget.model_id = property(_model_id, doc=widgets.Widget.model_id.__doc__)
            widgets.Widget.open = _open
            widgets.Widget.send_state = _send_state
            widgets.Widget._send = _send
            _installed = True


@contextlib.contextmanager
def batched() -> Iterator[None]:
    """Send the widgets created and changed in the block once each, in their final state, when it ends."""
    _install()
    if _current() is not None:  # nested: the outermost block sends
        yield
        return
    _local.batch = batch = _Batch()
    try:
        yield
    finally:
        try:
            _share_parts(batch)
        finally:
            _local.batch = None
            _flush(batch)


def _share_parts(batch: _Batch) -> None:
    """Give pending widgets the layout and style models already sent, where equal (still inside the block:
    a widget's default layout or style is made when first read, and so is held back too)."""
    pending_widgets = [w for w in batch.pending if not isinstance(w,
                                                                  (widgets.Layout, widgets.widgets.widget_style.Style))]
    parts = [(w, name, getattr(w, name)) for w in pending_widgets for name in ("layout", "style") if w.has_trait(name)]
    waiting = {id(w) for w in batch.pending}
    for w, name, model in parts:
        if isinstance(model, widgets.Widget) and id(model) in waiting and model.comm is None:
            twin = _twin(model, waiting)
            if twin is not model:
                w.set_trait(name, twin)
                batch.unused.add(id(model))


def _flush(batch: _Batch) -> None:
    done: set[int] = set(batch.unused)
    for w in batch.pending:
        _open_with_parts(w, done)
    for w, keys in batch.changed.values():
        if w.comm is not None:
            for part in _widgets_in([getattr(w, k, None) for k in (w.keys if _ALL in keys else keys)]):
                _open_with_parts(part, done)  # a widget made outside the block's thread, say
            _ORIGINAL_SEND_STATE(w, None if _ALL in keys else list(keys))
    for w, msg, buffers in batch.custom:
        if w.comm is not None:
            _ORIGINAL_SEND(w, msg, buffers)


def _twin(model: widgets.Widget, waiting: set[int]) -> widgets.Widget:
    """An equal layout or style model already sent (or about to be), else ``model`` itself."""
    values = model._trait_values  # what was set or read; a trait missing here holds its default
    attrs = {k: values[k] for k in model.keys if k in values and values[k] is not None}
    key = (type(model), repr(sorted(attrs.items())))
    twin = _SHARED.get(key)
    if twin is None or (twin.comm is None and id(twin) not in waiting):  # a closed one is not reused
        _SHARED[key] = twin = model
        if isinstance(model, widgets.Layout):
            _widgets.register_shared_layout(model, {k: v for k, v in attrs.items() if not k.startswith("_")})
    return twin


def _open_with_parts(w: widgets.Widget, done: set[int]) -> None:
    if id(w) in done:
        return
    done.add(id(w))
    if w.comm is not None:
        return
    for name in w.keys:
        for part in _widgets_in(getattr(w, name, None)):
            if part.comm is None:
                _open_with_parts(part, done)
    _ORIGINAL_OPEN(w)


def _widgets_in(value) -> Iterator[widgets.Widget]:
    if isinstance(value, widgets.Widget):
        yield value
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _widgets_in(v)
    elif isinstance(value, dict):
        for v in value.values():
            yield from _widgets_in(v)
