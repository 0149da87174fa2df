"""What ``careerconv export`` can write: its tables and views and its file formats, in a module that imports
no pandas, so that ``careerconv export --help`` lists them at once (see :mod:`careerconv.cli`).
:mod:`careerconv.views.exporting` writes them.
"""

from careerconv.records.table_names import TABLE_NAMES

FORMATS = ("csv", "parquet", "xlsx")
HISTORY_VIEW = "history"
TARGET_STATUS_VIEW = "target_status"
EXPORT_TABLES: tuple[str, ...] = (*TABLE_NAMES, HISTORY_VIEW, TARGET_STATUS_VIEW)
