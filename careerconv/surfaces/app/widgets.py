"""Small helpers for building the app's widget trees: CSS classes, buttons, layouts, showing and hiding.

Every widget a test or a stylesheet needs to find has a stable ``cc-…`` CSS


class (``widget.add_class``); :func:`classed` adds them while a tree is built.
Rating dropdowns hold :data:`NO_RATING` for "no rating" (:func:`rating_in`,
:func:`rating_out` convert to and from what is stored).
"""

from __future__ import annotations

import datetime as dt

import ipywidgets as widgets
import traitlets

from careerconv.records import schema
from careerconv.records.dates import human_date, parse_human_date
from careerconv.views.html_parts import escape_html

NO_RATING = 0  # a Dropdown cannot show a label for the value None, so "no rating" is 0 in the widget
RATING_CHOICES = [("–", NO_RATING)] + [(str(i), i) for i in range(schema.RATING_MIN, schema.RATING_MAX + 1)]


def rating_in(value: int | None) -> int:
    """A stored rating (or None) as a rating Dropdown's value."""
    return NO_RATING if value is None else value


def rating_out(value: int) -> int | None:
    """A rating Dropdown's value as stored (None for "no rating")."""
    return None if value in (None, NO_RATING) else int(value)


# Layouts and styles shared by many widgets. Every ipywidget otherwise brings its own Layout and Style model:
# three models (three messages, three objects for the browser to create) per label or button instead of one.
# A shared layout is never changed in place: :func:`show` gives the widget its own copy first.
_SHARED_LAYOUTS: dict[int, dict] = {}


def _shared_layout(**attrs) -> widgets.Layout:
    layout = widgets.Layout(**attrs)
    register_shared_layout(layout, attrs)
    return layout


def register_shared_layout(layout: widgets.Layout, attrs: dict) -> None:
    """Mark ``layout`` as shared by several widgets (made with ``attrs``): :func:`show` copies it first."""
    _SHARED_LAYOUTS[id(layout)] = dict(attrs)


_LAYOUT_PLAIN = _shared_layout()
_LAYOUT_BUTTON = _shared_layout(width="auto", align_self="flex-start")
_LAYOUT_FULL = _shared_layout(width="100%")
_FLEX_LAYOUTS: dict[tuple[str, int], widgets.Layout] = {}
_HTML_STYLE = widgets.widget_string.HTMLStyle()
_BUTTON_STYLE = widgets.ButtonStyle()


def own_layout(widget: widgets.Widget) -> widgets.Layout:
    """The widget's layout, made its own first if it shares one (so changing it changes no other widget)."""
    attrs = _SHARED_LAYOUTS.get(id(widget.layout))
    if attrs is not None:
        widget.layout = widgets.Layout(**attrs)
    return widget.layout


def full() -> widgets.Layout:
    """The shared full-width layout (:func:`show` gives a widget its own copy before hiding it)."""
    return _LAYOUT_FULL


def flex(basis: str = "auto", grow: int = 1) -> widgets.Layout:
    """A shared layout for a widget sharing a row: it grows by ``grow`` from ``basis`` and may shrink to nothing."""
    key = (basis, grow)
    if key not in _FLEX_LAYOUTS:
        _FLEX_LAYOUTS[key] = _shared_layout(flex=f"{grow} 1 {basis}", width="auto", min_width="0")
    return _FLEX_LAYOUTS[key]


def classed(widget: widgets.Widget, *classes: str) -> widgets.Widget:
    """Add CSS classes to a widget and return it (for building trees inline)."""
    for cls in classes:
        widget.add_class(cls)
    return widget


def html(text: str, *classes: str) -> widgets.HTML:
    """An HTML widget with the given (already escaped) markup and classes (sharing its layout and style)."""
    return classed(widgets.HTML(text, layout=_LAYOUT_PLAIN, style=_HTML_STYLE), *classes)


def button(description: str, *classes: str, tooltip: str = "", width: str | None = None) -> widgets.Button:
    """A styled button (sharing its layout, unless it has a width of its own, and its style)."""
    b = widgets.Button(description=description, tooltip=tooltip or description, style=_BUTTON_STYLE,
                       layout=widgets.Layout(width=width) if width else _LAYOUT_BUTTON)
    return classed(b, *classes)


