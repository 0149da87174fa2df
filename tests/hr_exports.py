"""Roster files shaped like HR systems' exports, for the tests (``from hr_exports import workday_csv``).

The organisation (the same in every file): Grace Hopper (W100) runs it and
has no manager; Margaret Hamilton (W101, engineering) and Mary Jackson (W102,
sales) report to her and are coached by her; six engineers report to W101
and five sales people to W102; Hedy Lamarr (W130) is coached by an external
coach, X-COACH-7, who is not on the roster. The exports carry the columns HR
systems add (location, hire date, manager's name, status …), names with
accents and commas, and the files are written the way Windows Excel saves
them (UTF-8 with BOM, CRLF line ends).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl

TOP = "W100"
EXTERNAL_COACH = "X-COACH-7"
EXTERNALLY_COACHED = "W130"

# employee id, first name, last name, manager id, department, job title
PEOPLE = (
    (TOP, "Grace", "Hopper", "", "Executive", "Chief Executive Officer"),
    ("W101", "Margaret", "Hamilton", TOP, "Engineering", "VP Engineering"),
    ("W102", "Mary", "Jackson", TOP, "Sales", "VP Sales"),
    ("W110", "Ada", "Lovelace", "W101", "Engineering", "Software Engineer"),
    ("W111", "Alan", "Turing", "W101", "Engineering", "Software Engineer"),
    ("W112", "Katherine", "Johnson", "W101", "Engineering", "Data Scientist"),
    ("W113", "Edsger", "Dijkstra", "W101", "Engineering", "Staff Engineer"),
    ("W114", "Barbara", "Liskov", "W101", "Engineering", "Software Engineer"),
    ("W115", "Chloé", "Núñez, Jr.", "W101", "Engineering", "QA Engineer"),
    ("W120", "Dorothy", "Vaughan", "W102", "Sales", "Account Executive"),
    ("W121", "Annie", "Easley", "W102", "Sales", "Account Executive"),
    ("W122", "Evelyn", "Boyd", "W102", "Sales", "Sales Engineer"),
    ("W123", "Joan", "Clarke", "W102", "Sales", "Account Manager"),
    ("W124", "Radia", "Perlman", "W102", "Sales", "Account Manager"),
    (EXTERNALLY_COACHED, "Hedy", "Lamarr", EXTERNAL_COACH, "Engineering", "Principal Engineer"),
)
NAMES = {eid: f"{first} {last}" for eid, first, last, *_ in PEOPLE}


def _csv_cell(value: str) -> str:
    return f'"{value}"' if any(ch in value for ch in ',"\n') else value


def workday_csv(path: Path) -> Path:
    """A Workday-style worker report: Employee ID, Preferred Name, Manager ID, Supervisory Organization, …"""
    header = ["Employee ID", "Legal Name", "Preferred Name", "Manager ID", "Manager", "Supervisory Organization",
              "Business Title", "Email - Work", "Location", "Hire Date", "Worker Type", "Cost Center"]
    lines = [",".join(header)]
    for i, (eid, first, last, manager, department, title) in enumerate(PEOPLE):
        name = f"{first} {last}"
        lines.append(",".join(_csv_cell(v) for v in (
            eid, name, name, manager, NAMES.get(manager, "External coach" if manager else ""), department, title,
            f"{first.lower()}.{eid.lower()}@example.org", "Berlin" if i % 2 else "London",
            f"20{10 + i % 10}-0{1 + i % 9}-15", "Employee", f"CC-{100 + i}")))
    path.write_bytes(("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8"))
    return path


def bamboohr_xlsx(path: Path) -> Path:
    """A BambooHR-style custom report saved as .xlsx: Employee # (numbers kept as text), First/Last Name,
    Supervisor EID, Reports To (a name), Job Title, Department, Division, Hire Date (date cells) …"""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Employees"
    sheet.append(["Employee #", "First Name", "Last Name", "Job Title", "Department", "Division", "Reports To",
                  "Supervisor EID", "Work Email", "Hire Date", "Status", "Employment Status"])
    for i, (eid, first, last, manager, department, title) in enumerate(PEOPLE):
        sheet.append([eid, first, last, title, department, "Europe", NAMES.get(manager, manager or None),
                      manager or None, f"{first.lower()}@example.org", dt.datetime(2015 + i % 8, 1 + i % 12, 1),
                      "Active", "Full-Time"])
    book.save(path)
    return path
