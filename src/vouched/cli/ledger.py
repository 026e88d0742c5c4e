"""Commands of the signed ledger: sign, break-glass, ledger ..., audit ...."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from vouched.cli._app import EXIT_FINDINGS, EXIT_OK, _git, _repo_option, _write, cli
from vouched.cli._options import base_option, head_option
from vouched.errors import UsageError

if TYPE_CHECKING:
    from vouched.git import Git

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
    f = head_option(f)
    f = base_option("The branch the change merges into (default: the default branch).")(f)
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
