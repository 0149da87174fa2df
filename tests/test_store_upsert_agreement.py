"""``Store.upsert_employees`` works on whole columns; it must do exactly what adding the rows one by one does
(the rule as it was first written, kept here as the reference): the same counts, the same roster file, the same
refusal of an id that differs only in case from one on the roster."""

from __future__ import annotations

import random

import pandas as pd
import pytest

from careerconv.records import schema
from careerconv.records.schema import COACH_ID, EMPLOYEE_ID
from careerconv.records.store import Store


def reference_upsert(store: Store, incoming: pd.DataFrame) -> tuple[int, int, int] | list[tuple[int, str]]:
    """One row after another: the counts, or the (row, message) of each id that clashes in case."""
    def norm(v):
        return None if v is None or (not isinstance(v, str) and pd.isna(v)) or v == "" else str(v)

    incoming = schema.validate_roster_frame(incoming, "test")
    merged = {r[EMPLOYEE_ID]: r for r in store.roster().to_dict("records")}
    folded = {k.casefold(): k for k in merged}
    added = updated = unchanged = 0
    problems = []
    for pos, row in enumerate(incoming.to_dict("records")):
        eid = row[EMPLOYEE_ID]
        existing_key = folded.get(eid.casefold())
        if existing_key is not None and existing_key != eid:
            problems.append((pos + 2, f"differs only in case from the existing employee {existing_key!r}"))
            continue
        if eid not in merged:
            added += 1
        elif all(norm(merged[eid].get(k)) == norm(row.get(k)) for k in schema.ROSTER.names):
            unchanged += 1
        else:
            updated += 1
        merged[eid] = row
        folded[eid.casefold()] = eid
    if problems:
        return problems
    if added or updated:
        store._write_roster(schema.coerce_frame(pd.DataFrame(list(merged.values()), columns=schema.ROSTER.names),
                                                schema.ROSTER))
    return added, updated, unchanged


def person(rnd: random.Random, eid: str, ids: list[str]) -> dict:
    return {EMPLOYEE_ID: eid, "name": rnd.choice(["Ana Silva", "Li Wei", "Ola Nordmann", "Zoë Ünal"]),
            COACH_ID: rnd.choice(["", *ids[:5]]), "department": rnd.choice(["Sales", "Engineering", "HR"]),
            "role": rnd.choice(["", "Engineer", "Lead"]), "cadence_months": rnd.choice(["6", "12"]),
            "email": rnd.choice(["", "a@example.org"])}


@pytest.mark.parametrize("seed", range(30))
def test_upsert_on_whole_columns_does_what_one_row_after_another_does(tmp_path, seed):
    rnd = random.Random(seed)
    ids = [f"E{n:03d}" for n in range(rnd.randint(0, 40))]
    roster = [person(rnd, eid, ids) for eid in ids]
    incoming_ids = rnd.sample(ids, k=rnd.randint(0, len(ids))) + [f"N{n:03d}" for n in range(rnd.randint(0, 10))]
    rnd.shuffle(incoming_ids)
    incoming = []
    for eid in incoming_ids:
        old = next((r for r in roster if r[EMPLOYEE_ID] == eid), None)
        incoming.append(dict(old) if old and rnd.random() < 0.5 else person(rnd, eid, ids))
    others = [eid for eid in ids if eid not in incoming_ids]
    if others and rnd.random() < 0.3:  # an id that differs only in case from one on the roster (not in the file)
        incoming.insert(rnd.randint(0, len(incoming)), person(rnd, rnd.choice(others).lower(), ids))
    new, old = Store(tmp_path / "new"), Store(tmp_path / "old")
    for store in (new, old):
        store.root.mkdir(parents=True)
        if roster:
            store._write_roster(schema.coerce_frame(pd.DataFrame(roster, columns=schema.ROSTER.names),
                                                    schema.ROSTER))
    frame = pd.DataFrame(incoming, columns=schema.ROSTER.names)
    expected = reference_upsert(old, frame)
    if isinstance(expected, list):
        with pytest.raises(schema.ValidationError) as refused:
            new.upsert_employees(frame, source="test")
        assert [(p.row, p.message) for p in refused.value.problems] == expected
    else:
        assert new.upsert_employees(frame, source="test") == expected
    files = [store.roster_path.read_bytes() if store.roster_path.exists() else None for store in (new, old)]
    assert files[0] == files[1]
