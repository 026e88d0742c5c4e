"""The command line: parse arguments, call the core, pick a format and an exit code. Nothing else.

Exit codes (every command): 0 success or pass, 1 blocking findings, 2 bad usage, configuration or input,
3 internal error (a bug in vouched: please report it with the output of the same command run with -v).
"""

from __future__ import annotations

import json
import logging
import os
import signal
import sys
import traceback
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from vouched import __version__
from vouched.errors import UsageError, VouchedError

if TYPE_CHECKING:
    from vouched.git import Git

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3

log = logging.getLogger("vouched")
_state = {"verbose": 0}

REPO_HELP = "The git repository to read (default: the current directory)."


def _repo_option(f: Any) -> Any:
    return click.option(
        "--repo",
        type=click.Path(file_okay=False, path_type=Path),
        default=".",
        show_default=True,
        help=REPO_HELP,
    )(f)


def _git(repo: Path) -> Git:
    from vouched.git import Git

    return Git(repo)


def _use_color(flag: bool | None, stream: Any) -> bool:
    if flag is not None:
        return flag
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return bool(getattr(stream, "isatty", lambda: False)())


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "--version", prog_name="vouched")
@click.option("-v", "--verbose", count=True, help="Log what vouched does; show tracebacks on errors.")
def cli(verbose: int) -> None:
    """Hold AI-assisted code to the bar of the risk tier it touches, and explain every verdict.

    vouched reads which commits an AI assistant helped write, which risk tier (green, yellow, red)
    each changed file falls in, and who may land and approve such a change, all from the policy
    at the base revision. Exit codes: 0 pass, 1 blocking findings, 2 bad usage or input, 3 bug.
    """
    _state["verbose"] = verbose
    level = os.environ.get("VOUCHED_LOG", "WARNING").upper()
    logging.basicConfig(
        level=logging.DEBUG if verbose else getattr(logging, level, logging.WARNING),
        format="vouched: %(levelname)s %(name)s: %(message)s",
    )


# -- check ------------------------------------------------------------------------------------------


@cli.command()
@_repo_option
@click.option(
    "--base",
    metavar="REV",
    help="The revision the change will merge into; its policy and roster judge the change. "
    "Default: the repository's default branch (origin/HEAD, origin/main, main, ...).",
)
@click.option("--head", metavar="REV", default="HEAD", show_default=True, help="The tip of the change.")
@click.option(
    "--approvals",
    "approvals_file",
    metavar="FILE",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Reviews exported from GitHub: `gh api repos/OWNER/REPO/pulls/N/reviews --paginate`.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "sarif", "markdown"]),
    default="text",
    show_default=True,
    help="Report format.",
)
@click.option(
    "--output",
    metavar="FILE",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the report to FILE instead of standard output.",
)
@click.option("--color/--no-color", default=None, help="Colour the text report (default: on a terminal).")
def check(
    repo: Path,
    base: str | None,
    head: str,
    approvals_file: Path | None,
    fmt: str,
    output: Path | None,
    color: bool | None,
) -> int:
    """Judge the change BASE...HEAD and print the verdict with its reasons.

    Exit 0 when the change passes, 1 when a blocking finding stops it.
    """
    from vouched.gate.approvals import ApprovalSource, GitHubReviews
    from vouched.gate.engine import evaluate, judge
    from vouched.report import formatter

    git = _git(repo)
    if base is None:
        base = git.default_branch()
        if base is None:
            raise UsageError(
                "cannot tell which branch this change merges into",
                hint="pass --base REV (for a pull request, its target branch, e.g. --base origin/main)",
            )
    sources: list[ApprovalSource] | None = None
    if approvals_file is not None:
        sources = [GitHubReviews(approvals_file)]
    verdict = judge(evaluate(git, base, head, sources))
    colored = output is None and fmt == "text" and _use_color(color, sys.stdout)
    text = formatter(fmt, color=colored).render(verdict)
    if output is None:
        # click strips colour codes when stdout is not a terminal unless told the colour is wanted.
        click.echo(text, nl=not text.endswith("\n"), color=colored)
    else:
        _write(output, text)
        status = "PASS" if verdict.passed else "FAIL"
        click.echo(f"vouched: {status}; {fmt} report written to {output}", err=True)
    return EXIT_OK if verdict.passed else EXIT_FINDINGS


