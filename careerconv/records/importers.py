"""Import the roster and legacy history from CSV or Excel files.

Two importers, one reading path:

* :func:`import_roster` — columns ``employee_id, name, coach_id, department,
  role`` and optionally ``cadence_months`` (6 or 12; without the column new
  employees get 12 and others keep theirs) and ``email`` (the same: kept when
  the file has none); employees are
  added or updated by id, everyone else on the roster is kept. Files as HR
  systems export them are read as they are: the names Workday, BambooHR or
  Personio use (``Manager ID``, ``Job Title``, ``Work Email``, ``First Name``
  + ``Last Name`` …) are recognised, other columns are ignored and named in a
  note; a ``Line Manager``, ``Manager`` or ``Reports To`` column is the coach
  when the file has no id column for it and its values are employee ids of
  the file or the roster (it holds names in some exports: then the file is
  refused, saying which column to add); the coach may be empty (the top of
  the organisation) and need not be on the roster (an external coach); an
  employee who is their own manager in the file has no coach. Workday's ``Supervisory Organization`` read as the
  department loses the manager's name Workday writes after it (``Engineering (Olga Rossi)`` is ``Engineering``)
  when that is the name of someone in the file, with a note. An
  id written otherwise than the roster writes it (``e0010`` for ``E0010``,
  ``0003`` for ``E0003``, ``123`` for ``00123`` as Excel stores an id of
  digits, and ``00123`` for ``123``) is read as the one id it matches (:mod:`careerconv.records.id_spelling`;
  an employee id against the roster, a coach id against the roster and the
  file), with a note; a value that fits several is refused, naming them, and
  so is a row whose name shares no word with the roster's name for the id its
  employee id was read as (a new hire ``125`` is not someone else's ``0125``), and a row whose coach id without
  the roster's zeros or prefix (``3`` for ``E0003``) has no manager's name beside it that is that person's
  (``Manager Name``, or ``Reports To`` beside ``Supervisor EID``: read for this alone, never stored).
  A ``Manager email`` column (HiBob's) is the coach when the file has no id column for it and has an e-mail
  column: each manager is the one person with that e-mail in the file or on the roster (a row naming an e-mail
  that is nobody's, or several people's, is refused). A start-date column (``Start date``, ``Hire Date``,
  ``Eintrittsdatum`` ...) gives ``started_on``, past or to come: they are here from that day on
  (:mod:`careerconv.records.leavers`); a leaving day must come after it (a re-hire's earlier one aside).
  A contract's end (``Contract End Date``, ``End Date``) is not a leaving day:
  it is one only where the employment status says the person left and the
  file gives no leaving day; the summary says which columns the leaving days
  were read from.
* :func:`import_history` — legacy records kept in spreadsheets, one row per
  employee x date x skill: ``employee_id, date, skill, rating`` and optionally
  ``coach_rating, target_6m, target_12m, target_18m, coach_id, name``, or the names appraisal systems give them
  (``Personalnummer;Datum;Kompetenz;Bewertung``, ``Employee ID, Rating date, Competency, Score``,
  ``Manager rating``, ``Target 6 months``, ``Ziel 12 Monate`` ...; :data:`HISTORY_ALIASES`; a ``Manager`` column
  is the coach when its values are employee ids on the roster, else left out with a note). Employee and coach ids
  are read as a roster import reads them (``e0010`` is the roster's ``E0010``), but a history names no one: a
  number without the roster's prefix or zeros (``7`` or ``0007`` for ``E0007``) is the roster's id only beside
  that person's name in the file's name column (read for this alone, never stored), and a coach's only when it is
  the employee's coach on the roster (:func:`careerconv.records.id_spelling.confirmed`). Each employee
  x date becomes one completed conversation record (question set
  ``legacy-import``, source ``import:<file name>``, id ``<employee_id>-h<yyyymmdd>``,
  which the app's ids ``<employee_id>-<yyyymmdd>`` can never take).

What the file may look like:

* CSV in UTF-8, UTF-8 with a BOM (Excel's "CSV UTF-8"), UTF-16 with a BOM, or
  Windows-1252 (Excel's plain "CSV" on Western Windows) when the bytes are not
  UTF-8; the result says which was used. A roster's name that lost letters to Excel's "CSV" (``?ukasz`` for
  ``Łukasz``, ``Dana Cohen ?`` for a lost emoji: :mod:`~careerconv.records.lost_letters`) keeps the roster's name,
  with a note; someone new with such a name is refused, asking for the file saved as "CSV UTF-8"; a department or
  role so written keeps the roster's that it is, or is refused. Comma, semicolon or tab separated
  (chosen from the header line), or separated by what a first line ``sep=;``
  names (Excel's hint, which is not a row).
* Or an ``.xlsx`` workbook: the sheet whose header row names the importer's
  required columns is read, and a note names the others; a workbook with
  several such sheets is refused unless ``sheet`` names one; with none, the
  first sheet is read (and its missing columns reported). Cells merged down one column below the header row
  (a department merged over its people) are read as the block's value in each of its rows, with a note; a
  header row with merged cells (a heading over two columns' names) or cells merged across columns are
  refused, naming the cells (:func:`~careerconv.records.import_files.read_table_file`).
* The header row names the columns: the first non-blank row, or, when that
  is a report's title or parameters (``Run Date``, ``Effective as of`` ...),
  the first of the next rows that names the importer's required columns (a
  note says which rows above it were not read); a SAP SuccessFactors user data file's row of system keys
  (``STATUS,USERID,...``) with its labels below it is read by the keys, from the row after the labels
  (:func:`~careerconv.records.import_files.read_table_file`). Names are matched ignoring case,
  surrounding spaces, the accents of Latin letters, and spaces/hyphens vs
  underscores (``Employee ID`` is ``employee_id``, ``Prénom`` is ``prenom``), by
  the column's own name or the names HR systems give it in English, German,
  French, Spanish and Dutch (:data:`ROSTER_ALIASES`, :data:`HISTORY_ALIASES`); a missing or repeated column
  is an error, and so is an unknown column of a history file (a roster's are ignored, with a note).
* Rows at the end that each hold one text that is not an id (``Total: 60
  employees``, ``Classification: Confidential``) are a report's footer and
  are not read, with a note; a last row of one id is read (and refused). So are a history's last rows
  with no date and no skill that name no one on the roster (``Total;;;6,5``, ``Gesamt``, ``Average``).
* Blank rows are skipped; row numbers in messages are the rows a person sees
  in a spreadsheet (the header is usually row 1), and columns are named as the
  file's header row names them (``'Employee Status'``, not employment_status).
* Every row has one cell per column of the header, as spreadsheets write them
  (Excel pads a row whose last cells are empty with separators); a row with
  more or fewer cells is refused, since an unquoted separator or line break
  has moved its values out of their columns.
* A double quote that opens a value and is not closed where the value ends
  (a name typed ``"Smith, Ann``) would read the lines after it into that one
  value: the file is refused whole, naming the line the quote opens on
  (rows cannot be skipped past it, since which rows it took cannot be told).
* Values are read with the parsers of :mod:`careerconv.records.schema` (ratings, ids,
  dates, cadences). Characters a spreadsheet does not show are handled as
  surrounding spaces are: an id or an email holding one is refused, naming
  it; from a roster's names, departments and roles and a history's skills
  zero-width spaces, word joiners and byte-order marks are removed, and so
  are spaces (Unicode category Zs: the space, the no-break space ...) and
  zero-width joiners at either end, with a note counting the cleaned cells
  per column (so ``Sales`` with a no-break space after it is the department
  ``Sales``, and ``Python`` with a zero-width space the skill ``Python``);
  tabs and line breaks are kept as they are (a skill loses them at either
  end, unnoted, like any whitespace there). Control characters other than
  tab and line break are kept, with a note (an .xlsx export leaves them out).
  A text cell written by our own CSV export with a formula-guard quote
  (``'=x``) is read back without it
  (:func:`careerconv.records.spreadsheet.restore_formula`).
* Day/month order of ``DD/MM/YYYY``-style dates is decided for the whole file,
  never per row: if some date in the file can only be read one way
  (``25/03/2024``), that order is used for all; if every such date reads both
  ways, each is rejected unless ``date_order`` is given; a file mixing both
  orders is rejected.

All-or-nothing: every row is checked and every problem reported at once;
nothing is written unless the whole file is valid. With ``skip_invalid`` the
valid rows are imported and the rejected rows are written, each with its
``reason``, to a CSV file (default ``<input stem>.rejected.csv`` beside the
input). History rows are imported per conversation: if one row of an
employee x date is rejected, the other rows of that conversation are rejected
with it, so a conversation is never imported half.

Erased people stay erased: a row naming an id that ``careerconv erase`` removed
(as employee or coach; :meth:`careerconv.records.store.Store.erased_ids`) is
refused like any invalid row, saying the day it was erased, unless
``allow_erased`` adds them again on purpose and takes the id off that list.

Idempotent: importing the same file again changes nothing (records that would
not change are not rewritten); the result counts added, updated and unchanged.
A history file's name is not its content: the same rows in a copy named
otherwise, in another order, re-exported with a BOM or Windows line ends, or
as a workbook, leave every conversation unchanged, still naming the file it
was first imported from. A conversation imported from a file without a coach
column gets the roster's coach then, and keeps it when imported again.

This module is the imports' front door: it re-exports what callers use. The work is done in modules with one
job each, each importing only those before it: :mod:`~careerconv.records.import_columns` (header names and the
names HR systems give them), :mod:`~careerconv.records.import_asking` (how the person importing is told what to
do, and the refusal of a file), :mod:`~careerconv.records.import_files` (reading a file into raw cells),
:mod:`~careerconv.records.import_checking` (problems by row, rejected rows, results),
:mod:`~careerconv.records.import_cells` (cell parsers, the day/month order),
:mod:`~careerconv.records.employment_status` (who left, and when), :mod:`~careerconv.records.import_ids` (ids
written otherwise, erased ids), :mod:`~careerconv.records.roster_import` and
:mod:`~careerconv.records.history_import`.
"""

from .employment_status import MISSING_HAVE_LEFT_OPTION
from .history_import import import_history, legacy_conversation_id
from .import_asking import Asking, FileRejected
from .import_cells import DATE_ORDERS, decide_date_order
from .import_checking import ImportResult
from .import_columns import HISTORY_ALIASES, ROSTER_ALIASES
from .import_files import read_table_file
from .roster_import import DEFAULT_CADENCE, import_roster

# What callers import from here, from the modules above.
__all__ = ["import_roster", "import_history", "Asking", "FileRejected", "ImportResult", "read_table_file",
           "decide_date_order", "legacy_conversation_id", "DATE_ORDERS", "DEFAULT_CADENCE",
           "MISSING_HAVE_LEFT_OPTION", "ROSTER_ALIASES", "HISTORY_ALIASES"]
