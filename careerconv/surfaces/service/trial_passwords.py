"""Sign-in for the hub trial (``careerconv hub``): every login has a password of its own.

JupyterHub's own trial authenticators do not keep users apart: ``dummy`` takes any password and
``shared-password`` one password for everyone, so a coach who knows it signs in as another coach, as HR,
or (once the operators are not the hub's admins) as the operator. Here ``careerconv hub`` makes up one
random password per login that has none yet, prints it, and writes only its salted hash, with the day it was made,
to a file in the hub's state folder (mode 0600): a restart keeps every other login's password
(:func:`renew_password_file`). A coach a roster import makes while the hub runs gets one from the records service
(:func:`add_password`), shown once in the import's answer to the operator
(:mod:`careerconv.surfaces.service.hub_users`). :class:`TrialPasswordAuthenticator` checks a sign-in against that file.

An organisation signs in with its own authenticator (``CAREERCONV_HUB_AUTHENTICATOR``) instead.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
import secrets
from collections.abc import Collection
from pathlib import Path

from jupyterhub.auth import Authenticator
from traitlets import Unicode

from careerconv.records.store import atomic_write_bytes

LET_IN = "let_in"  # an entry's day the records service let its login in as a coach (add_password)
ITERATIONS = 200_000  # PBKDF2-SHA256 rounds; the passwords are random, this only slows a stolen file further


def hash_password(password: str, salt: bytes | None = None) -> str:
    """``pbkdf2_sha256$ROUNDS$SALT$DIGEST`` (hex) for ``password``, with a new random salt unless one is given."""
    salt = secrets.token_bytes(16) if salt is None else salt
    digest = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, ITERATIONS)
    return f"pbkdf2_sha256${ITERATIONS}${salt.hex()}${digest.hex()}"


def password_matches(password: str, stored: str) -> bool:
    """Whether ``password`` is the one ``stored`` (from :func:`hash_password`) was made from."""
    try:
        scheme, rounds, salt, digest = stored.split("$")
        if scheme != "pbkdf2_sha256":
            return False
        candidate = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), bytes.fromhex(salt), int(rounds))
    except ValueError:
        return False
    return hmac.compare_digest(candidate.hex(), digest)


def write_password_file(path: str | os.PathLike, passwords: dict[str, str], made: str = "") -> Path:
    """Write the hashes of ``passwords`` (login -> password), made on the day ``made`` (ISO, default today), to
    ``path`` (see :func:`_write_entries`) and return it."""
    made = made or dt.date.today().isoformat()
    return _write_entries(Path(path), {login: _entry(password, made) for login, password in passwords.items()})


def renew_password_file(path: str | os.PathLike, logins: Collection[str], renew: bool | Collection[str] = False,
                        made: str = "") -> tuple[dict[str, str], dict[str, str]]:
    """Give each of ``logins`` a password in the file at ``path``, keeping the one it has there.

    A login of ``logins`` without a hash in the file, or one ``renew`` names (``True``: every login), gets a new
    random password, made on the day ``made`` (ISO, default today); every other login of ``logins`` keeps its hash;
    a login the file holds that is not one of ``logins`` (off the roster, erased) loses its hash. The file is written
    whole (:func:`_write_entries`); the caller holds the data folder's roster lock. Returns the new passwords
    (login -> password) and the kept ones (login -> the day it was made, "" when the file does not say).

    Raises
    ------
    ValueError
        When the file is not a password file as careerconv writes it, or ``renew`` names a login not in ``logins``.
    """
    path, logins = Path(path), sorted(set(logins))
    unknown = sorted(set(renew) - set(logins)) if not isinstance(renew, bool) else []
    if unknown:
        raise ValueError(f"no hub login(s) {', '.join(unknown)} to give a new password; the hub's logins are "
                         f"{', '.join(logins) or 'none'}")
    old = read_password_file(path)
    renewed = set(logins) if renew is True else set(renew or ())
    kept = {login: old[login] for login in logins if login in old and login not in renewed}
    passwords = {login: _new_password() for login in logins if login not in kept}
    made = made or dt.date.today().isoformat()
    _write_entries(path, {**kept, **{login: _entry(password, made) for login, password in passwords.items()}})
    return passwords, {login: _made(entry) for login, entry in kept.items()}


def add_password(path: str | os.PathLike, login: str, made: str = "") -> str | None:
    """Give ``login``, whom the records service lets in as a coach after a roster import, a new random password in
    the file at ``path``, made on the day ``made`` (ISO, default today), when it has none there, and mark its entry
    as let in (:data:`LET_IN`: ``careerconv hub --groups FILE`` keeps it when FILE does not name it, see
    :func:`let_in_logins`); every other entry is kept. The file is written whole (:func:`_write_entries`); the
    caller holds the data folder's roster lock. Returns the new password, or None when ``login`` has one already.

    Raises
    ------
    ValueError
        When the file is not a password file as careerconv writes it.
    """
    entries = read_password_file(path)
    day = made or dt.date.today().isoformat()
    old = entries.get(login)
    password = None if old is not None else _new_password()
    entry = _entry(password, day) if password is not None else {"hash": _hash(old), "made": _made(old)}
    _write_entries(Path(path), {**entries, login: {**entry, LET_IN: day}})
    return password


def let_in_logins(path: str | os.PathLike) -> dict[str, str]:
    """The logins of the password file at ``path`` that the records service let in as coaches after a roster import
    (:func:`add_password`): login -> the day; none when there is no file.

    Raises
    ------
    ValueError
        As :func:`read_password_file`.
    """
    return {login: entry[LET_IN] for login, entry in read_password_file(path).items()
            if isinstance(entry, dict) and isinstance(entry.get(LET_IN), str)}


def read_password_file(path: str | os.PathLike) -> dict[str, object]:
    """The entries (login -> hash, or ``{"hash": ..., "made": DAY}``) of the password file at ``path``; none when
    there is no file.

    Raises
    ------
    ValueError
        When the file cannot be read or is not a password file as careerconv writes it (naming it).
    """
    try:
        entries = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise ValueError(f"{path}: cannot read the hub's password file ({exc})") from None
    if not isinstance(entries, dict) or not all(_hash(entry) for entry in entries.values()):
        raise ValueError(f"{path}: not the hub's password file as careerconv writes it (login -> "
                         "{\"hash\": ..., \"made\": day}); move it away to give every login a new password")
    return entries


def _new_password() -> str:
    return secrets.token_urlsafe(12)


def _entry(password: str, made: str) -> dict[str, str]:
    return {"hash": hash_password(password), "made": made}


def _hash(entry: object) -> str:
    """The hash of a password file's entry: ``{"hash": ..., "made": ...}``, or the bare hash an older careerconv
    wrote; "" for anything else."""
    found = entry.get("hash") if isinstance(entry, dict) else entry
    return found if isinstance(found, str) else ""


def _made(entry: object) -> str:
    made = entry.get("made") if isinstance(entry, dict) else None
    return made if isinstance(made, str) else ""


def _write_entries(path: Path, entries: dict[str, object]) -> Path:
    """Write ``entries`` to ``path`` (JSON, mode 0600, whole: a new file renamed over the old one, so a sign-in
    reads the old file or the new one)."""
    atomic_write_bytes(path, json.dumps(entries, indent=1).encode("utf-8"), mode=0o600)
    return path


class TrialPasswordAuthenticator(Authenticator):
    """Signs in a login whose password matches its own hash in :attr:`password_file`; nobody else."""

    password_file = Unicode("", config=True, help="JSON file of login -> password hash, day made (renew_password_file)")

    async def authenticate(self, handler, data):
        login = self.normalize_username(data.get("username") or "")
        password = data.get("password") or ""
        try:
            hashes = json.loads(Path(self.password_file).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self.log.error("careerconv trial sign-in: cannot read the password file %r", self.password_file)
            return None
        stored = _hash(hashes.get(login)) if isinstance(hashes, dict) else ""
        if not stored:
            password_matches(password, hash_password("", b"\0" * 16))  # as long as a wrong password takes
            return None
        return login if password_matches(password, stored) else None