def _write(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.vouched-tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None


# -- provenance -------------------------------------------------------------------------------------


@cli.command()
@click.argument("revision_range", metavar="[RANGE]", required=False, default="HEAD")
@_repo_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "jsonl"]),
    default="text",
    show_default=True,
    help="Output format: jsonl is one record a line, as the contract describes.",
)
def provenance(revision_range: str, repo: Path, fmt: str) -> int:
    """Say, for every commit in RANGE, whether an AI assistant was involved, which, and the evidence.

    RANGE is what `git log` takes (`main..feature`, `v1.2..HEAD`, a single revision); the default
    is every commit reachable from HEAD, merges included.
    """
    from vouched.policy import markers_at
    from vouched.provenance import Provenance
    from vouched.report.provenance import render_provenance

    git = _git(repo)
    revs = revision_range.split()
    if not revs or any(r.startswith("-") for r in revs):
        raise UsageError(f"not a revision range: {revision_range!r}", hint="for example main..HEAD")
    if git.is_shallow():
        git.check_complete(git.rev_list(*revs), revision_range)
    markers = markers_at(git, "HEAD")
    prov = Provenance(git, markers)
    records = ((c, prov.attribute(c)) for c in git.iter_commits(revs))
    render_provenance(records, fmt, sys.stdout)
    for problem in prov.problems:
        click.echo(f"vouched: warning: {problem}", err=True)
    return EXIT_FINDINGS if prov.problems else EXIT_OK


# -- policy -----------------------------------------------------------------------------------------


@cli.group()
def policy() -> None:
    """Validate the policy and the roster of people."""


@policy.command("check")
@_repo_option
@click.option(
    "--rev",
    metavar="REV",
    help="Check the files committed at REV instead of the ones in the working tree.",
)
def policy_check(repo: Path, rev: str | None) -> int:
    """Validate .vouched/policy.toml and .vouched/people.toml; report every mistake with file, line and key."""
    from vouched.policy import load_sources

    pol, people = load_sources(_git(repo), rev)
    levels = " < ".join(pol.levels)
    tiers = ", ".join(t.name for t in pol.tiers)
    click.echo(f"ok: {pol.file}: version {pol.version}, levels {levels}, tiers {tiers} ({pol.digest[:19]})")
    click.echo(f"ok: {people.file}: {len(people.persons)} people")
    return EXIT_OK


# -- tier -------------------------------------------------------------------------------------------


@cli.command()
@click.argument("paths", metavar="PATH...", nargs=-1, required=True)
@_repo_option
@click.option("--rev", metavar="REV", help="Use the policy committed at REV (default: the working tree's).")
def tier(paths: tuple[str, ...], repo: Path, rev: str | None) -> int:
    """Explain which tier each PATH takes, and which pattern or content rule put it there.

    PATH is relative to the repository root. A file present in the working tree is also matched
    against the tiers' content rules, line by line.
    """
    from vouched.git import display
    from vouched.policy import load_sources

    git = _git(repo)
    pol, _ = load_sources(git, rev)
    root = Path(repo)
    width = max(len(p) for p in paths)
    tier_width = max(len(t.name) for t in pol.tiers)
    for path in paths:
        rel = path.replace(os.sep, "/").lstrip("/")
        lines: list[tuple[int, str]] = []
        file = root / rel
        if rev is None and file.is_file():
            data = file.read_bytes()
            if b"\0" not in data[:8192]:
                text = data.decode("utf-8", "replace")
                lines = list(enumerate(text.splitlines(), start=1))
        match = pol.resolve(rel, lines)
        click.echo(f"{display(rel):<{width}}  {match.tier.name:<{tier_width}}  {match.reason}")
    return EXIT_OK


# -- init -------------------------------------------------------------------------------------------


