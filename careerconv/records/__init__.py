"""records: The records and their files: the schema of conversations, check-ins and the roster, the
question sets, the store (the only disk I/O for records: record files, derived tables, locks),
dates, spreadsheet decoding and workbooks, importers, erasure, the open-data view and the data
folder's settings. The bottom layer: it imports nothing else from careerconv.
"""
