"""The local advisory database: OSV records indexed in SQLite by (ecosystem, normalised package name).

A lookup reads the rows of one package through an index and evaluates its ranges; it never re-reads the
advisory files. An import reads every source, validates every record, and builds a new database in a
temporary file beside the target, which replaces the old one (``os.replace``) only once it is complete:
a failed or interrupted import leaves the previous database as it was.

The database knows how old its data is: the time of the export it was built from (an osv.dev zip) or,
when the source carries none, the newest ``modified`` of its records; built from several sources, the
stalest of them. A missing, corrupt, partial or foreign database is an :class:`AdvisoryDBError` with a
hint, never an empty database that would pass every dependency.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import sqlite3
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ...errors import InputError, VouchedError
from .osv import Affected, Event, MalformedRecord, OsvRecord, Range, Severity, parse_record
from .ranges import Status, describe_range, evaluate
from .sources import Document, Skip, export_time, read_source
from .versions import canonical_ecosystem, normalise_name, normalise_version

__all__ = [
    "SCHEMA_VERSION",
    "AdvisoryDB",
    "AdvisoryDBError",
    "AdvisoryMatch",
    "ImportReport",
    "default_db_path",
]

SCHEMA_VERSION = 1
_APPLICATION_ID = int.from_bytes(b"vouc", "big")  # PRAGMA application_id: this file is a vouched advisory DB
_MAGIC = b"SQLite format 3\x00"
_DDL = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE advisories (
    id TEXT PRIMARY KEY,
    modified TEXT NOT NULL,
    published TEXT,
    withdrawn TEXT,
    aliases TEXT NOT NULL,
    summary TEXT NOT NULL,
    origin TEXT NOT NULL
);
CREATE TABLE affected (
    ecosystem TEXT NOT NULL,
    name TEXT NOT NULL,
    advisory_id TEXT NOT NULL REFERENCES advisories(id),
    package TEXT NOT NULL,
    ranges TEXT NOT NULL,
    versions TEXT NOT NULL,
    severity TEXT NOT NULL,
    range_text TEXT NOT NULL
);
CREATE INDEX affected_by_package ON affected (ecosystem, name);
"""


class AdvisoryDBError(VouchedError):
    """The advisory database is missing, corrupt, partial or of another schema version."""


def default_db_path(environ: Mapping[str, str] | None = None) -> Path:
    """``$XDG_DATA_HOME/vouched/advisories.sqlite3``, or ``~/.local/share/vouched/advisories.sqlite3``.

    A relative ``XDG_DATA_HOME`` is ignored, as the XDG base directory specification says.
    """
    env = os.environ if environ is None else environ
    base = env.get("XDG_DATA_HOME", "")
    root = Path(base) if base and Path(base).is_absolute() else Path(env.get("HOME") or Path.home()) / ".local/share"
    return root / "vouched" / "advisories.sqlite3"


