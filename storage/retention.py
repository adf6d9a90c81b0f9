"""How long each kind of document is kept: the retention schedule, and legal holds.

A schedule maps a document type (the keys of document-types.md) to a retention period in years, or to
``permanent``. Object lock needs a date, so a permanent record is locked for ``PERMANENT_YEARS`` and the
lock is extended by a later review long before it runs out. The schedule is configurable: a mapping, or a
TOML or JSON file such as::

    # retention.toml
    default = 20
    citizen_id = "permanent"
    decision = 70
    application_form = 10

(a TOML file may also put these under a ``[retention]`` table). Unknown types get ``default``.

Legal hold: ``place_legal_hold`` / ``release_legal_hold`` stop (or allow again) the deletion of an archived
version whatever its retention, e.g. while a dispute or an inspection is open.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from pipelines.errors import ConfigurationError
from pipelines.model import ArchiveRecord
from storage.objects import RETENTION_MODES, ObjectStore

PERMANENT = "permanent"
PERMANENT_YEARS = 200  # what "permanent" locks for; the archive re-extends the lock at review time
DEFAULT_YEARS = 20

# Starting point (configurable): civil status, identity and land records are kept permanently; decisions for
# 70 years; working papers of a procedure for 10.
DEFAULT_SCHEDULE: dict[str, int | str] = {
    "citizen_id": PERMANENT,
    "birth_certificate": PERMANENT,
    "marriage_certificate": PERMANENT,
    "land_use_certificate": PERMANENT,
    "business_registration": 70,
    "building_permit": 70,
    "decision": 70,
    "dossier_receipt": 10,
    "application_form": 10,
    "other": DEFAULT_YEARS,
    "default": DEFAULT_YEARS,
}


@dataclass(frozen=True)
class RetentionRule:
    years: int | None  # None: permanent
    mode: str = "COMPLIANCE"

    @property
    def permanent(self) -> bool:
        return self.years is None

    @property
    def days(self) -> int:
        """Days of object lock: a year counts 365.25 days (leap days included)."""
        years = PERMANENT_YEARS if self.years is None else self.years
        return years * 365 + years // 4 + 1

    @property
    def label(self) -> str:
        """The retention period as written in archive metadata (Thông tư 05/2025/TT-BNV)."""
        return "Vĩnh viễn" if self.years is None else f"{self.years} năm"

    def longer(self, other: RetentionRule) -> RetentionRule:
        if self.years is None:
            return self
        if other.years is None:
            return other
        return self if self.years >= other.years else other


@dataclass(frozen=True)
class RetentionSchedule:
    rules: dict[str, RetentionRule] = field(default_factory=dict)
    default: RetentionRule = RetentionRule(DEFAULT_YEARS)

    def for_type(self, doc_type: str | None) -> RetentionRule:
        return self.rules.get(doc_type or "other", self.default)

    def for_types(self, doc_types: Iterable[str | None]) -> RetentionRule:
        """The longest rule among these types (a dossier is kept as long as its longest-kept document)."""
        rule: RetentionRule | None = None
        for t in doc_types:
            r = self.for_type(t)
            rule = r if rule is None else rule.longer(r)
        return rule or self.default


def with_dossier(rule: RetentionRule, dossier_retention: str | None) -> RetentionRule:
    """``rule``, or the dossier's own period from the archive's inventory when that one is longer (an
    appraisal that keeps a whole dossier permanently keeps each of its documents permanently)."""
    if not dossier_retention:
        return rule
    from pipelines.inventory import retention_years

    try:
        years = retention_years(dossier_retention)
    except ValueError:
        return rule
    return rule.longer(RetentionRule(years, rule.mode))


def _rule(name: str, value: object, mode: str) -> RetentionRule:
    if isinstance(value, str) and value.strip().lower() in (PERMANENT, "vĩnh viễn", "vinh vien"):
        return RetentionRule(None, mode)
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 1000:
        return RetentionRule(value, mode)
    if isinstance(value, str) and value.strip().isdigit() and 1 <= int(value) <= 1000:
        return RetentionRule(int(value), mode)
    raise ConfigurationError(
        f'retention for {name!r} must be a number of years (1 to 1000) or "permanent", not {value!r}'
    )


def schedule_from_mapping(values: Mapping[str, object], *, mode: str = "COMPLIANCE") -> RetentionSchedule:
    """Rules from ``{doc_type: years | "permanent"}`` over the default schedule; ``mode`` may be given as a key."""
    merged: dict[str, object] = dict(DEFAULT_SCHEDULE)
    merged.update(values)
    mode = str(merged.pop("mode", mode)).upper()
    if mode not in RETENTION_MODES:
        raise ConfigurationError(f"retention mode must be COMPLIANCE or GOVERNANCE, not {mode!r}")
    default = _rule("default", merged.pop("default", DEFAULT_YEARS), mode)
    return RetentionSchedule({k: _rule(k, v, mode) for k, v in merged.items()}, default)


def load_schedule(source: Mapping[str, object] | Path | str | None = None) -> RetentionSchedule:
    """The schedule from a mapping, a ``.toml`` / ``.json`` file, or the default schedule when None."""
    if source is None:
        return schedule_from_mapping({})
    if isinstance(source, Mapping):
        return schedule_from_mapping(source)
    path = Path(source).expanduser()
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise ConfigurationError(f"cannot read the retention schedule {path}: {e.strerror or e}") from e
    try:
        data = json.loads(text) if path.suffix.lower() == ".json" else tomllib.loads(text)
    except (ValueError, tomllib.TOMLDecodeError) as e:
        raise ConfigurationError(f"the retention schedule {path} is not valid TOML/JSON: {e}") from e
    if isinstance(data, dict) and isinstance(data.get("retention"), dict):
        data = data["retention"]
    if not isinstance(data, dict):
        raise ConfigurationError(f"the retention schedule {path} must map document types to years")
    return schedule_from_mapping(data)


def schedule_from_settings(settings: object) -> RetentionSchedule:
    """``settings.retention_schedule`` (a file path) when the settings have one, else the default schedule."""
    return load_schedule(getattr(settings, "retention_schedule", None))


def place_legal_hold(store: ObjectStore, record: ArchiveRecord) -> None:
    store.set_legal_hold(record.bucket, record.key, record.version_id, True)


def release_legal_hold(store: ObjectStore, record: ArchiveRecord) -> None:
    store.set_legal_hold(record.bucket, record.key, record.version_id, False)


def under_legal_hold(store: ObjectStore, record: ArchiveRecord) -> bool:
    return store.legal_hold(record.bucket, record.key, record.version_id)