@cli.command()
@_repo_option
@click.option("--force", is_flag=True, help="Overwrite existing .vouched/ files.")
def init(repo: Path, force: bool) -> int:
    """Write a starter .vouched/policy.toml and people.toml for this repository, and say why.

    Paths that look like authentication, cryptography, payments, migrations or infrastructure are
    proposed red, the rest of the source yellow, docs and tests green. Review and commit the files.
    """
    from vouched.policy import starter

    git = _git(repo)
    top = Path(git.toplevel())
    proposal = starter(git.tracked_files("HEAD") if git.has_commits() else [], git.recent_authors(500))
    targets = {
        top / ".vouched" / "policy.toml": proposal.policy,
        top / ".vouched" / "people.toml": proposal.people,
    }
    existing = [p for p in targets if p.exists()]
    if existing and not force:
        raise UsageError(
            f"{existing[0]} already exists",
            hint="edit it, check it with `vouched policy check`, or pass --force to replace it",
        )
    (top / ".vouched").mkdir(exist_ok=True)
    for path, text in targets.items():
        path.write_text(text, encoding="utf-8")
        click.echo(f"wrote {path.relative_to(top)}")
    click.echo("")
    click.echo("tiers proposed:")
    for tier_name, pattern, why in proposal.explanations:
        click.echo(f"  {tier_name:<7} {pattern:<28} {why}")
    click.echo("")
    click.echo("next: set each person's level in .vouched/people.toml, run `vouched policy check`,")
    click.echo("then commit .vouched/ in a change of its own: vouched reads it from the base revision.")
    return EXIT_OK


# -- demo -------------------------------------------------------------------------------------------


@cli.command()
@click.option(
    "--keep",
    metavar="DIR",
    type=click.Path(file_okay=False, path_type=Path),
    help="Build the sample repository in DIR (must not exist) and keep it.",
)
@click.option("--color/--no-color", default=None, help="Colour the verdicts (default: on a terminal).")
def demo(keep: Path | None, color: bool | None) -> int:
    """Build a sample repository and show vouched passing one change and failing another."""
    from vouched.demo import run_demo

    colored = _use_color(color, sys.stdout)
    run_demo(keep, color=colored, echo=lambda line: click.echo(line, color=colored))
    return EXIT_OK


# -- the signed ledger ------------------------------------------------------------------------------


def _base_or_default(git: Git, base: str | None) -> str:
    if base is not None:
        return base
    found = git.default_branch()
    if found is None:
        raise UsageError("cannot tell which branch this change merges into", hint="pass --base REV")
    return found


def _passphrase() -> str | None:
    secret = os.environ.get("VOUCHED_KEY_PASSPHRASE")
    if secret:
        return secret
    if sys.stdin.isatty():
        return str(click.prompt("passphrase for the signing key", hide_input=True, default="", show_default=False))
    return None


def _signer(git: Git, base: str, key: str | None) -> Any:
    from vouched.ledger.sign import open_signer
    from vouched.policy import load

    _, people = load(git, git.resolve(base))
    listed = [line for person in people.persons for line in person.keys]
    return open_signer(key, listed, _passphrase)


def _signing_options(f: Any) -> Any:
    f = click.option(
        "--key",
        metavar="PATH",
        help="OpenSSH Ed25519 private key file, or a .pub file naming an ssh-agent key "
        "(default: ssh-agent if SSH_AUTH_SOCK is set, else ~/.ssh/id_ed25519).",
    )(f)
    f = click.option("--head", metavar="REV", default="HEAD", show_default=True, help="The tip of the change.")(f)
    f = click.option("--base", metavar="REV", help="The branch the change merges into (default: the default branch).")(
        f
    )
    return _repo_option(f)


