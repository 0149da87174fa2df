"""Where the app's data comes from: the data folder it works on (or the records service), and the skill names the
organisation uses."""

from __future__ import annotations

import os
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Mapping

from careerconv.records import config
from careerconv.records import schema
from careerconv.records.questions import QUESTION_SETS_FOLDER
from careerconv.records.schema import COACH_ID, SKILL
from careerconv.records.store import Store

if TYPE_CHECKING:
    from ..service.client import ServiceStore


def resolve_data_dir(data_dir: str | os.PathLike | None = None) -> Path:
    """The data folder the app works on.

    Parameters
    ----------
    data_dir
        An explicit folder (the notebook's ``data_dir`` parameter). Empty or
        None means: ``$CAREERCONV_DATA`` (set by ``careerconv app``), else the
        bundled sample organisation (``careerconv/demo/sample``).

    Returns
    -------
    Path
        Absolute path (it may not exist; the app then says so).
    """
    return config.data_dir(data_dir, fallback=config.SAMPLE_DATA_DIR)


def open_store(data_dir: Path) -> Store | ServiceStore:
    """The store the app reads and writes through.

    Under JupyterHub (``$CAREERCONV_SERVICE_URL`` set by the hub's spawner,
    with the server's ``$JUPYTERHUB_API_TOKEN``) it is the records service,
    which lets a coach see only their own people; otherwise the data folder
    ``data_dir`` itself, exactly as a single-user ``careerconv app``.

    Under the service, ``data_dir`` is the coach's server's own folder (the
    spawner's ``$CAREERCONV_DATA``): it never holds a record, only a copy of
    the organisation's question sets, refreshed here from the service, so
    the app offers the same question sets as on the service's data folder.

    Raises
    ------
    ValueError
        If ``$CAREERCONV_SERVICE_URL`` is set but is not an http(s) URL, or no hub token is set, or
        ``data_dir`` is a data folder with records (the service's copy of the question sets never goes
        into one).
    """
    if not os.environ.get(config.SERVICE_URL_ENV, "").strip():
        return Store(data_dir)
    from ..service.client import ServiceStore  # only under the hub: the HTTP client's imports cost the start
    service = ServiceStore.from_environment()
    data_dir = Path(data_dir)
    if (data_dir / "roster.csv").exists():
        raise ValueError(f"{data_dir} is a data folder with a roster, but the app is set to use the records service "
                         f"at {service.url} ($CAREERCONV_SERVICE_URL): under the hub the app's own folder holds "
                         "no records; set $CAREERCONV_DATA to an empty folder, or unset $CAREERCONV_SERVICE_URL")
    service.copy_question_sets(data_dir / QUESTION_SETS_FOLDER)
    return service


ON_THE_SERVER = "Records on the careerconv server"  # the header under the hub: the coach's folder holds none


def where_records_are(store: Store | ServiceStore, data_dir: Path) -> tuple[str, str]:
    """Where the app's records are, as its header says it: ``(text, tooltip)``.

    The local app names its data folder (the coach chose it, and finds its files there). Under the hub the records
    are the records service's; the server's own folder (``data_dir``, a copy of the question sets) means nothing to
    a coach, so the header says :data:`ON_THE_SERVER`.
    """
    if isinstance(store, Store):
        return str(data_dir), "data folder"
    return ON_THE_SERVER, "The records service keeps the records; you see those of the people you coach"


def under_the_hub(store: Store | ServiceStore) -> bool:
    """Whether the app's records are the records service's (the hub's coach's app), not a local data folder's."""
    return not isinstance(store, Store)


# Under the hub, to a coach whose login matches no coach on the roster any more (an import moved their whole team)
COACH_OF_NOBODY = ("You coach nobody on the roster now: a roster import gave your people to other coaches. If that "
                   "is a mistake, ask HR or the operator who imports the roster.")


def no_people_html(store: Store | ServiceStore, data_dir: Path) -> str:
    """What the start screen says when the app's roster holds nobody, as HTML: the local app names its data folder
    and how to fill it; under the hub the coach can neither see the server's folder nor run commands there, and
    the roster they read holds only their own people, so :data:`COACH_OF_NOBODY`."""
    if not under_the_hub(store):
        return (f"No employees in <code>{escape(str(data_dir))}</code>. Create a demo organisation with "
                "<code>careerconv demo</code> or import your roster with <code>careerconv import roster FILE</code>, "
                "then reload.")
    return escape(COACH_OF_NOBODY)


