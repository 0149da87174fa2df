"""The options of ``careerconv import`` that the importers' own messages name, in a module that imports nothing.

The command line adds them to its parser from here, so that ``careerconv import roster --help`` needs no pandas
(see :mod:`careerconv.cli`); :mod:`careerconv.records.employment_status` names them in its notes and refusals.
"""

# The option of a full export of current staff: everyone on the roster and not in the file has left.
MISSING_HAVE_LEFT_OPTION = "--missing-have-left"