@cli.command()
@click.option(
    "--stage",
    type=click.Choice(["requirements", "design", "implementation", "review"]),
    required=True,
    help="The stage signed off.",
)
@click.option("--decision", type=click.Choice(["approve", "reject", "needs-work"]), required=True, help="The decision.")
@click.option("--rationale", metavar="TEXT", help="Why: the reason the work (and any AI's part of it) is accepted.")
@click.option(
    "--rationale-file",
    metavar="FILE",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Read the rationale from FILE.",
)
@click.option("--work-item", metavar="ID", help="requirements/design: the work item (default: the Refs: trailer).")
@click.option("--document", metavar="PATH", help="requirements/design: the document signed off, in the repository.")
@_signing_options
def sign(
    stage: str,
    decision: str,
    rationale: str | None,
    rationale_file: Path | None,
    work_item: str | None,
    document: str | None,
    key: str | None,
    head: str,
    base: str | None,
    repo: Path,
) -> int:
    """Sign off a stage of the change BASE...HEAD and append it to the ledger (refs/vouched/ledger).

    Implementation and review sign-offs are bound to the head commit and its tree; requirements and
    design sign-offs to a work item and the digest of the document. Share it with `vouched ledger push`.
    """
    from vouched.ledger.sign import sign_off

    if rationale is not None and rationale_file is not None:
        raise UsageError("give --rationale or --rationale-file, not both")
    if rationale_file is not None:
        try:
            rationale = rationale_file.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(f"cannot read {rationale_file}: {exc}") from None
    git = _git(repo)
    base = _base_or_default(git, base)
    signed = sign_off(
        git,
        _signer(git, base, key),
        base=base,
        head=head,
        stage=stage,
        decision=decision,
        rationale=rationale or "",
        work_item=work_item,
        document=document,
    )
    click.echo(
        f"signed {stage} {decision} by {signed.person.id} ({signed.envelope.signatures[0].keyid}); "
        f"ledger entry {signed.commit[:12]}"
    )
    return EXIT_OK


@cli.command("break-glass")
@click.option("--reason", metavar="TEXT", required=True, help="The emergency: incident, outage, why now.")
@click.option(
    "--expires-in",
    metavar="HOURS",
    type=float,
    default=4.0,
    show_default=True,
    help="How long the override stands.",
)
@_signing_options
def break_glass(reason: str, expires_in: float, key: str | None, head: str, base: str | None, repo: Path) -> int:
    """Sign an emergency override of the change BASE...HEAD (people with break_glass = true only).

    `vouched check` then passes with the overridden findings listed apart; a review sign-off of the
    same tree is due within the policy's retro_review_days, or every later check fails.
    """
    from vouched.ledger.sign import sign_break_glass

    git = _git(repo)
    base = _base_or_default(git, base)
    signed = sign_break_glass(git, _signer(git, base, key), base=base, head=head, reason=reason, hours=expires_in)
    click.echo(f"break-glass override by {signed.person.id}; ledger entry {signed.commit[:12]}")
    return EXIT_OK


@cli.group()
def ledger() -> None:
    """Show, verify, share, export and import the signed ledger (refs/vouched/ledger)."""


def _verified(repo: Path) -> Any:
    from vouched.ledger.store import GitLedger
    from vouched.ledger.verify import Roster, verify_ledger
    from vouched.policy import load

    git = _git(repo)
    roster = Roster(lambda base: load(git, base)[1] if git.ref_exists(f"{base}^{{commit}}") else None)
    return verify_ledger(GitLedger(git), roster)


@ledger.command("show")
@_repo_option
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True, help="Output format."
)
def ledger_show(repo: Path, fmt: str) -> int:
    """List every entry that verifies: who signed what, when, and why; then the problems, if any."""
    report = _verified(repo)
    if fmt == "json":
        out = {
            "entries": [
                {
                    "entry": e.position,
                    "commit": e.commit,
                    "signer": e.person.id,
                    "keyid": e.keyid,
                    "statement": e.statement.to_json(),
                }
                for e in report.entries
            ],
            "problems": [p.to_json() for p in report.problems],
        }
        click.echo(json.dumps(out, indent=2))
        return EXIT_OK
    for e in report.entries:
        p = e.statement.predicate
        what = f"{p.stage} {p.decision}" if e.sign_off is not None else f"BREAK-GLASS until {getattr(p, 'expires', '')}"
        subject = (p.commit or "")[:12] if p.commit else f"{getattr(p, 'work_item', '')}"
        text = getattr(p, "rationale", None) or getattr(p, "reason", "")
        click.echo(f"{e.position:>5}  {p.signed_at}  {e.person.id:<12} {what:<24} {subject}  {text}".rstrip())
    for problem in report.problems:
        click.echo(f"problem: {problem}")
    return EXIT_OK


