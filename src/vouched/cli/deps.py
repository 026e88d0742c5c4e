"""Commands of the dependency gate: ``deps db import|update|info`` and ``deps audit``."""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from vouched.cli._app import EXIT_FINDINGS, EXIT_OK, _git, _repo_option, _write, cli
from vouched.errors import InputError, UsageError

if TYPE_CHECKING:
    from vouched.deps.advisories import ImportReport
    from vouched.deps.gate import DepsReport
    from vouched.deps.manifests import Dependency, ManifestError
    from vouched.gate.findings import Finding
    from vouched.git import Git
    from vouched.policy import Policy

OSV_EXPORTS = "https://osv-vulnerabilities.storage.googleapis.com"
DEFAULT_ECOSYSTEMS = ("PyPI", "npm")
DOWNLOAD_TIMEOUT = 60.0
MAX_DOWNLOAD_BYTES = 2 * 1024 * 1024 * 1024


def _db_option(f: Any) -> Any:
    return click.option(
        "--db",
        "db_path",
        metavar="PATH",
        type=click.Path(dir_okay=False, path_type=Path),
        help="The advisory database (default: $XDG_DATA_HOME/vouched/advisories.sqlite3).",
    )(f)


@cli.group()
def deps() -> None:
    """Audit dependencies: a local OSV advisory database, registry signals, and the policy's [deps] rules."""


@deps.group()
def db() -> None:
    """Build, refresh and describe the local advisory database."""


def _print_import(report: ImportReport, sources: str) -> None:
    counts = ", ".join(f"{eco} {n}" for eco, n in report.by_ecosystem.items())
    click.echo(f"imported {report.advisories} advisories ({counts}) for {report.packages} packages from {sources}")
    if report.withdrawn:
        click.echo(f"  {report.withdrawn} withdrawn (kept, never matched)")
    when = report.data_time.strftime("%Y-%m-%d %H:%M UTC") if report.data_time else "unknown"
    click.echo(f"  data as of {when}; database {report.db_path}")
    if report.skipped:
        click.echo(f"  skipped {len(report.skipped)} file(s):", err=True)
        for skip in report.skipped[:10]:
            click.echo(f"    {skip.origin}: {skip.reason}", err=True)
        if len(report.skipped) > 10:
            click.echo(f"    ... and {len(report.skipped) - 10} more", err=True)


@db.command("import")
@click.argument("paths", metavar="PATH...", nargs=-1, required=True, type=click.Path(path_type=Path))
@_db_option
def db_import(paths: tuple[Path, ...], db_path: Path | None) -> int:
    """Build the database from OSV JSON files, osv.dev zip exports or trees of OSV YAML/JSON files.

    The new database replaces the old one only once it is complete. Malformed records are skipped and
    listed; a source with no usable record at all is an error (exit 2) and leaves the old database.
    """
    from vouched.deps.advisories import AdvisoryDB

    report = AdvisoryDB.import_path(list(paths), db_path)
    _print_import(report, ", ".join(map(str, paths)))
    return EXIT_OK


def _download(url: str, target: Path, timeout: float) -> dt.datetime | None:
    """Fetch ``url`` into ``target``; the server's ``Last-Modified`` if it gives one. InputError on failure."""
    import email.utils
    import urllib.error
    import urllib.request

    from vouched import __version__

    request = urllib.request.Request(url, headers={"User-Agent": f"vouched/{__version__}"})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response, target.open("wb") as out:  # noqa: S310
            total = 0
            while chunk := response.read(1 << 20):
                total += len(chunk)
                if total > MAX_DOWNLOAD_BYTES:
                    raise InputError(f"{url} is larger than {MAX_DOWNLOAD_BYTES} bytes: refusing it")
                out.write(chunk)
            modified = response.headers.get("Last-Modified")
    except urllib.error.HTTPError as exc:
        raise InputError(
            f"cannot download {url}: HTTP {exc.code} {exc.reason}",
            hint="check --url and --ecosystem (osv.dev names ecosystems as PyPI, npm, ...)",
        ) from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise InputError(
            f"cannot download {url}: {reason}",
            hint="no network here? download the export elsewhere and run `vouched deps db import FILE.zip`",
        ) from None
    if modified:
        try:
            return email.utils.parsedate_to_datetime(modified).astimezone(dt.UTC)
        except (TypeError, ValueError):
            return None
    return None