@dataclass(frozen=True, slots=True)
class AdvisoryMatch:
    """One advisory that affects (or may affect) a package version."""

    id: str
    aliases: tuple[str, ...]
    summary: str
    severity: tuple[Severity, ...]
    ecosystem: str
    package: str  # as the advisory spells it
    version: str  # as asked
    status: Status  # AFFECTED or UNKNOWN
    via: str | None  # "range" or "versions" when affected
    affected_range: str  # e.g. ">=2.2, <2.2.18 || >=3.0, <3.0.12"
    first_fixed: str | None  # the lowest fixed version above ``version``
    reason: str  # why the answer is unknown
    modified: dt.datetime

    @property
    def affected(self) -> bool:
        return self.status is Status.AFFECTED

    @property
    def cvss(self) -> str | None:
        """The CVSS vector, the newest CVSS version the advisory gives, if any."""
        for kind in ("CVSS_V4", "CVSS_V3", "CVSS_V2"):
            for sev in self.severity:
                if sev.type == kind:
                    return sev.score
        return None


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What an import read, stored and skipped (each skip with its file and reason)."""

    db_path: Path
    advisories: int  # stored and in force
    withdrawn: int  # stored, never matched
    packages: int  # distinct (ecosystem, name) pairs
    by_ecosystem: Mapping[str, int]  # advisories per ecosystem
    skipped: tuple[Skip, ...]
    newest_modified: dt.datetime | None
    exported_at: dt.datetime | None
    data_time: dt.datetime | None  # what the data's age is measured from

    @property
    def counts(self) -> dict[str, int]:
        return {
            "advisories": self.advisories,
            "withdrawn": self.withdrawn,
            "packages": self.packages,
            "skipped": len(self.skipped),
        }


@dataclass(slots=True)
class _Row:
    advisory_id: str
    package: str
    ranges: tuple[Range, ...]
    versions: frozenset[str]
    severity: tuple[Severity, ...]
    range_text: str
    aliases: tuple[str, ...]
    summary: str
    modified: dt.datetime


@dataclass
class _Build:
    seen: dict[str, str] = field(default_factory=dict)  # id -> origin
    skipped: list[Skip] = field(default_factory=list)
    advisories: int = 0
    withdrawn: int = 0
    packages: set[tuple[str, str]] = field(default_factory=set)
    by_ecosystem: dict[str, int] = field(default_factory=dict)
    newest: dt.datetime | None = None


class AdvisoryDB:
    """A read-only view of an imported advisory database. Build one with :meth:`import_path`."""

    def __init__(self, path: Path, conn: sqlite3.Connection, meta: Mapping[str, str]) -> None:
        self.path = path
        self._conn = conn
        self._meta = dict(meta)
        self._cache: dict[tuple[str, str], list[_Row]] = {}

    # -- opening --------------------------------------------------------------------------------------

    @classmethod
    def open(cls, path: Path | None = None) -> AdvisoryDB:
        """Open the database at ``path`` (default: :func:`default_db_path`), checking that it is whole."""
        path = default_db_path() if path is None else Path(path)
        hint_import = "build it with `vouched deps db import PATH` (an OSV export or advisory tree)"
        try:
            with path.open("rb") as fh:
                head = fh.read(len(_MAGIC))
        except FileNotFoundError:
            raise AdvisoryDBError(f"no advisory database at {path}", hint=hint_import) from None
        except OSError as exc:
            raise AdvisoryDBError(f"cannot read the advisory database {path}: {exc.strerror or exc}") from None
        if head != _MAGIC:
            raise AdvisoryDBError(f"{path} is not an advisory database (not SQLite)", hint=hint_import)
        try:
            conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        except sqlite3.Error as exc:
            raise AdvisoryDBError(f"cannot open the advisory database {path}: {exc}", hint=hint_import) from None
        try:
            (app,) = conn.execute("PRAGMA application_id").fetchone()
            if app != _APPLICATION_ID:
                raise AdvisoryDBError(f"{path} is an SQLite database, but not a vouched advisory database")
            meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
            version = meta.get("schema_version")
            if version != str(SCHEMA_VERSION):
                raise AdvisoryDBError(
                    f"{path} has advisory database schema {version or 'unknown'}, this vouched reads {SCHEMA_VERSION}",
                    hint="import the advisories again with this version of vouched",
                )
            if meta.get("complete") != "1":
                raise AdvisoryDBError(f"{path} is a partial advisory database (its import never finished)")
            (advisories,) = conn.execute("SELECT count(*) FROM advisories").fetchone()
            (affected,) = conn.execute("SELECT count(*) FROM affected").fetchone()
            if str(advisories) != meta.get("rows_advisories") or str(affected) != meta.get("rows_affected"):
                raise AdvisoryDBError(f"{path} is damaged: its row counts differ from those its import recorded")
        except sqlite3.Error as exc:
            conn.close()
            raise AdvisoryDBError(f"{path} is a corrupt advisory database: {exc}", hint=hint_import) from None
        except AdvisoryDBError as exc:
            conn.close()
            if exc.hint is None:
                exc.hint = hint_import
            raise
        return cls(path, conn, meta)

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> AdvisoryDB:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- facts about the data ---------------------------------------------------------------------------

    @property
    def data_time(self) -> dt.datetime | None:
        """The time the data is as of: the export's timestamp, else its newest ``modified``."""
        value = self._meta.get("data_time")
        return dt.datetime.fromisoformat(value) if value else None

    @property
    def imported_at(self) -> dt.datetime:
        return dt.datetime.fromisoformat(self._meta["imported_at"])

    @property
    def sources(self) -> tuple[str, ...]:
        return tuple(json.loads(self._meta.get("sources", "[]")))

    def age(self, now: dt.datetime | None = None) -> dt.timedelta | None:
        """How old the data is (never negative); ``None`` only if the import recorded no time."""
        when = self.data_time
        if when is None:
            return None
        now = dt.datetime.now(dt.UTC) if now is None else now
        return max(now - when, dt.timedelta(0))

    def count(self) -> int:
        """Advisories in force (withdrawn ones excluded)."""
        return int(self._meta["advisories"])

    @property
    def withdrawn(self) -> int:
        return int(self._meta.get("withdrawn", "0"))

    def counts_by_ecosystem(self) -> dict[str, tuple[int, int]]:
        """Per ecosystem: (advisories in force that name a package of it, distinct packages)."""
        try:
            rows = self._conn.execute(
                "SELECT ecosystem, count(DISTINCT advisory_id), count(DISTINCT name) FROM affected"
                " GROUP BY ecosystem ORDER BY ecosystem"
            ).fetchall()
        except sqlite3.Error as exc:
            raise AdvisoryDBError(f"{self.path} is a corrupt advisory database: {exc}") from None
        return {str(eco): (int(a), int(n)) for eco, a, n in rows}

    def known_versions(self, ecosystem: str, name: str) -> list[str]:
        """Every version the advisories of a package name: listed versions and range event bounds.

        For judging a manifest range when the registry cannot say what is published: the caller must say
        that the judgement covers only these versions.
        """
        eco = canonical_ecosystem(ecosystem)
        seen: dict[str, None] = {}
        for row in self._rows(eco, normalise_name(eco, name)):
            for version in sorted(row.versions):
                seen.setdefault(version)
            for rng in row.ranges:
                if rng.type == "GIT":
                    continue
                for event in rng.events:
                    if event.kind in ("introduced", "fixed", "last_affected") and event.value != "0":
                        seen.setdefault(event.value)
        return list(seen)

    # -- lookups ----------------------------------------------------------------------------------------

    def lookup(self, ecosystem: str, name: str, version: str) -> list[AdvisoryMatch]:
        """Every advisory that affects ``name`` at ``version``, or may (status UNKNOWN, with the reason).

        Sorted by advisory id. An empty list means no advisory in this database affects that version.
        """
        eco = canonical_ecosystem(ecosystem)
        return self._judge(eco, self._rows(eco, normalise_name(eco, name)), version)

    def affected_versions(
        self, ecosystem: str, name: str, candidate_versions: Iterable[str]
    ) -> dict[str, list[AdvisoryMatch]]:
        """For a manifest range: the candidates (every published version it admits) that are, or may be, affected.

        Versions with no match are left out; the keys keep the candidates' order.
        """
        eco = canonical_ecosystem(ecosystem)
        rows = self._rows(eco, normalise_name(eco, name))
        out: dict[str, list[AdvisoryMatch]] = {}
        for version in candidate_versions:
            if version in out:
                continue
            found = self._judge(eco, rows, version)
            if found:
                out[version] = found
        return out

    def _judge(self, eco: str, rows: Sequence[_Row], version: str) -> list[AdvisoryMatch]:
        best: dict[str, AdvisoryMatch] = {}
        for row in rows:
            ev = evaluate(eco, row.ranges, row.versions, version)
            if ev.status is Status.NOT_AFFECTED:
                continue
            prior = best.get(row.advisory_id)
            if prior is not None and (prior.affected or ev.status is Status.UNKNOWN):
                continue
            best[row.advisory_id] = AdvisoryMatch(
                id=row.advisory_id,
                aliases=row.aliases,
                summary=row.summary,
                severity=row.severity,
                ecosystem=eco,
                package=row.package,
                version=version,
                status=ev.status,
                via=ev.via,
                affected_range=row.range_text,
                first_fixed=ev.first_fixed,
                reason=ev.reason,
                modified=row.modified,
            )
        return [best[k] for k in sorted(best)]

    def _rows(self, eco: str, name: str) -> list[_Row]:
        key = (eco, name)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        try:
            raw = self._conn.execute(
                "SELECT f.advisory_id, f.package, f.ranges, f.versions, f.severity, f.range_text,"
                " a.aliases, a.summary, a.modified"
                " FROM affected f JOIN advisories a ON a.id = f.advisory_id"
                " WHERE f.ecosystem = ? AND f.name = ? ORDER BY f.advisory_id, f.rowid",
                key,
            ).fetchall()
            rows = [
                _Row(
                    advisory_id=r[0],
                    package=r[1],
                    ranges=_ranges_from_json(r[2]),
                    versions=frozenset(json.loads(r[3])),
                    severity=tuple(Severity(t, s) for t, s in json.loads(r[4])),
                    range_text=r[5],
                    aliases=tuple(json.loads(r[6])),
                    summary=r[7],
                    modified=dt.datetime.fromisoformat(r[8]),
                )
                for r in raw
            ]
        except (sqlite3.Error, ValueError, TypeError, KeyError) as exc:
            raise AdvisoryDBError(
                f"{self.path} is a corrupt advisory database: {exc}",
                hint="build it again with `vouched deps db import PATH`",
            ) from None
        if len(self._cache) > 4096:
            self._cache.clear()
        self._cache[key] = rows
        return rows

    # -- importing --------------------------------------------------------------------------------------

    @classmethod
    def import_path(
        cls,
        sources: Path | Sequence[Path],
        db_path: Path | None = None,
        *,
        exported_at: dt.datetime | None = None,
        now: dt.datetime | None = None,
        source_names: Sequence[str] | None = None,
    ) -> ImportReport:
        """Build the database at ``db_path`` (default: :func:`default_db_path`) from ``sources``, atomically.

        ``sources`` are OSV JSON/YAML files, osv.dev zip exports or directories (see ``sources.py``). The new
        database replaces the old one whole. Malformed records are skipped and listed in the report; an
        import that finds no usable record at all raises :class:`InputError` and leaves the old database.
        ``exported_at`` states the export's time when the caller knows it (a download's ``Last-Modified``).
        ``source_names`` are recorded as the sources instead of the paths (the URLs a download came from).
        """
        paths = [Path(sources)] if isinstance(sources, str | os.PathLike) else [Path(p) for p in sources]
        if not paths:
            raise InputError("no advisory source given")
        target = default_db_path() if db_path is None else Path(db_path)
        now = dt.datetime.now(dt.UTC) if now is None else now
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".importing")
        except OSError as exc:
            raise InputError(f"cannot write the advisory database in {target.parent}: {exc.strerror or exc}") from None
        os.close(fd)
        tmp = Path(tmp_name)
        try:
            report = cls._build(tmp, target, paths, exported_at, now, source_names)
            try:
                os.replace(tmp, target)
                _fsync_dir(target.parent)
            except OSError as exc:
                raise InputError(f"cannot replace the advisory database {target}: {exc.strerror or exc}") from None
        finally:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
            for extra in ("-journal", "-wal", "-shm"):
                with contextlib.suppress(FileNotFoundError):
                    Path(tmp_name + extra).unlink()
        return report

    @classmethod
    def _build(
        cls,
        tmp: Path,
        target: Path,
        paths: Sequence[Path],
        exported_at: dt.datetime | None,
        now: dt.datetime,
        source_names: Sequence[str] | None = None,
    ) -> ImportReport:
        conn = sqlite3.connect(tmp, isolation_level=None)
        try:
            conn.execute("PRAGMA journal_mode = OFF")
            conn.execute("PRAGMA synchronous = OFF")
            conn.execute(f"PRAGMA application_id = {_APPLICATION_ID}")
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            conn.executescript(_DDL)
            conn.execute("BEGIN")
            build = _Build()
            data_times: list[dt.datetime] = []
            for path in paths:
                before = build.newest
                build.newest = None
                for item in read_source(path):
                    if isinstance(item, Skip):
                        build.skipped.append(item)
                    else:
                        _store(conn, build, item)
                source_time = exported_at or export_time(path) or build.newest
                if source_time is not None:
                    data_times.append(source_time)
                build.newest = max((t for t in (before, build.newest) if t is not None), default=None)
            if build.advisories == 0:
                shown = "; ".join(f"{s.origin}: {s.reason}" for s in build.skipped[:3])
                raise InputError(
                    f"no usable OSV advisory in {', '.join(map(str, paths))}"
                    + (f" ({len(build.skipped)} skipped: {shown})" if build.skipped else ""),
                    hint="give an OSV JSON file, an osv.dev zip export or a directory of OSV JSON/YAML files",
                )
            # Data cannot be newer than its import: a `modified` or export time in the future (a wrong
            # clock, a bogus record) must not keep the database looking fresh for ever.
            data_time = min(min(data_times), now) if data_times else None
            (rows_advisories,) = conn.execute("SELECT count(*) FROM advisories").fetchone()
            (rows_affected,) = conn.execute("SELECT count(*) FROM affected").fetchone()
            meta = {
                "schema_version": str(SCHEMA_VERSION),
                "imported_at": now.isoformat(),
                "data_time": data_time.isoformat() if data_time else "",
                "newest_modified": build.newest.isoformat() if build.newest else "",
                "sources": json.dumps(list(source_names) if source_names else [str(p.resolve()) for p in paths]),
                "advisories": str(build.advisories),
                "withdrawn": str(build.withdrawn),
                "rows_advisories": str(rows_advisories),
                "rows_affected": str(rows_affected),
                "complete": "1",
            }
            conn.executemany("INSERT INTO meta (key, value) VALUES (?, ?)", meta.items())
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            raise InputError(f"cannot write the advisory database {tmp}: {exc}") from None
        finally:
            conn.close()
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        explicit = exported_at or next((t for p in paths if (t := export_time(p)) is not None), None)
        return ImportReport(
            db_path=target,
            advisories=build.advisories,
            withdrawn=build.withdrawn,
            packages=len(build.packages),
            by_ecosystem=dict(sorted(build.by_ecosystem.items())),
            skipped=tuple(build.skipped),
            newest_modified=build.newest,
            exported_at=explicit,
            data_time=data_time,
        )