@ledger.command("verify")
@_repo_option
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True, help="Output format."
)
def ledger_verify(repo: Path, fmt: str) -> int:
    """Check the chain, every signature, every signer's key at the base revision, duplicates and replays.

    Exit 0 when every entry verifies, 1 when any does not (each failure names the entry and the reason).
    """
    report = _verified(repo)
    if fmt == "json":
        out = {
            "ok": report.ok,
            "entries": report.total,
            "verified": len(report.entries),
            "problems": [p.to_json() for p in report.problems],
        }
        click.echo(json.dumps(out, indent=2))
    else:
        for problem in report.problems:
            click.echo(f"FAIL {problem}")
        status = "ok" if report.ok else "FAIL"
        click.echo(f"{status}: {len(report.entries)} of {report.total} entries verify")
    return EXIT_OK if report.ok else EXIT_FINDINGS


def _remote_option(f: Any) -> Any:
    return click.option("--remote", default="origin", show_default=True, help="The remote to exchange with.")(f)


@ledger.command("push")
@_repo_option
@_remote_option
def ledger_push(repo: Path, remote: str) -> int:
    """Send the ledger to a remote: fetch, put local entries on top of the remote's, push, retry on a race."""
    from vouched.ledger.store import GitLedger

    sent = GitLedger(_git(repo)).push(remote)
    click.echo(f"pushed refs/vouched/ledger to {remote} ({sent} new entries)")
    return EXIT_OK


@ledger.command("pull")
@_repo_option
@_remote_option
def ledger_pull(repo: Path, remote: str) -> int:
    """Fetch a remote's ledger; local entries it lacks are re-committed on top of it (signatures unchanged)."""
    from vouched.ledger.store import GitLedger

    fetched, replayed = GitLedger(_git(repo)).pull(remote)
    click.echo(f"pulled refs/vouched/ledger from {remote}: {fetched} new, {replayed} local entries kept on top")
    return EXIT_OK


@ledger.command("export")
@_repo_option
@click.option(
    "--output",
    metavar="FILE",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to FILE instead of standard output.",
)
def ledger_export(repo: Path, output: Path | None) -> int:
    """Write every entry as JSON Lines, one DSSE envelope a line, oldest first (exactly as stored)."""
    from vouched.ledger.store import GitLedger

    lines = b"".join((e.raw or b"") + b"\n" for e in GitLedger(_git(repo)).entries() if e.raw is not None)
    if output is None:
        sys.stdout.buffer.write(lines)
        sys.stdout.flush()
    else:
        _write(output, lines.decode("utf-8"))
    return EXIT_OK


@ledger.command("import")
@click.argument("file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@_repo_option
def ledger_import(file: Path, repo: Path) -> int:
    """Append the envelopes of a JSON Lines FILE that the ledger does not hold yet (verify them after)."""
    from vouched.ledger.store import GitLedger

    added, skipped = GitLedger(_git(repo)).import_lines(file.read_bytes().splitlines(), str(file))
    click.echo(f"imported {added} entries ({skipped} already held); run `vouched ledger verify`")
    return EXIT_OK


@cli.group()
def audit() -> None:
    """Signed evidence for auditors: overdue overrides, export a period, verify a bundle offline."""


def _date(value: str, name: str) -> Any:
    from datetime import UTC, datetime

    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        raise UsageError(f"{name} {value!r} is not a date", hint="write YYYY-MM-DD or an ISO 8601 time") from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


@audit.command("overdue")
@_repo_option
@click.option("--base", metavar="REV", help="The branch changes merge into (default: the default branch).")
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True, help="Output format."
)
def audit_overdue(repo: Path, base: str | None, fmt: str) -> int:
    """List break-glass overrides whose retrospective review is overdue; exit 1 if there is any.

    Each one blocks every change to the repository (breakglass.retro-overdue) until someone other than
    its signer signs a review of the overridden head.
    """
    from datetime import UTC, datetime

    from vouched.ledger.audit import overdue_overrides

    git = _git(repo)
    rev = _base_or_default(git, base)
    days, found, problems = overdue_overrides(git, rev, datetime.now(UTC))
    if fmt == "json":
        out = {
            "retro_review_days": days,
            "overdue": [o.to_json() for o in found],
            "problems": [p.to_json() for p in problems],
        }
        click.echo(json.dumps(out, indent=2))
        return EXIT_FINDINGS if found else EXIT_OK
    for o in found:
        bg = o.override
        click.echo(
            f"OVERDUE breakglass.retro-overdue: override by {o.entry.person.id} of {bg.commit[:12]} on "
            f"{bg.signed_at} ({bg.reason}): review was due {o.due:%Y-%m-%dT%H:%M:%SZ}"
        )
        click.echo(f"  fix: vouched sign --stage review --decision approve --head {bg.commit}  (not {bg.signer})")
    for problem in problems:
        click.echo(f"warning: ledger {problem}", err=True)
    if found:
        click.echo(f"FAIL: {len(found)} override(s) without a retrospective review within {days} day(s)")
        return EXIT_FINDINGS
    click.echo(f"ok: no override is overdue for its retrospective review ({days} day(s))")
    return EXIT_OK