def named(widget: widgets.Widget, name: str | list[str]) -> widgets.Widget:
    """Give a control the accessible name a screen reader says: what it asks, or what it does, in words.

    A text field, combobox or dropdown takes ``name`` as its description: its ``<label>``, which the
    stylesheet draws off screen (class ``cc-named``; the placeholder stays what is seen). Neither a
    placeholder nor a title names it: ipywidgets' empty ``<label>`` would win over both. A button whose
    text is a symbol (``↑``, ``✕``) or says too little (``7``, ``Remove skill``) takes ``name`` as its
    tooltip, and the page bridge copies that into its ``aria-label``; for ``ToggleButtons`` give one name
    per option. Returns the widget (for building trees inline).
    """
    if isinstance(widget, widgets.ToggleButtons):
        widget.tooltips = list(name)
    elif isinstance(widget, (widgets.Button, widgets.ToggleButton)):
        widget.tooltip = name
    else:
        widget.description = name
        widget.tooltip = name
    return classed(widget, "cc-named")


def expander(widget: widgets.Button, expanded: bool) -> widgets.Button:
    """Mark a button that shows and hides a part of the page, and whether that part is shown now.

    The page bridge gives a button of class ``cc-expander`` ``aria-expanded="true"`` while it also has
    class ``cc-expanded``, ``"false"`` otherwise (a screen reader says "collapsed" / "expanded"); call
    again whenever the part is shown or hidden. Returns the button (for building trees inline).
    """
    widget.add_class("cc-expander")
    if expanded:
        widget.add_class("cc-expanded")
    else:
        widget.remove_class("cc-expanded")
    return widget


def sr_only(text: str) -> str:
    """``text`` (already escaped) for screen readers only: in the accessible name, not drawn on the screen."""
    return f'<span class="cc-sr-only">{text}</span>'


def set_disabled(widget: widgets.Widget, disabled: bool) -> None:
    """Disable (or enable) every input in a widget tree."""
    if hasattr(widget, "disabled"):
        widget.disabled = disabled
    for child in getattr(widget, "children", ()) or ():
        set_disabled(child, disabled)


def show(widget: widgets.Widget, visible: bool) -> None:
    """Show or hide a widget without removing it from the tree."""
    display = None if visible else "none"
    if widget.layout.display != display:
        own_layout(widget).display = display


def close_tree(widget: widgets.Widget) -> None:
    """Close a widget and everything in it (frees the kernel's and the browser's copies)."""
    for child in getattr(widget, "children", ()) or ():
        close_tree(child)
    widget.close()


# ---------------------------------------------------------------------------- dates

class DateBox(widgets.VBox):
    """A date field in the app's one date style (``12 Mar 2027``), not the browser's locale.

    ``value`` is a :class:`datetime.date` or None, like ``ipywidgets.DatePicker``'s, and is
    observed the same way. What the coach types is read when they leave the box or press Enter;
    text that is not a date leaves ``value`` as it was and says so under the box, in words.
    """

    value = traitlets.Any(None, allow_none=True)

    def __init__(self, value: dt.date | None = None, *, width: str = "150px", name: str = "A date"):
        self.text = named(widgets.Text(placeholder="12 Mar 2027", continuous_update=False,
                                       layout=widgets.Layout(width=width)),
                          f"{name}, day month year: 12 Mar 2027 (2027-03-12 works too)")
        self.message = classed(widgets.HTML("", layout=widgets.Layout(width=width)), "cc-field-check", "cc-date-check")
        show(self.message, False)
        # as wide as its box with the box's margins: a width here would cut the margins off and overlap the next field
        super().__init__([self.text, self.message], layout=widgets.Layout(flex="0 0 auto"))
        self.text.observe(self._typed, "value")
        self.observe(self._shown, "value")
        self.value = value

    @traitlets.validate("value")
    def _a_date(self, proposal):
        day = proposal["value"]
        if day is not None and not isinstance(day, dt.date):
            raise traitlets.TraitError(f"a date box holds a date or None, not {day!r}")
        return day

    def _typed(self, change) -> None:
        try:
            day = parse_human_date(change["new"])
        except ValueError as e:
            kept = f" (the date stays {human_date(self.value)})" if self.value is not None else ""
            self.message.value = f'<span class="cc-warn">{escape_html(str(e))}{kept}</span>'
            show(self.message, True)
            return
        if day != self.value:
            self.value = day  # shown by _shown
        else:
            self._shown({"new": day})  # the same day typed another way: written back in the app's style

    def _shown(self, change) -> None:
        shown = human_date(change["new"])
        if self.message.value:
            self.message.value = ""
            show(self.message, False)
        if self.text.value != shown:
            self.text.value = shown
