"""Accounts, roles, password hashing (argon2), API tokens and login rate limiting."""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
import unicodedata
from collections import deque
from dataclasses import dataclass

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.orm import Session

from pipelines.errors import BadInputError
from sohoa.web.models import Account, ApiToken

OPERATOR, OFFICER, SIGNER, AUDITOR, ADMIN = "operator", "officer", "signer", "auditor", "admin"
ROLES: tuple[str, ...] = (OPERATOR, OFFICER, SIGNER, AUDITOR, ADMIN)

# Who may do what: the single table every endpoint checks (README: roles matrix).
PERMISSIONS: dict[str, frozenset[str]] = {
    "queue": frozenset({OPERATOR, OFFICER, SIGNER, AUDITOR}),  # see what is waiting (no field values)
    "view": frozenset({OFFICER, SIGNER, AUDITOR}),  # a document's fields and page images
    "id_images": frozenset({OFFICER, SIGNER}),  # page images of citizen ID cards
    "correct": frozenset({OFFICER}),
    "reject": frozenset({OFFICER}),
    "rescan": frozenset({OPERATOR, OFFICER}),
    "approve": frozenset({SIGNER}),
    "upload": frozenset({OPERATOR}),
    "download_signed": frozenset({OFFICER, SIGNER, AUDITOR}),
    "verify": frozenset({AUDITOR}),
    "audit": frozenset({AUDITOR}),
    "search": frozenset({OFFICER, SIGNER, AUDITOR}),
    "users": frozenset({ADMIN}),
}

_hasher = PasswordHasher()
MIN_PASSWORD = 10


@dataclass(frozen=True)
class User:
    username: str
    roles: frozenset[str]

    def can(self, permission: str) -> bool:
        return bool(self.roles & PERMISSIONS[permission])


def _clean_roles(roles: list[str] | tuple[str, ...] | set[str]) -> list[str]:
    out = sorted({r.strip().lower() for r in roles if r.strip()})
    unknown = [r for r in out if r not in ROLES]
    if unknown or not out:
        raise BadInputError(f"roles must be some of {', '.join(ROLES)}; got {', '.join(roles) or 'none'}")
    return out


def _clean_username(username: str) -> str:
    name = unicodedata.normalize("NFC", username.strip())
    if not name or len(name) > 100 or any(c.isspace() for c in name):
        raise BadInputError("a user name is 1 to 100 characters without spaces")
    return name


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise BadInputError(f"a password needs at least {MIN_PASSWORD} characters")
    return _hasher.hash(password)


def add_user(s: Session, username: str, password: str, roles: list[str] | tuple[str, ...]) -> User:
    """Create an account, or reset the password and roles of an existing one."""
    name, clean = _clean_username(username), _clean_roles(roles)
    digest = hash_password(password)
    acc = s.scalar(sa.select(Account).where(Account.username == name))
    if acc is None:
        acc = Account(username=name, password_hash=digest, roles=",".join(clean), active=True)
        s.add(acc)
    else:
        acc.password_hash, acc.roles, acc.active = digest, ",".join(clean), True
    s.flush()
    return User(name, frozenset(clean))


def list_users(s: Session) -> list[Account]:
    return list(s.scalars(sa.select(Account).order_by(Account.username)))


def authenticate(s: Session, username: str, password: str) -> User | None:
    """The user when the password is right, else None (same work either way: no user enumeration by time)."""
    name = unicodedata.normalize("NFC", username.strip())
    acc = s.scalar(sa.select(Account).where(Account.username == name, Account.active.is_(True)))
    digest = acc.password_hash if acc is not None else _DUMMY_HASH
    try:
        _hasher.verify(digest, password)
    except (VerificationError, InvalidHashError):
        return None
    if acc is None:
        return None
    if _hasher.check_needs_rehash(acc.password_hash):
        acc.password_hash = _hasher.hash(password)
    return _user(acc)


def _user(acc: Account) -> User:
    return User(acc.username, frozenset(r for r in acc.roles.split(",") if r))


def get_user(s: Session, username: str) -> User | None:
    acc = s.scalar(sa.select(Account).where(Account.username == username, Account.active.is_(True)))
    return None if acc is None else _user(acc)


def _token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token(s: Session, username: str, label: str = "") -> str:
    """A new API token for an existing account; only its SHA-256 is stored, so show it once."""
    if get_user(s, username) is None:
        raise BadInputError(f"there is no active account {username!r}")
    token = "sohoa_" + secrets.token_urlsafe(32)
    s.add(ApiToken(token_sha256=_token_digest(token), username=username, label=label))
    s.flush()
    return token


def user_for_token(s: Session, token: str) -> User | None:
    row = s.scalar(sa.select(ApiToken).where(ApiToken.token_sha256 == _token_digest(token)))
    return None if row is None else get_user(s, row.username)


class LoginLimiter:
    """At most ``attempts`` failed logins per user name and per client address within ``window`` seconds."""

    def __init__(self, attempts: int = 5, window: float = 900.0) -> None:
        self.attempts, self.window = attempts, window
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        q = self._failures.setdefault(key, deque())
        while q and now - q[0] > self.window:
            q.popleft()
        return q

    def blocked(self, *keys: str) -> bool:
        now = time.monotonic()
        with self._lock:
            return any(len(self._recent(k, now)) >= self.attempts for k in keys)

    def failed(self, *keys: str) -> None:
        now = time.monotonic()
        with self._lock:
            for k in keys:
                self._recent(k, now).append(now)

    def succeeded(self, username_key: str) -> None:
        with self._lock:
            self._failures.pop(username_key, None)


_DUMMY_HASH = _hasher.hash(secrets.token_hex(16))
