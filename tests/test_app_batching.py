"""Widgets built in one callback are sent once each, in their final state (careerconv/surfaces/app/batching.py)."""

from __future__ import annotations

import json

import comm
import ipywidgets as widgets
import pytest

from careerconv.surfaces.app import batching
from careerconv.surfaces.app.batching import batched
from careerconv.surfaces.app.widgets import show


@pytest.fixture
def sent(monkeypatch):
    """Every message the widgets send: (comm id, kind, data)."""
    messages: list[tuple[str, str, dict]] = []

    class Recording(comm.DummyComm):
        def publish_msg(self, msg_type, data=None, metadata=None, buffers=None, **keys):
            messages.append((self.comm_id, msg_type, json.loads(json.dumps(data, default=str))))

    monkeypatch.setattr(comm, "create_comm", lambda *a, **k: Recording(*a, **k))
    # Shared layouts and styles sent by earlier tests live in other (dummy) comms: start from none, as a new
    # kernel does.
    monkeypatch.setattr(batching, "_SHARED", {})
    return messages


def test_a_tree_built_in_a_batch_is_one_message_per_widget_with_its_final_state(sent):
    with batched():
        rows = [widgets.HBox([widgets.HTML(f"row {i}"), widgets.Button(description="Go")]) for i in range(5)]
        for row in rows:
            row.add_class("cc-row")
            row.children[1].description = "Open"
        box = widgets.VBox(rows)
    opens = [m for m in sent if m[1] == "comm_open"]
    assert not [m for m in sent if m[1] != "comm_open"], "no update before or after the opening messages"
    assert len({m[0] for m in opens}) == len(opens)
    # 16 widgets; equal layouts and styles are one model each, not one per widget
    assert len(opens) < 16 + 16 + 10
    states = {m[0]: m[2]["state"] for m in opens}
    assert states[box.model_id]["children"] == [f"IPY_MODEL_{r.model_id}" for r in rows]
    assert all(states[r.model_id]["_dom_classes"] == ["cc-row"] for r in rows)
    assert all(states[r.children[1].model_id]["description"] == "Open" for r in rows)
    # every model a state names was opened before it
    order = [m[0] for m in opens]
    for i, (_cid, _kind, data) in enumerate(opens):
        for value in json.dumps(data["state"]).split('"'):
            if value.startswith("IPY_MODEL_"):
                assert value[len("IPY_MODEL_"):] in order[:i]


def test_hiding_one_widget_of_a_shared_layout_hides_only_that_one(sent):
    with batched():
        a, b = widgets.Button(description="a"), widgets.Button(description="b")
    assert a.layout is b.layout
    show(a, False)
    assert a.layout.display == "none" and b.layout.display is None


def test_changes_to_widgets_already_shown_are_sent_once_at_the_end_and_focus_after_them(sent):
    text = widgets.Text()
    sent.clear()
    with batched():
        for i in range(10):
            text.value = f"typed {i}"
        text.focus()
        assert not sent, "nothing leaves before the block ends"
        new = widgets.Textarea(value="x")
        new.focus()
    kinds = [(cid, kind, data.get("method")) for cid, kind, data in sent]
    assert [k for k in kinds if k[0] == text.model_id] == [(text.model_id, "comm_msg", "update"),
                                                            (text.model_id, "comm_msg", "custom")]
    assert [m for m in sent if m[0] == text.model_id][0][2]["state"] == {"value": "typed 9"}
    assert [k for k in kinds if k[0] == new.model_id] == [(new.model_id, "comm_open", None),
                                                          (new.model_id, "comm_msg", "custom")]


def test_a_failing_callback_still_sends_what_it_built(sent):
    with pytest.raises(RuntimeError):
        with batched():
            w = widgets.HTML("half")
            raise RuntimeError("boom")
    assert w.comm is not None and any(m[0] == w.model_id and m[1] == "comm_open" for m in sent)
