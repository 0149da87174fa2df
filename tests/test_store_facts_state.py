"""The HR page's state of the data (``Store.facts_state``) at the scale of a large organisation.

The hub's HR page asks for the state on every view (after a refresh) and renders the page again only for a new
one. It was a fingerprint of the whole manifest but the record folders' times, counted again on every view: the
manifest read a second time, and every employee's facts digest serialised, for 500,000 people about 2 s a view
(``benchmarks/bench_facts_state.py``). The manifest now keeps a running sum of its employees' facts, updated by
the refresh that writes them, and a store that has just read or written the manifest knows its state without
reading it again. What the state promises stays: a completed record, an erasure or a file left out gives another
state; a draft's autosave does not.
"""

from __future__ import annotations

import json
from pathlib import Path

from careerconv.records.erasure import erase_employee
from careerconv.records.store import FACTS_SUM, Store, facts_sum
from orgs import conversation


def _completed(eid: str, date: str, skill: str) -> dict:
    """A whole career conversation of ``eid`` on ``date`` about ``skill``, completed."""
    return conversation(eid, date, skills=[(skill, 3, (4, 5, 6))], items=[("a1", f"Practise {skill}", "2026-12-01")],
                        next_due="2027-03-20")


def _hr_view_state(store: Store) -> str:
    """What the HR page checks on a view (``RecordsService.data_state``): the tables brought up to date, then
    their state."""
    store.refresh()
    return store.facts_state()


def _counted_manifest_reads(monkeypatch) -> list[Path]:
    """The manifests the stores read from now on, one entry a read."""
    reads: list[Path] = []
    load = Store._load_manifest

    def counting(store: Store) -> dict:
        reads.append(store.manifest_path)
        return load(store)

    monkeypatch.setattr(Store, "_load_manifest", counting)
    return reads


def _manifest(store: Store) -> dict:
    return json.loads(store.manifest_path.read_text(encoding="utf-8"))


def _sum_counted_afresh(store: Store) -> str:
    """The facts sum of the manifest on disk counted from its employees' entries, not taken from the sum kept."""
    manifest = _manifest(store)
    manifest.pop(FACTS_SUM)
    return facts_sum(manifest)


def test_an_hr_views_state_reads_the_manifest_once_and_sees_a_write_by_another_store(small_org, monkeypatch):
    hub, coach = Store(small_org), Store(small_org)
    before = _hr_view_state(hub)
    reads = _counted_manifest_reads(monkeypatch)
    assert _hr_view_state(hub) == before
    assert len(reads) == 1  # the refresh's; the state is the one of the manifest it read

    coach.save_conversation(_completed("E002", "2026-09-20", "Negotiation"))
    coach.refresh()  # another store (another process of the hub) writes the manifest
    reads.clear()
    assert hub.facts_state() != before  # the manifest is not the one the hub's store read last
    assert len(reads) == 1
    after = hub.facts_state()
    assert len(reads) == 1 and Store(small_org).facts_state() == after


def test_the_kept_sum_follows_each_change_and_the_state_changes_as_it_promises(small_org, tmp_path):
    store = Store(small_org)
    states = [_hr_view_state(store)]
    assert _manifest(store)[FACTS_SUM] == _sum_counted_afresh(store)

    draft = store.save_conversation(conversation("E002", "2026-09-20", status="draft",
                                                 skills=[("Negotiation", 3, (4, 5, 6))]))
    draft = store.save_conversation({**draft, "dreams": [{"rank": 1, "text": "lead a team"}]})  # autosaved
    assert _hr_view_state(store) == states[-1]  # no HR figure counts a draft

    store.save_conversation({**_completed("E002", "2026-09-20", "Negotiation"), "revision": draft["revision"]})
    states.append(_hr_view_state(store))
    store.save_conversation(_completed("E003", "2026-09-21", "Writing"))
    states.append(_hr_view_state(store))
    assert _manifest(store)[FACTS_SUM] == _sum_counted_afresh(store)

    ada = next((small_org / "conversations" / "E001").glob("*.json"))
    cut = ada.with_name(".sync-" + ada.name)
    cut.write_bytes(ada.read_bytes()[:100])
    cut.replace(ada)  # a copy cut short, as a sync tool leaves it: left out of the tables
    states.append(_hr_view_state(store))
    assert len(_manifest(store)["left_out"]) == 1 and _manifest(store)[FACTS_SUM] == _sum_counted_afresh(store)
    ada.unlink()
    states.append(_hr_view_state(store))

    erase_employee(store, tmp_path / "reports", "E003")
    states.append(_hr_view_state(store))
    assert "E003" not in _manifest(store)["facts"] and _manifest(store)[FACTS_SUM] == _sum_counted_afresh(store)

    assert len(set(states)) == len(states) == 6, states
    store.refresh(full=True)  # the tables rebuilt from the records: the same facts, the same state
    assert store.facts_state() == states[-1] and Store(small_org).facts_state() == states[-1]


def test_a_manifest_of_an_older_careerconv_gives_the_same_state_and_its_next_refresh_keeps_the_sum(small_org):
    store = Store(small_org)
    state = _hr_view_state(store)
    manifest = _manifest(store)
    kept = manifest.pop(FACTS_SUM)
    store.manifest_path.write_text(json.dumps(manifest), encoding="utf-8")  # as careerconv wrote it before

    assert Store(small_org).facts_state() == state
    assert _hr_view_state(Store(small_org)) == state
    assert _manifest(store)[FACTS_SUM] == kept


def test_a_manifest_that_is_not_an_object_is_taken_for_none_and_written_again(small_org):
    """A manifest.json holding JSON that is not an object (a list) reads as no manifest, as one that is not JSON
    does: the next refresh reads every record again and writes it whole (it raised AttributeError)."""
    store = Store(small_org)
    state = _hr_view_state(store)
    manifest = _manifest(store)
    store.manifest_path.write_text("[1, 2]", encoding="utf-8")

    assert _hr_view_state(Store(small_org)) == state
    assert _manifest(store) == manifest