@audit.command("export")
@_repo_option
@click.option("--since", metavar="DATE", required=True, help="First day included (YYYY-MM-DD, UTC).")
@click.option("--until", metavar="DATE", required=True, help="First day excluded (YYYY-MM-DD, UTC).")
@click.option("--tier", metavar="NAME", help="Only changes whose riskiest tier is NAME.")
@click.option(
    "--output",
    metavar="DIR",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="The folder to write the bundle to (new or empty).",
)
def audit_export(repo: Path, since: str, until: str, tier: str | None, output: Path) -> int:
    """Write a bundle: the envelopes, a CSV chain of custody and a summary, for changes signed in a period."""
    from vouched.ledger.audit import export_bundle

    result = export_bundle(_git(repo), output, _date(since, "--since"), _date(until, "--until"), tier)
    click.echo(f"wrote {output}: {result.entries} envelopes, {result.changes} changes")
    for problem in result.problems:
        click.echo(f"warning: ledger {problem}", err=True)
    return EXIT_OK


@audit.command("verify")
@click.argument("bundle", type=click.Path(file_okay=False, exists=True, path_type=Path))
@_repo_option
def audit_verify(bundle: Path, repo: Path) -> int:
    """Re-check a BUNDLE with nothing but it and the repository; exit 1 on any tampering."""
    from vouched.ledger.audit import verify_bundle

    result = verify_bundle(_git(repo), bundle)
    for problem in result.problems:
        click.echo(f"FAIL {problem}")
    status = "FAIL" if result.problems else "ok"
    click.echo(f"{status}: {result.entries} envelopes, {result.changes} changes")
    return EXIT_FINDINGS if result.problems else EXIT_OK


# -- entry point ------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> NoReturn:
    """Run the CLI and exit with the documented code; the one place errors are turned into messages."""
    if hasattr(signal, "SIGPIPE"):
        # When the reader goes away (`vouched provenance | head`), stop quietly as git and cat do.
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    code = _run(argv)
    sys.exit(code)


def _run(argv: list[str] | None) -> int:
    try:
        result = cli.main(args=argv, prog_name="vouched", standalone_mode=False)
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        return EXIT_USAGE
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        return 130
    except VouchedError as exc:
        if _state["verbose"]:
            traceback.print_exc()
        click.echo(exc.diagnostics(), err=True)
        return exc.exit_code
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        return 130
    except BrokenPipeError:
        # The reader went away (`vouched provenance | head`): not an error of ours.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
    except Exception as exc:  # a bug: say so, and how to report it
        if _state["verbose"]:
            traceback.print_exc()
        click.echo(f"internal error: {type(exc).__name__}: {exc}", err=True)
        click.echo("this is a bug in vouched; run the same command with -v and report the output", err=True)
        return EXIT_INTERNAL
    return int(result) if isinstance(result, int) else EXIT_OK
