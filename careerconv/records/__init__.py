"""records: The records and their files: the schema of conversations, check-ins and the roster, the
question sets, the store (the only disk I/O for records: record files, derived tables, locks),
dates, spreadsheet decoding and workbooks, importers, erasure, the open-data view, the data
folder's settings and the direction of typed text (right-to-left names isolated in a sentence).
The bottom layer: it imports nothing else from careerconv.
"""
