"""The local advisory database: OSV advisories imported once, indexed, and evaluated exactly.

    report = AdvisoryDB.import_path(Path("advisory-database/vulns"), db_path)
    with AdvisoryDB.open(db_path) as db:
        db.age()                                   # how old the data is
        db.lookup("PyPI", "Django", "3.1.5")       # the advisories that affect that version
        db.affected_versions("PyPI", "django", ["3.1.5", "3.1.6"])

See ``osv.py`` for what a record must hold, ``ranges.py`` for how a version is judged, ``sources.py`` for
the files read, and ``store.py`` for the database.
"""

from __future__ import annotations

from .osv import MalformedRecord, OsvRecord, Severity, parse_record
from .ranges import Evaluation, Status, evaluate
from .sources import Skip
from .store import SCHEMA_VERSION, AdvisoryDB, AdvisoryDBError, AdvisoryMatch, ImportReport, default_db_path
from .versions import SemVer, normalise_name, parse_semver

__all__ = [
    "SCHEMA_VERSION",
    "AdvisoryDB",
    "AdvisoryDBError",
    "AdvisoryMatch",
    "Evaluation",
    "ImportReport",
    "MalformedRecord",
    "OsvRecord",
    "SemVer",
    "Severity",
    "Skip",
    "Status",
    "default_db_path",
    "evaluate",
    "normalise_name",
    "parse_record",
    "parse_semver",
]
