"""Sign-in for the hub trial (``careerconv hub``): every login has a password of its own.

JupyterHub's own trial authenticators do not keep users apart: ``dummy`` takes any password and
``shared-password`` one password for everyone, so a coach who knows it signs in as another coach, as HR,
or (once the operators are not the hub's admins) as the operator. Here ``careerconv hub`` makes up one
random password per login, prints them, and writes only their salted hashes to a file in the hub's state
folder (mode 0600); :class:`TrialPasswordAuthenticator` checks a sign-in against that file.

An organisation signs in with its own authenticator (``CAREERCONV_HUB_AUTHENTICATOR``) instead.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from pathlib import Path

from jupyterhub.auth import Authenticator
from traitlets import Unicode

from careerconv.records.store import atomic_write_bytes

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


def write_password_file(path: str | os.PathLike, passwords: dict[str, str]) -> Path:
    """Write the hashes of ``passwords`` (login -> password) to ``path`` (JSON, mode 0600, whole: a new file renamed
    over the old one, so a sign-in reads the old file or the new one) and return it."""
    path = Path(path)
    text = json.dumps({login: hash_password(password) for login, password in passwords.items()}, indent=1)
    atomic_write_bytes(path, text.encode("utf-8"), mode=0o600)
    return path


class TrialPasswordAuthenticator(Authenticator):
    """Signs in a login whose password matches its own hash in :attr:`password_file`; nobody else."""

    password_file = Unicode("", config=True, help="JSON file of login -> password hash (write_password_file)")

    async def authenticate(self, handler, data):
        login = self.normalize_username(data.get("username") or "")
        password = data.get("password") or ""
        try:
            hashes = json.loads(Path(self.password_file).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self.log.error("careerconv trial sign-in: cannot read the password file %r", self.password_file)
            return None
        stored = hashes.get(login)
        if not isinstance(stored, str):
            password_matches(password, hash_password("", b"\0" * 16))  # as long as a wrong password takes
            return None
        return login if password_matches(password, stored) else None