def not_among_people(store: Store | ServiceStore, data_dir: Path, employee_id: str) -> str:
    """Why ``employee_id`` cannot be opened: the local app reads the whole roster of its data folder; under the
    hub a coach reads only their own team's rows, and may not learn whose team anyone else is in."""
    if not under_the_hub(store):
        return f"employee {employee_id!r} is not on the roster of {data_dir}"
    return f"{employee_id} is not in your team"


def not_among_coaches(store: Store | ServiceStore, coach_id: str) -> str:
    """Why the team of ``coach_id`` cannot be opened: on a local roster they coach nobody; under the hub a coach
    sees only their own team (the others are not on the roster they read)."""
    if not under_the_hub(store):
        return f"the page address names coach {coach_id!r}, who coaches nobody on the roster"
    return f"the page address names coach {coach_id!r}: you can open only your own team"


def signed_in_coach(store: Store | ServiceStore) -> str | None:
    """The coach signed in, when the store knows: under the hub, the records service says whose token the app
    holds (a coach's login is their roster id) and their name, which :func:`names_of_other_coaches` then holds; a
    local data folder is anyone's (None)."""
    whoami = getattr(store, "whoami", None)
    return whoami().get(COACH_ID) if whoami is not None else None


def names_of_other_coaches(store: Store | ServiceStore) -> Mapping[str, str]:
    """``coach id -> name`` of coaches who are on the roster but not among the rows the app reads: under the hub,
    the coach signed in (:func:`signed_in_coach` asks the service) and the coaches who wrote the records read so far
    (a coach reads only their own people's rows; the mapping grows as records are read); a local data folder's
    roster holds everyone (empty)."""
    return getattr(store, "coach_names", {})


def days_of_other_coaches(store: Store | ServiceStore) -> Mapping[str, Mapping[str, str | None]]:
    """``coach id -> {"started_on", "left_on"}`` of coaches who are on the roster but not among the rows the app
    reads: under the hub, the coach signed in (:func:`signed_in_coach` asks the service), so the app marks them and
    offers nothing new when they have not started yet or have left; a local data folder's roster holds everyone
    (empty)."""
    return getattr(store, "coach_days", {})


_SKILL_CACHE: dict[tuple[str, int], list[str]] = {}


def organisation_skill_names(store: Store | ServiceStore, *, refresh: bool = False) -> list[str]:
    """The distinct skill names the organisation already uses, sorted.

    Parameters
    ----------
    store
        The data folder.
    refresh
        Bring the derived tables up to date first. The app does not: it never
        writes the analytics cache (a refresh of a large organisation is heavy
        work for a live kernel, and the bundled sample must stay as committed);
        it suggests what the cache holds plus the employee's own history.

    Returns
    -------
    list of str
        One spelling per skill (case and spacing ignored), the most used first
        spelling wins; cached per data folder until the derived tables change.
        From the records service: the names at least the minimum group size
        of people use (a coach does not learn other people's rarer skills).
    """
    if not isinstance(store, Store):  # the records service
        return store.skill_names()
    if refresh:
        store.refresh()
    if not store.derived_dir.is_dir():
        return []
    manifest = store.manifest_path
    stamp = manifest.stat().st_mtime_ns if manifest.exists() else 0
    key = (str(store.root), stamp)
    if key not in _SKILL_CACHE:
        frame = store.read_table("skills", columns=[SKILL], refresh=False)
        names = frame[SKILL].dropna().astype(str)
        names = names[names.str.strip() != ""]
        counts = names.value_counts()
        by_key: dict[str, str] = {}
        for name in counts.index:  # most used spelling first
            by_key.setdefault(schema.skill_key(name), " ".join(name.split()))
        _SKILL_CACHE.clear()
        _SKILL_CACHE[key] = sorted(by_key.values(), key=str.casefold)
    return list(_SKILL_CACHE[key])
