"""What a report batch's ``--shard I/N`` and ``--dask ADDRESS`` name: which part of the roster it makes, and the Dask
cluster it runs on.

The command line reads both options as it parses (their argparse types), before anything runs: this module is the
standard library only, so that ``careerconv report --all --dask local:2`` or ``--shard 3/8`` is read without importing
the report code (pandas, matplotlib, papermill, Dask: 1 to 6 s), which the command imports once it runs, and a bad
value is answered at once (found: a bad ``--dask`` value took 4 to 8 s to be refused on a busy 2-core machine, and
that was the whole window of a stop "while the command line is read"). The report batch (``careerconv.surfaces.report``:
``shards``, ``runner``, ``dask_executor``) takes its :class:`Shard` and :class:`DaskTarget` from here.

Which shard an employee belongs to
----------------------------------
Decided by the employee id alone, with *jump consistent hashing* (Lamping and Veach, 2014) of a 64-bit BLAKE2b digest
of the id:

* **stable**: the same id lands in the same shard on every machine, Python version and run (Python's own ``hash()``
  is salted per process, so it cannot be used);
* **adding or removing people moves nobody else**: an employee's shard depends on their id and ``N`` only, never on
  who else is on the roster;
* **changing N moves few**: going from ``N`` to ``N + 1`` shards moves only the ``1/(N + 1)`` of people who go to the
  new shard, where ``hash mod N`` would move almost everyone. That matters when a shard keeps state of its own between
  runs (a node-local cache or reports folder): incremental skipping keeps working for everyone who stays put;
* **balanced** like a uniform hash, and cheap: ``O(log N)`` steps per id (rendezvous hashing, which shares these
  properties, costs ``O(N)`` hashes per id, i.e. 20 million for 200,000 people on 100 shards).

The shards of one ``N`` are disjoint and together hold everyone: the hash gives each id exactly one shard.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

__all__ = ["MAX_LOCAL_WORKERS", "MAX_SHARDS", "DaskTarget", "Shard", "parse_dask_target", "parse_shard", "shard_of"]

MAX_SHARDS = 100_000
MAX_LOCAL_WORKERS = 256
_SHARD_TEXT = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")
_MULTIPLIER = 2862933555777941757  # the 64-bit linear congruential step of jump consistent hashing
_MASK = (1 << 64) - 1
_LOCAL = re.compile(r"^local:(\d+)$")
_ADDRESS = re.compile(r"^(?:(?:tcp|tls|ucx|ws|wss)://)?[A-Za-z0-9.\-_\[\]:]+:\d+$")

T = TypeVar("T")


@dataclass(frozen=True)
class Shard:
    """Shard ``index`` of ``count`` (``1 <= index <= count``; numbered from 1)."""

    index: int
    count: int

    def __post_init__(self) -> None:
        for name in ("index", "count"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValueError(f"shard {name} must be a whole number, got {value!r}")
        if not 1 <= self.count <= MAX_SHARDS:
            raise ValueError(f"the number of shards must be from 1 to {MAX_SHARDS}, got {self.count}")
        if not 1 <= self.index <= self.count:
            raise ValueError(f"shard {self.index} of {self.count} does not exist: shards are numbered from 1 to "
                             f"{self.count} (the first is 1/{self.count}, the last {self.count}/{self.count})")

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"

    def holds(self, employee_id: str) -> bool:
        """Whether ``employee_id`` belongs to this shard."""
        return shard_of(employee_id, self.count) == self.index

    def select(self, employee_ids: Sequence[T]) -> list[T]:
        """The ids of ``employee_ids`` that belong to this shard, in their order."""
        return [eid for eid in employee_ids if self.holds(str(eid))]


def parse_shard(text: str) -> Shard:
    """Read ``I/N`` (shard ``I`` of ``N``, numbered from 1), e.g. ``1/4`` … ``4/4``.

    Raises
    ------
    ValueError
        If it is not two whole numbers ``I/N`` with ``1 <= I <= N``; the
        message quotes the text and says what is allowed.
    """
    match = _SHARD_TEXT.match(str(text))
    if not match:
        raise ValueError(f"{text!r} is not a shard: write I/N, shard I of N, numbered from 1 "
                         "(e.g. 1/4, 2/4, 3/4 and 4/4 for four shards)")
    try:
        return Shard(int(match.group(1)), int(match.group(2)))
    except ValueError as exc:
        raise ValueError(f"{text!r}: {exc}") from None


def _key(employee_id: str) -> int:
    return int.from_bytes(hashlib.blake2b(employee_id.encode("utf-8"), digest_size=8).digest(), "big")


def shard_of(employee_id: str, count: int) -> int:
    """The shard (from 1 to ``count``) that ``employee_id`` belongs to.

    Jump consistent hashing of a BLAKE2b digest of the id (see the module's
    docstring for why).

    Raises
    ------
    ValueError
        If ``count`` is not a whole number from 1 to ``MAX_SHARDS``.
    """
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_SHARDS:
        raise ValueError(f"the number of shards must be a whole number from 1 to {MAX_SHARDS}, got {count!r}")
    key = _key(employee_id)
    bucket, jump = -1, 0
    while jump < count:
        bucket = jump
        key = (key * _MULTIPLIER + 1) & _MASK
        jump = int((bucket + 1) * ((1 << 31) / ((key >> 33) + 1)))
    return bucket + 1


@dataclass(frozen=True)
class DaskTarget:
    """Where the batch runs: a local cluster of ``local_workers`` processes, or the scheduler at ``address``."""

    address: str | None = None
    local_workers: int | None = None

    def __str__(self) -> str:
        return f"local:{self.local_workers}" if self.local_workers else str(self.address)


def parse_dask_target(text: str) -> DaskTarget:
    """Read ``--dask``: ``local:N`` (N worker processes here) or a scheduler address (``tcp://host:8786``).

    Raises
    ------
    ValueError
        If it is neither; the message quotes the text and says what is allowed.
    """
    text = str(text).strip()
    local = _LOCAL.match(text)
    if local:
        n = int(local.group(1))
        if not 1 <= n <= MAX_LOCAL_WORKERS:
            raise ValueError(f"{text!r}: a local cluster has from 1 to {MAX_LOCAL_WORKERS} worker processes")
        return DaskTarget(local_workers=n)
    if _ADDRESS.match(text):
        return DaskTarget(address=text)
    raise ValueError(f"{text!r} is not a Dask cluster: give local:N to start N worker processes on this machine "
                     "(e.g. local:2), or the address of a running scheduler (e.g. tcp://10.0.0.5:8786 or "
                     "tls://scheduler.example.org:8786)")
