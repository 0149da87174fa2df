"""Built-in values that the settings file can change, in a module that imports nothing.

:mod:`careerconv.surfaces.commands.settings` reads its defaults and allowed values from here, so
a command can resolve its settings (``careerconv app`` does, before it starts
the server) without importing pandas through the modules that use the values;
those modules take them from here too (one value in one place).
"""

from __future__ import annotations

HORIZONS = (6, 12, 18)  # months after a conversation at which a skill's targets fall (careerconv.records.schema)
DUE_SOON_DAYS = 30  # how many days ahead counts as "due soon" (careerconv.rules.cadence)
DATE_ORDERS = ("dmy", "mdy")  # how a history file may write its dates (careerconv.records.importers)
DEFAULT_K = 5  # the smallest group an HR figure may describe, unless set (careerconv.rules.privacy)
MIN_K = 3  # and the smallest that may be set
