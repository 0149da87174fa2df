"""careerconv: open, local-first software for career conversations.

The package is grouped by layer, and each folder imports only from itself and
the folders listed before it:

records/    the records, their store (the only disk I/O for records), question
            sets, import, erasure
rules/      pure rules: follow-up, progress, cadence, privacy, option kinds
analytics/  the HR analytics engine
views/      charts, HTML pieces, spreadsheet exports
demo/       the synthetic demo organisation and its word lists
surfaces/   the app, the report runners, the records service, the commands,
            the notebooks

cli.py is the command line's entry point (``careerconv``).
"""

__version__ = "0.1.0"