def _fsync_dir(folder: Path) -> None:
    """Make the rename durable (POSIX); a no-op where folders cannot be opened."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _store(conn: sqlite3.Connection, build: _Build, doc: Document) -> None:
    try:
        record = parse_record(doc.content)
    except MalformedRecord as exc:
        build.skipped.append(Skip(doc.origin, str(exc)))
        return
    first = build.seen.get(record.id)
    if first is not None:
        build.skipped.append(Skip(doc.origin, f"duplicate id {record.id}: already read from {first}"))
        return
    build.seen[record.id] = doc.origin
    conn.execute(
        "INSERT INTO advisories (id, modified, published, withdrawn, aliases, summary, origin)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            record.id,
            record.modified.isoformat(),
            record.published.isoformat() if record.published else None,
            record.withdrawn.isoformat() if record.withdrawn else None,
            json.dumps(list(record.aliases)),
            _summary(record),
            doc.origin,
        ),
    )
    build.newest = record.modified if build.newest is None else max(build.newest, record.modified)
    if record.withdrawn is not None:
        build.withdrawn += 1
        return  # kept for the record, never indexed: a withdrawn advisory matches nothing
    build.advisories += 1
    ecosystems: set[str] = set()
    for affected in record.affected:
        eco = canonical_ecosystem(affected.ecosystem)
        name = normalise_name(eco, affected.name)
        ecosystems.add(eco)
        build.packages.add((eco, name))
        conn.execute(
            "INSERT INTO affected (ecosystem, name, advisory_id, package, ranges, versions, severity, range_text)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                eco,
                name,
                record.id,
                affected.name,
                _ranges_to_json(affected.ranges),
                json.dumps(sorted({normalise_version(eco, v) for v in affected.versions})),
                json.dumps([[s.type, s.score] for s in (affected.severity or record.severity)]),
                _range_text(eco, affected),
            ),
        )
    for eco in ecosystems:
        build.by_ecosystem[eco] = build.by_ecosystem.get(eco, 0) + 1


def _summary(record: OsvRecord) -> str:
    if record.summary.strip():
        return " ".join(record.summary.split())
    first = " ".join(record.details.strip().split("\n\n", 1)[0].split())
    return first if len(first) <= 200 else first[:197] + "..."


def _range_text(eco: str, affected: Affected) -> str:
    parts = [describe_range(eco, r) for r in affected.ranges if r.type != "GIT"]
    if not parts and affected.versions:
        listed = ", ".join(affected.versions[:5]) + (", ..." if len(affected.versions) > 5 else "")
        parts.append(f"versions {listed}")
    elif not parts and affected.ranges:
        parts.append("; ".join(describe_range(eco, r) for r in affected.ranges))
    return " || ".join(parts) if parts else "no versions given"


def _ranges_to_json(ranges: Sequence[Range]) -> str:
    return json.dumps([[r.type, r.repo, [[e.kind, e.value] for e in r.events]] for r in ranges])


def _ranges_from_json(text: str) -> tuple[Range, ...]:
    data: Any = json.loads(text)
    return tuple(Range(t, tuple(Event(k, v) for k, v in events), repo) for t, repo, events in data)
