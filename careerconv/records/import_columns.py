"""How a file's header row is matched to the columns an import reads: :func:`column_key`, the
importers' column specs (:data:`ROSTER_COLUMNS`, :data:`HISTORY_COLUMNS`) and the names HR systems give each
column (:data:`ROSTER_ALIASES`, :data:`HISTORY_ALIASES`)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Iterable

from . import schema
from .schema import CADENCE_MONTHS, COACH_ID, COACH_RATING, DATE, DEPARTMENT, EMPLOYEE_ID, LEFT_ON, SKILL, STARTED_ON

_ACCENTS = re.compile("[\u0300-\u036f]")


def column_key(name: Any) -> str:
    """How a header cell is matched to a column: ``" Employee ID "`` -> ``"employee_id"``, ``"Prénom"`` ->
    ``"prenom"`` (case, surrounding spaces, spaces and hyphens vs underscores, and the accents of Latin letters
    do not count, so an export that drops accents still matches)."""
    text = "" if schema.is_missing(name) else str(name)
    text = unicodedata.normalize("NFC", _ACCENTS.sub("", unicodedata.normalize("NFKD", text)))
    return re.sub(r"[\s\-]+", "_", text.strip().strip("\ufeff").strip().casefold())


@dataclass(frozen=True)
class ColumnSpec:
    """The columns one importer reads (``kind`` names the importer: roster or history).

    ``aliases`` maps a column (or a part of one, such as ``first_name``) to
    the other names HR systems give it, written as :func:`column_key` folds
    them (else ValueError), best first; the column's own name always wins.
    With ``ignore_unknown`` columns the importer does not read are listed in
    a note instead of rejecting the file; ``not_read`` are header keys that are
    left out so (with a note) even without it, when they are not read.
    """

    kind: str
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    aliases: dict[str, tuple[str, ...]] = field(default_factory=dict)
    ignore_unknown: bool = False
    not_read: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        unfolded = [a for names in self.aliases.values() for a in names if column_key(a) != a]
        if unfolded:
            raise ValueError(f"aliases must be written as column_key folds them: {unfolded}")
        names = [a for names in self.aliases.values() for a in names]
        twice = sorted({a for a in names if names.count(a) > 1} | (set(names) & set(self.all)))
        if twice:
            raise ValueError(f"an alias names one column only, and no column's own name: {twice}")

    def key_for(self, column: str, keys: Iterable[str]) -> str | None:
        """The header key among ``keys`` that names ``column``: its own name, else its best alias; None if none."""
        return next((k for k in (column, *self.aliases.get(column, ())) if k in keys), None)

    @property
    def all(self) -> tuple[str, ...]:
        return self.required + self.optional

    @property
    def known_keys(self) -> tuple[str, ...]:
        """Every header key this importer reads: the columns and their aliases."""
        return self.all + tuple(a for names in self.aliases.values() for a in names)

    def looks_like(self, header: Iterable[Any]) -> bool:
        """Whether a header row names every required column (by its name or an alias) and some column at all."""
        keys = {column_key(name) for name in header}
        named = {column for column in self.all if self.key_for(column, keys)}
        if "name" in self.all and all(self.key_for(part, keys) for part in NAME_PARTS):
            named.add("name")
        return bool(named) and set(self.required) <= named


# Columns holding the manager's id in some exports and their name in others (BambooHR's "Reports To", Personio's
# "Vorgesetzte(r)"): read as the coach id when the file has no column named as an id, and only if every value is an
# employee id of the roster.
MANAGER_COLUMNS = ("line_manager", "manager", "reports_to", "supervisor",
                   "vorgesetzte(r)", "vorgesetzter", "vorgesetzte", "fuhrungskraft",  # German
                   "vorgesetzte:r", "vorgesetzte*r", "vorgesetzte/r", "vorgesetzte_r",  # German, gender-neutral
                   "responsable", "responsable_hierarchique", "superieur_hierarchique",  # French, Spanish
                   "leidinggevende")  # Dutch
# Columns named as the manager's id: read as the coach id whatever their values.
COACH_ID_COLUMNS = ("manager_id", "line_manager_id", "supervisor_id", "reports_to_id", "manager_employee_id",
                    "manager_employee_number", "supervisor_eid", "supervisor_employee_id", "coach_employee_id",
                    "manager_user_id", "manager_personnel_number")
# Columns that hold the manager's name, never their id: named in the error when no id column is there, and read in a
# roster (as COACH_NAME) to tell whose a coach id written otherwise is (Workday's "Manager Name").
MANAGER_NAME_COLUMNS = ("manager_name", "supervisor_name", "line_manager_name", "reports_to_name", "manager_full_name",
                        "supervisor_full_name")
# A roster's column of the coach's name: never stored, read only to tell that a coach id written otherwise than the
# roster writes it (3 or 0003 for E0003) is that person's. Found by its own name or MANAGER_NAME_COLUMNS, else it is
# a manager column (MANAGER_COLUMNS: BambooHR's and HiBob's "Reports To", Workday's "Manager", Personio's
# "Supervisor") beside the column the coach id is read from (Checker.check_columns).
COACH_NAME = "coach_name"
# Workday's supervisory organization, read as the department: Workday writes its manager's name after it
# ("Engineering (Olga Rossi)"), which the import leaves out (Checker.check_columns).
ORGANIZATION_WITH_MANAGER = "supervisory_organization"
# Columns that hold the manager's e-mail address (HiBob's "Manager email"): read as the coach id, each e-mail as the id
# of the person with it, in a roster that has no coach id column and an e-mail column (people's own); else named in the
# error as those above are.
MANAGER_EMAIL_COLUMNS = ("manager_email", "manager_work_email", "supervisor_email", "line_manager_email",
                         "reports_to_email")
# SAP SuccessFactors' user data file has two header rows: its system keys (STATUS, USERID, FIRSTNAME, MANAGER ...,
# read as ROSTER_ALIASES name them: USERID is the id its MANAGER column names, EMPID another number, not read), then
# their labels, which repeat these two keys in the same columns (SAP KBA 2087504); the data starts below the labels.
SF_KEYS = ("status", "userid")
# What SuccessFactors writes in the MANAGER column of someone without a manager (NO_MANAGER in its exports, NO_MGR
# in its guides), as column_key folds it: no coach, as an empty cell is.
NO_MANAGER = ("no_manager", "no_mgr")
# How Workday, BambooHR, Personio, SAP SuccessFactors and spreadsheets kept by hand name roster columns, in English,
# then German, French, Spanish and Dutch (as their HR systems and payroll exports do), as column_key folds them:
# without accents ("Prénom" is "prenom", "Führungskraft" is "fuhrungskraft").
ROSTER_ALIASES = {
    EMPLOYEE_ID: ("employee_number", "employee_no", "employee_#", "employee_no.", "worker_id", "personnel_number",
                  "person_id", "staff_id", "user_id", "userid", "personnel_no", "employee_code",
                  "personalnummer", "mitarbeiternummer", "mitarbeiter_id",
                  "matricule", "numero_de_empleado", "personeelsnummer", "medewerkernummer", "id"),
    "name": ("preferred_name", "display_name", "full_name", "employee_name", "legal_name", "worker",
             "last_name,_first_name", "nombre_completo"),
    # The two parts of a name, for a file without a name column (French "Nom" beside "Prénom" is the last name).
    "first_name": ("firstname", "vorname", "prenom", "nombre", "voornaam"),
    "last_name": ("lastname", "surname", "nachname", "familienname", "nom", "nom_de_famille", "apellidos",
                  "apellido", "achternaam"),
    COACH_ID: (*COACH_ID_COLUMNS, *MANAGER_COLUMNS),
    # A cost center only when the file names no department (Workday's and SAP's exports often have both).
    DEPARTMENT: ("department_name", "dept", ORGANIZATION_WITH_MANAGER, "organization", "org_unit", "team",
                 "abteilung", "organisationseinheit", "departement", "service", "departamento", "afdeling",
                 "cost_center", "cost_centre", "kostenstelle"),
    "role": ("job_title", "business_title", "title", "position", "job_profile", "job",
             "stelle", "stellenbezeichnung", "poste", "intitule_du_poste", "puesto", "cargo", "functie"),
    "email": ("work_email", "email_work", "email_address", "business_email", "e_mail",
              "e_mail_adresse", "adresse_e_mail", "adresse_email", "correo_electronico", "e_mailadres"),
    COACH_NAME: MANAGER_NAME_COLUMNS,
    CADENCE_MONTHS: ("cadence", "conversation_cadence_months"),
    LEFT_ON: ("termination_date", "exit_date", "leaving_date", "date_of_leaving", "leave_date",
              "separation_date", "departure_date", "employment_end_date", "end_of_employment", "date_left",
              "date_of_termination", "austrittsdatum", "austritt", "beschaftigungsende",
              "ende_des_arbeitsverhaltnisses",  # Personio
              "date_de_sortie", "date_de_depart", "fecha_de_baja", "fecha_baja",
              "fecha_de_salida", "fecha_de_cese", "datum_uit_dienst", "uitdiensttreding", "datum_uitdiensttreding",
              "einddatum_dienstverband"),
    # The end of a contract (a fixed-term contract's end still to come, or an HR record's validity end, SAP's and
    # Workday's "End Date"): not a leaving day, since contracts are renewed and people stay; the leaving day only
    # of someone whose employment status says they left and who has no leaving day in the file.
    "contract_end": ("contract_end_date", "end_date", "contract_expiry_date", "fixed_term_end_date",
                     "enddatum", "vertragsende", "befristet_bis", "befristung_bis", "date_de_fin_de_contrat",
                     "fin_de_contrat", "fecha_fin_contrato", "fecha_de_fin_de_contrato", "fecha_fin_de_contrato",
                     "einddatum_contract", "einde_contract"),
    # The day someone starts (BambooHR's and Workday's "Hire Date", HiBob's and Rippling's "Start date", Personio's
    # "Hire date"/"Eintrittsdatum"): one still to come is kept, and they are here from it on; a day that has passed
    # is read as started long ago.
    STARTED_ON: ("start_date", "hire_date", "date_of_hire", "hired_on", "employment_start_date", "date_of_joining",
                 "joining_date", "first_day", "first_working_day", "eintrittsdatum", "eintritt", "startdatum",
                 "date_d'entree", "date_d'embauche", "date_de_debut", "fecha_de_alta", "fecha_de_ingreso",
                 "fecha_alta", "datum_in_dienst", "datum_indiensttreding", "indiensttreding"),
    # Someone's last working day: they are here on it, and left the day after.
    "last_day": ("last_day_of_work", "last_working_day", "letzter_arbeitstag", "dernier_jour",
                 "dernier_jour_travaille", "dernier_jour_de_travail", "ultimo_dia", "ultimo_dia_de_trabajo",
                 "ultimo_dia_laborable", "laatste_werkdag"),
    # Whether someone still works here (Active / Terminated ...): see EMPLOYMENT_STATUSES.
    # A bare "Status" last: beside a named one ("Active Status") it is the one not read.
    "employment_status": ("employee_status", "worker_status", "active_status", "is_active", "active",
                          "active_flag", "currently_active", "active_employee", "employment_state",
                          "lifecycle_status",  # HiBob
                          "beschaftigungsstatus", "mitarbeiterstatus", "statut", "statut_du_salarie",
                          "situation", "estado", "estado_del_empleado", "situacion_laboral",
                          "dienstverband_status", "status_dienstverband", "status_medewerker", "status"),
}



# Status columns that hold something else in some exports ("Status: Pending approval"): read as the employment status
# only when one of their values is one (then every value must be), else left out with a note.
GENERIC_STATUS_COLUMNS = ("status", "statut", "estado", "situation")

# Employment-status columns whose header says they are an active flag (Workday's "Active Status" holds Yes or No):
# besides the statuses, a yes is here and a no has left. A column named otherwise ("Status", "Employee Status") is
# not read so: its Yes/No may answer another question ("Status: Approved?").
ACTIVE_FLAG_COLUMNS = ("active_status", "is_active", "active", "active_flag", "currently_active", "active_employee")

# Rippling writes a worker's employment as "Start date" and "End date" (its Worker object's startDate and endDate;
# a contract's end is its own "Contract end date"): an "End date" beside a "Start date" is the day the employment
# ends, the leaving day, where alone it is an end of contract (SAP's and Workday's record validity).
EMPLOYMENT_END, EMPLOYMENT_START = "end_date", "start_date"


def end_of_employment(keys: dict[str, str], header_keys: Iterable[str]) -> bool:
    """Whether a roster file (``keys``: column -> the header key it is read from; ``header_keys``: all its header's
    keys) has an ``End date`` beside a ``Start date`` and no leaving-date column: the leaving day
    (:data:`EMPLOYMENT_END`), also beside Rippling's own "Contract end date" (found: 'End date' left unread as
    another name for contract_end)."""
    return EMPLOYMENT_END in header_keys and keys.get(STARTED_ON) == EMPLOYMENT_START and LEFT_ON not in keys

# A roster with first and last name in two columns (and no name column) gets "First Last".
NAME_PARTS = ("first_name", "last_name")

ROSTER_COLUMNS = ColumnSpec("roster", (EMPLOYEE_ID, "name", COACH_ID, DEPARTMENT, "role"),
                            (CADENCE_MONTHS, "email", LEFT_ON, "last_day", "employment_status", "contract_end",
                             COACH_NAME, STARTED_ON),
                            ROSTER_ALIASES,
                            ignore_unknown=True)

TARGET_COLUMNS = {h: f"target_{h}m" for h in schema.HORIZONS}
# How a target's column is named in exports, for each horizon H in months ("Target 6 months", "6-Month Target",
# "Ziel 6 Monate", "Objectif à 6 mois", "Objetivo a 6 meses", "Doel 6 maanden"), as column_key folds them.
_TARGET_NAMES = ("target_{h}_months", "target_{h}_month", "target_{h}_mo", "target_({h}_months)", "target_({h}m)",
                 "{h}_month_target", "{h}_months_target", "{h}m_target", "goal_{h}m", "goal_{h}_months",
                 "{h}_month_goal", "ziel_{h}_monate", "ziel_{h}m", "zielwert_{h}_monate", "ziel_in_{h}_monaten",
                 "objectif_{h}_mois", "objectif_a_{h}_mois", "objetivo_{h}_meses", "objetivo_a_{h}_meses",
                 "doel_{h}_maanden", "doel_na_{h}_maanden")
# How HR and appraisal systems (SAP SuccessFactors, Workday, Personio, spreadsheets kept by hand) name a rating
# history's columns, in English, then German, French, Spanish and Dutch, as column_key folds them. The employee id
# and the coach id are named as in a roster; a column that may hold the manager's name (MANAGER_COLUMNS: "Manager",
# "Vorgesetzter", "Responsable") is read as the coach of each conversation when each of its values is an employee id
# on the roster, as a roster's is, and else left out with a note: the coach is optional in a history (the roster's
# coach is taken), so a column of names is no reason to refuse the file.
HISTORY_ALIASES = {
    EMPLOYEE_ID: ROSTER_ALIASES[EMPLOYEE_ID],
    DATE: ("rating_date", "review_date", "assessment_date", "evaluation_date", "appraisal_date",
           "conversation_date", "meeting_date", "date_of_review", "date_of_assessment", "date_rated",
           "datum", "bewertungsdatum", "beurteilungsdatum", "gesprachsdatum",
           "date_d'evaluation", "date_de_l'evaluation", "date_de_l'entretien", "date_entretien",
           "fecha", "fecha_de_evaluacion", "fecha_evaluacion", "beoordelingsdatum", "gespreksdatum"),
    SKILL: ("competency", "competence", "skill_name", "competency_name", "skill_area",
            "kompetenz", "fahigkeit", "fertigkeit", "competence_cle", "competencia", "habilidad",
            "competentie", "vaardigheid"),
    "rating": ("score", "self_rating", "self_assessment", "self_score", "rating_value", "current_rating",
               "proficiency", "proficiency_level", "skill_level",
               "bewertung", "einstufung", "selbsteinschatzung", "note", "auto_evaluation", "autoevaluation",
               "puntuacion", "valoracion", "calificacion", "autoevaluacion", "beoordeling", "zelfbeoordeling"),
    COACH_RATING: ("manager_rating", "supervisor_rating", "manager_score", "coach_score", "manager_assessment",
                   "bewertung_fuhrungskraft", "fremdeinschatzung", "note_manager", "note_du_manager",
                   "evaluation_manager", "valoracion_del_responsable", "puntuacion_del_responsable",
                   "beoordeling_leidinggevende", "score_leidinggevende"),
    **{column: tuple(name.format(h=h) for name in _TARGET_NAMES) for h, column in TARGET_COLUMNS.items()},
    COACH_ID: ROSTER_ALIASES[COACH_ID],
    # The employee's name, read only to tell that an id written otherwise (7 for E0007) is theirs, never stored.
    **{column: ROSTER_ALIASES[column] for column in ("name", *NAME_PARTS)},
}
HISTORY_COLUMNS = ColumnSpec("history", (EMPLOYEE_ID, DATE, SKILL, "rating"),
                             (COACH_RATING, *TARGET_COLUMNS.values(), COACH_ID, "name"), HISTORY_ALIASES,
                             not_read=(*MANAGER_COLUMNS, *MANAGER_NAME_COLUMNS))


def says_no_manager(value: Any) -> bool:
    """Whether a coach cell says there is no manager (``NO_MANAGER``, ``NO_MGR``: :data:`NO_MANAGER`)."""
    return isinstance(value, str) and column_key(value) in NO_MANAGER
