"""The names of careerconv's tables, in the order they are listed, in a module that imports nothing.

:data:`careerconv.records.schema.TABLES` holds the tables in this order (its import stops if the two name
different tables); ``careerconv export --help`` lists them from here without importing pandas
(see :mod:`careerconv.cli`).
"""

# The roster, then the tables rebuilt from the record files (schema.DERIVED_TABLES).
TABLE_NAMES = ("roster", "conversations", "dreams", "skills", "skill_ratings", "targets", "options", "action_items",
               "checkins", "checkin_updates", "answers")
