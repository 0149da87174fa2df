"""The coach's live app (ipywidgets): run a career conversation and its check-ins.

Use it from the last cell of ``careerconv/surfaces/notebooks/conversation.ipynb`` (JupyterLab, or
Voila via ``careerconv app``)::

    from careerconv.surfaces.app import ConversationApp
    ConversationApp(data_dir="../../demo/sample")

Modules: :mod:`.facilitation` (the app object: a shell that switches screens,
keeps the place, the banner and the save paths), :mod:`.lifecycle` (the person
open; start, resume, open, discard, close their conversations),
:mod:`.checkin_routes` (into and out of a check-in), :mod:`.team_routes` (the
team view and its rows), :mod:`.conversation_shortcuts` (the app's shortcuts
to the conversation open), :mod:`.built_on_demand` (attributes a method builds
on first use), :mod:`.start_screen` (coach
picker, search, person page, team toggle), :mod:`.conversation_screen` (one
conversation: stepper, timers, Finish, summary), :mod:`.roster_index` (the
roster searched and named), :mod:`.sections` (a section's
questions and its alternative bank), :mod:`.editors` (the editor of a question;
the text, list, choice and date kinds), :mod:`.plan_editors` (dreams, action
items, follow-up, cadence), :mod:`.skill_editor` (a card per skill),
:mod:`.widgets` (widget-building helpers), :mod:`.timers`, :mod:`.autosave`,
:mod:`.checkin`, :mod:`.summary`, :mod:`.glance`, :mod:`.followup` (the
words for an action item's status; the follow-up rules themselves are
:mod:`careerconv.rules.followup`), :mod:`.team` (the
coach's team at a glance), :mod:`.scheduling`, :mod:`.styles`; saving an open
record: :mod:`.session` (compare-and-swap saves, conflicts), :mod:`.conflicts`
(pure: two versions field by field, the merge), :mod:`.conflict_panel` (the
box that shows a conflict); :mod:`.banner` (errors), :mod:`.data_folder`
(which data folder, the organisation's skill names); :mod:`.place` (the page
address names where the coach is: pure) and :mod:`.page_bridge` (the widget
that writes it, saves when the page is hidden, opens tabs and downloads);
:mod:`.drafts` (what a draft holds, which one to offer: pure);
:mod:`.completeness` (what Finish still asks for: pure); :mod:`.team_loader`
(the team read off the main thread); :mod:`.skill_charts` (each skill's
ratings as the report draws them); :mod:`.launch` (how the notebook opens the app, or says why it
could not).

The names below are imported when first used, not with the package: the notebook imports
:func:`.launch.open_app`, and the app's own imports (pandas, pyarrow, ...) wait until it is built.
"""

import importlib

_LAZY = {"ConversationApp": ".facilitation", "organisation_skill_names": ".data_folder",
         "resolve_data_dir": ".data_folder", "open_app": ".launch"}

__all__ = ["ConversationApp", "open_app", "organisation_skill_names", "resolve_data_dir"]


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted([*globals(), *_LAZY])