@db.command("update")
@click.option(
    "--ecosystem",
    "ecosystems",
    metavar="NAME",
    multiple=True,
    help="An osv.dev ecosystem to download (repeatable; default: PyPI and npm).",
)
@click.option(
    "--url", "base_url", metavar="BASE", default=OSV_EXPORTS, show_default=True, help="Where the exports are."
)
@_db_option
def db_update(ecosystems: tuple[str, ...], base_url: str, db_path: Path | None) -> int:
    """Download osv.dev's exports (BASE/ECOSYSTEM/all.zip) and rebuild the database from them.

    Every export is downloaded before anything is replaced: a failed download (no network, HTTP error)
    exits 2 and leaves the old database as it was.
    """
    from vouched.deps.advisories import AdvisoryDB

    wanted = list(dict.fromkeys(ecosystems or DEFAULT_ECOSYSTEMS))
    if not base_url.startswith(("https://", "http://")):
        raise UsageError(f"--url must be an http(s) URL, not {base_url!r}")
    with tempfile.TemporaryDirectory(prefix="vouched-osv-") as tmp:
        files: list[Path] = []
        urls: list[str] = []
        newest: dt.datetime | None = None
        for eco in wanted:
            url = f"{base_url.rstrip('/')}/{eco}/all.zip"
            target = Path(tmp) / f"{len(files)}-all.zip"
            click.echo(f"downloading {url}", err=True)
            stamp = _download(url, target, DOWNLOAD_TIMEOUT)
            if stamp is not None:
                newest = stamp if newest is None else min(newest, stamp)  # the stalest export is the data's age
            files.append(target)
            urls.append(url)
        report = AdvisoryDB.import_path(files, db_path, exported_at=newest, source_names=urls)
    _print_import(report, ", ".join(urls))
    return EXIT_OK


@db.command("info")
@_db_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def db_info(db_path: Path | None, fmt: str) -> int:
    """Say where the database is, how old its data is, what it holds and where it came from."""
    from vouched.deps.advisories import AdvisoryDB

    with AdvisoryDB.open(db_path) as database:
        age = database.age()
        data_time = database.data_time
        info = {
            "path": str(database.path),
            "data_time": data_time.isoformat() if data_time else None,
            "age_days": None if age is None else round(age.total_seconds() / 86400, 2),
            "imported_at": database.imported_at.isoformat(),
            "advisories": database.count(),
            "withdrawn": database.withdrawn,
            "ecosystems": {
                eco: {"advisories": a, "packages": n} for eco, (a, n) in database.counts_by_ecosystem().items()
            },
            "sources": list(database.sources),
        }
        database_sources = list(database.sources)
    if fmt == "json":
        click.echo(json.dumps(info, indent=2, sort_keys=True))
        return EXIT_OK
    click.echo(f"database   {info['path']}")
    shown = data_time.strftime("%Y-%m-%d %H:%M UTC") if data_time else "unknown"
    old = "unknown age" if age is None else f"{info['age_days']} days old"
    click.echo(f"data as of {shown} ({old})")
    click.echo(f"imported   {database.imported_at.strftime('%Y-%m-%d %H:%M UTC')}")
    click.echo(f"advisories {info['advisories']} in force, {info['withdrawn']} withdrawn")
    for eco, counts in info["ecosystems"].items():  # type: ignore[union-attr]
        click.echo(f"  {eco:<10} {counts['advisories']} advisories, {counts['packages']} packages")
    for source in database_sources:
        click.echo(f"source     {source}")
    return EXIT_OK


# -- audit ------------------------------------------------------------------------------------------


def _policy_at(git: Git, rev: str) -> Policy | None:
    """The policy committed at ``rev`` (without the roster: an audit needs only tiers and [deps])."""
    from vouched.policy import POLICY_FILE, parse_policy

    source = git.read_files(rev, [POLICY_FILE]).get(POLICY_FILE)
    return None if source is None else parse_policy(source, POLICY_FILE)


@deps.command("audit")
@click.argument("files", metavar="[FILE...]", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@_repo_option
@click.option("--base", metavar="REV", help="Audit what BASE...HEAD changes (the dependencies it brings in).")
@click.option("--head", metavar="REV", help="The tip of the change (default HEAD when --base is given).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "sarif"]),
    default="text",
    show_default=True,
    help="Report format.",
)
@_db_option
@click.option("--offline", is_flag=True, help="Ask no registry: use vouched's cache of earlier answers only.")
@click.option("--pypi-url", metavar="URL", help="A PyPI mirror's base URL (serving BASE/simple/ and BASE/pypi/).")
@click.option("--npm-url", metavar="URL", help="An npm registry mirror's base URL.")
@click.option(
    "--output", metavar="FILE", type=click.Path(dir_okay=False, path_type=Path), help="Write the report to FILE."
)
def audit(
    files: tuple[Path, ...],
    repo: Path,
    base: str | None,
    head: str | None,
    fmt: str,
    db_path: Path | None,
    offline: bool,
    pypi_url: str | None,
    npm_url: str | None,
    output: Path | None,
) -> int:
    """Audit dependencies: those a change brings in (--base/--head), or every one in FILE....

    Each dependency is checked against the advisory database (every published version a range admits),
    the registry (exists, yanked, deprecated, new, typosquat, licence) and the policy's [deps] rules
    (read at the merge base, or from the working tree for files). Exit 0 when nothing blocks, 1 when
    something does.
    """
    from vouched.deps.gate import DepsOptions, audit_change, audit_dependencies, findings_for, tier_rules_for
    from vouched.policy.model import DepsPolicy

    if files and (base or head):
        raise UsageError("give either --base/--head or FILE..., not both")
    if not files and not base:
        raise UsageError("nothing to audit", hint="pass --base REV [--head REV] for a change, or manifest FILEs")
    options = DepsOptions(db_path=db_path, offline=offline, pypi_url=pypi_url, npm_url=npm_url)
    policy: Policy | None = None
    if base:
        git = _git(repo)
        base_sha, head_sha = git.resolve(base), git.resolve(head or "HEAD")
        fork = git.merge_base(base_sha, head_sha)
        if fork is None:
            raise UsageError(f"{base} and {head or 'HEAD'} have no common ancestor")
        policy = _policy_at(git, fork)
        paths = [p for f in git.diff(fork, head_sha) for p in f.paths]
        report = audit_change(git, fork, head_sha, paths, policy.deps if policy else DepsPolicy(), options)
        label = f"{fork[:12]}..{head_sha[:12]}"
    else:
        policy = _working_policy(repo)
        entries, problems, names = _read_files(files)
        report = audit_dependencies(
            entries, policy.deps if policy else DepsPolicy(), options, problems=problems, files=names
        )
        label = ", ".join(names)
    today = dt.datetime.now(dt.UTC).date()
    found = findings_for(report, policy.deps if policy else DepsPolicy(), tier_rules_for(policy), today)
    text = _render(fmt, report, found, label)
    if output is None:
        click.echo(text, nl=not text.endswith("\n"))
    else:
        _write(output, text)
    return EXIT_FINDINGS if any(f.blocking for f in found) else EXIT_OK


def _working_policy(repo: Path) -> Policy | None:
    """The policy in ``repo``'s working tree, when there is one (files are audited as they are now)."""
    from vouched.policy import POLICY_FILE, parse_policy

    candidate = Path(repo) / POLICY_FILE
    return parse_policy(candidate.read_bytes(), POLICY_FILE) if candidate.is_file() else None


def _read_files(
    files: tuple[Path, ...],
) -> tuple[list[tuple[Dependency, str, Dependency | None]], list[ManifestError], list[str]]:
    from vouched.deps.manifests import read_manifest
    from vouched.deps.manifests._util import decode

    entries: list[tuple[Dependency, str, Dependency | None]] = []
    problems: list[ManifestError] = []
    names: list[str] = []

    def resolve(target: str) -> str | None:
        path = Path(target)
        return decode(target, path.read_bytes()) if path.is_file() else None

    for file in files:
        name = file.as_posix()
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise InputError(f"cannot read {file}: {exc.strerror or exc}") from None
        read = read_manifest(name, data, resolve)
        if read is None:
            raise UsageError(
                f"{name} is not a manifest vouched reads",
                hint="requirements*.txt, pyproject.toml, poetry.lock, uv.lock, Pipfile.lock, pylock.toml, "
                "package.json, package-lock.json",
            )
        names.append(name)
        entries += [(d, "present", None) for d in read.dependencies]
        problems += list(read.problems)
    return entries, problems, names


def _render(fmt: str, report: DepsReport, found: list[Finding], label: str) -> str:
    blocking = [f for f in found if f.blocking]
    if fmt == "json":
        doc = {
            "schema": "vouched.deps-audit/1",
            "verdict": "fail" if blocking else "pass",
            "target": label,
            "database": {"path": report.db_path, "data_time": report.db_time.isoformat() if report.db_time else None},
            "files": list(report.files),
            "dependencies": [a.to_json() for a in report.audits],
            "findings": [f.to_json() for f in found],
        }
        return json.dumps(doc, indent=2, sort_keys=True) + "\n"
    if fmt == "sarif":
        from vouched.gate.findings import Verdict
        from vouched.report import formatter

        verdict = Verdict(base="", merge_base="", head="", tier=None, commits=(), files=(), findings=tuple(found))
        return formatter("sarif").render(verdict)
    return _text(report, found, label)


def _text(report: DepsReport, found: list[Finding], label: str) -> str:
    from vouched.report._util import clean

    lines: list[str] = []
    blocking = sum(f.blocking for f in found)
    status = "FAIL" if blocking else "PASS"
    lines.append(f"{status}  {label}  {len(report.audits)} dependencies audited, {blocking} blocking")
    if report.db_path:
        when = report.db_time.strftime("%Y-%m-%d %H:%M UTC") if report.db_time else "unknown"
        lines.append(f"advisories: {report.db_path} (data as of {when})")
    order = {"error": 0, "warning": 1, "note": 2}
    for f in sorted(found, key=lambda f: (not f.blocking, order[f.severity.value], f.path or "", f.line or 0)):
        where = f.path or "-"
        if f.line:
            where += f":{f.line}"
        mark = "BLOCK" if f.blocking else f.severity.value.upper()
        lines.append("")
        lines.append(f"{mark:<7} {f.rule}  {clean(where)}")
        lines.append(f"        {clean(f.message)}")
        if f.hint:
            lines.append(f"        fix: {clean(f.hint)}")
    clean_deps = [a for a in report.audits if not a.issues]
    if clean_deps:
        lines.append("")
        lines.append(f"no findings ({len(clean_deps)}):")
        for a in clean_deps:
            how = f"{len(a.versions)} version(s) from {a.versions_from}" if a.versions_from != "pinned" else "pinned"
            lines.append(
                f"  {clean(a.dependency.describe())}  {clean(a.dependency.file)}:{a.dependency.line or '-'}  ({how})"
            )
    return "\n".join(lines) + "\n"
