"""The signed ledger on real repositories with real keys: signing, storing, verifying, every listed attack."""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from vouched.gate.engine import evaluate, judge
from vouched.gate.findings import Verdict
from vouched.git import Git, ScratchRepo
from vouched.ledger import FileSigner, GitLedger, SigningKeyError, pae, parse_envelope
from vouched.ledger.agent import AgentSigner
from vouched.ledger.keys import fingerprint
from vouched.ledger.sign import sign_break_glass, sign_off
from vouched.ledger.store import LEDGER_REF
from vouched.ledger.verify import Report, Roster, verify_entries
from vouched.policy import load

from ledger_kit import STAGED_POLICY, Key, append_raw, make_key, people_toml, raw_envelope, rebuild, who

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
AI = "Co-Authored-By: Claude <noreply@anthropic.com>"


@pytest.fixture
def keys(tmp_path: Path) -> dict[str, Key]:
    d = tmp_path / "keys"
    d.mkdir()
    return {pid: make_key(d, pid) for pid in ("alice", "bob", "carol", "dave", "erin", "mallory")}


@pytest.fixture
def shop(repo: ScratchRepo, keys: dict[str, Key]) -> ScratchRepo:
    listed = {pid: [k] for pid, k in keys.items() if pid != "mallory"}
    repo.commit(
        "Adopt vouched\n\nAssisted-by: none\n",
        {
            ".vouched/policy.toml": STAGED_POLICY,
            ".vouched/people.toml": people_toml(listed),
            "docs/pay-12.md": "# PAY-12: refunds\nRequirements and design.\n",
            "src/auth/login.py": "def check(a, b):\n    return a == b\n",
        },
    )
    repo.git("checkout", "-q", "-b", "feature")
    repo.commit(
        f"Constant-time compare\n\nRefs: PAY-12\nAI-Rationale: reviewed\n{AI}",
        {"src/auth/login.py": "import hmac\n\ndef check(a, b):\n    return hmac.compare_digest(a, b)\n"},
        author=who("alice"),
    )
    return repo


def sign(repo: ScratchRepo, key: Key, stage: str, decision: str = "approve", **kw: object) -> str:
    extra: dict[str, object] = {"rationale": "looked at it", **kw}
    if stage in ("requirements", "design"):
        extra.setdefault("document", "docs/pay-12.md")
    signed = sign_off(
        Git(repo.path),
        key.signer(),
        base="main",
        head="feature",
        stage=stage,
        decision=decision,
        now=NOW,
        **extra,  # type: ignore[arg-type]
    )
    return signed.commit


def sign_all(repo: ScratchRepo, keys: dict[str, Key]) -> None:
    sign(repo, keys["dave"], "requirements")
    sign(repo, keys["dave"], "design")
    sign(repo, keys["alice"], "implementation")  # the author may sign implementation
    sign(repo, keys["dave"], "review")
    sign(repo, keys["erin"], "review")


def verdict(repo: ScratchRepo, now: datetime = NOW) -> Verdict:
    return judge(evaluate(Git(repo.path), "main", "feature", [], now=now))


def blocking(v: Verdict) -> set[str]:
    return {f.rule for f in v.blocking}


def verify(repo: ScratchRepo) -> Report:
    git = Git(repo.path)
    store = GitLedger(git)
    entries = store.entries()
    roster = Roster(lambda base: load(git, base)[1])
    return verify_entries(entries, roster, rewrites=store.rewrites(entries))


def reasons(report: Report) -> list[tuple[int | None, str]]:
    return [(p.position, p.reason) for p in report.problems]


def entries_raw(repo: ScratchRepo) -> list[bytes]:
    return [e.raw or b"" for e in GitLedger(Git(repo.path)).entries()]


# -- DSSE and keys ----------------------------------------------------------------------------------


def test_pae_matches_the_dsse_spec_example() -> None:
    assert pae("http://example.com/HelloWorld", b"hello world") == (
        b"DSSEv1 29 http://example.com/HelloWorld 11 hello world"
    )
    assert pae("", b"") == b"DSSEv1 0  0 "


@pytest.mark.skipif(shutil.which("ssh-keygen") is None, reason="ssh-keygen is not installed")
def test_keyid_is_the_fingerprint_ssh_keygen_prints(keys: dict[str, Key]) -> None:
    out = subprocess.run(
        ["ssh-keygen", "-l", "-f", str(keys["alice"].path) + ".pub"], capture_output=True, text=True, check=True
    ).stdout
    assert out.split()[1] == keys["alice"].keyid == keys["alice"].signer().keyid


def test_encrypted_key_needs_its_passphrase(tmp_path: Path) -> None:
    key = make_key(tmp_path, "locked", passphrase=b"correct horse")
    with pytest.raises(SigningKeyError, match="passphrase"):
        FileSigner(key.path)
    with pytest.raises(SigningKeyError, match="wrong passphrase") as err:
        FileSigner(key.path, lambda: "nope")
    assert "PRIVATE" not in err.value.message
    signer = FileSigner(key.path, lambda: "correct horse")
    data = b"payload"
    assert parse_envelope_key(key).verify(signer.sign(data), data)


def parse_envelope_key(key: Key):  # type: ignore[no-untyped-def]
    from vouched.ledger import parse_public_key

    return parse_public_key(key.line)


def test_a_public_key_or_garbage_is_not_a_signing_key(tmp_path: Path, keys: dict[str, Key]) -> None:
    with pytest.raises(SigningKeyError, match="public key"):
        FileSigner(str(keys["alice"].path) + ".pub")
    bad = tmp_path / "bad"
    bad.write_text("-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n")
    with pytest.raises(SigningKeyError, match="cannot load"):
        FileSigner(bad)
    with pytest.raises(SigningKeyError, match="does not exist"):
        FileSigner(tmp_path / "absent")


@pytest.mark.skipif(shutil.which("ssh-agent") is None, reason="openssh-client is not installed")
def test_signing_through_a_real_ssh_agent(tmp_path: Path, keys: dict[str, Key]) -> None:
    sock = tmp_path / "agent.sock"
    agent = subprocess.Popen(["ssh-agent", "-D", "-a", str(sock)], stdout=subprocess.DEVNULL)
    try:
        for _ in range(100):
            if sock.exists():
                break
            subprocess.run(["sleep", "0.05"], check=True)
        env = {**os.environ, "SSH_AUTH_SOCK": str(sock)}
        subprocess.run(["ssh-add", "-q", str(keys["erin"].path)], env=env, check=True, capture_output=True)
        subprocess.run(["ssh-add", "-q", str(keys["dave"].path)], env=env, check=True, capture_output=True)
        signer = AgentSigner([parse_envelope_key(keys["dave"])], sock=str(sock))
        assert signer.keyid == keys["dave"].keyid
        data = pae("application/vnd.in-toto+json", b"{}")
        assert parse_envelope_key(keys["dave"]).verify(signer.sign(data), data)
        with pytest.raises(SigningKeyError, match="none of ssh-agent"):
            AgentSigner([parse_envelope_key(keys["alice"])], sock=str(sock))
    finally:
        agent.terminate()
        agent.wait()


# -- signing, storing, verifying ------------------------------------------------------------------------


def test_sign_appends_one_commit_per_envelope_without_touching_the_worktree(
    shop: ScratchRepo, keys: dict[str, Key]
) -> None:
    status = shop.git("status", "--porcelain")
    index = (shop.path / ".git" / "index").read_bytes()
    first = sign(shop, keys["dave"], "review")
    second = sign(shop, keys["erin"], "review")
    assert shop.git("rev-parse", f"{second}^").strip() == first
    assert shop.git("ls-tree", "--name-only", second).split() == ["envelope.json"]
    assert shop.git("status", "--porcelain") == status
    assert (shop.path / ".git" / "index").read_bytes() == index
    report = verify(shop)
    assert report.ok, reasons(report)
    assert [e.person.id for e in report.entries] == ["dave", "erin"]
    statement = json.loads(parse_envelope(entries_raw(shop)[0]).payload)
    assert statement["_type"] == "https://in-toto.io/Statement/v1"
    assert statement["predicateType"] == "https://vouched.dev/attestation/sign-off/v1"
    head = shop.git("rev-parse", "feature").strip()
    tree = shop.git("rev-parse", "feature^{tree}").strip()
    assert statement["subject"] == [{"name": "head", "digest": {"gitCommit": head, "gitTree": tree}}]
    assert statement["predicate"]["previous"] is None
    second_statement = json.loads(parse_envelope(entries_raw(shop)[1]).payload)
    assert second_statement["predicate"]["previous"].startswith("sha256:")


def test_a_key_not_on_the_roster_cannot_sign(shop: ScratchRepo, keys: dict[str, Key]) -> None:
    with pytest.raises(SigningKeyError, match="not listed"):
        sign(shop, keys["mallory"], "review")


# -- the attacks -----------------------------------------------------------------------------------------


def test_edited_envelope_signature_is_named(shop: ScratchRepo, keys: dict[str, Key]) -> None:
    sign(shop, keys["dave"], "review")
    env = json.loads(entries_raw(shop)[0])
    sig = bytearray(base64.b64decode(env["signatures"][0]["sig"]))
    sig[0] ^= 1
    env["signatures"][0]["sig"] = base64.b64encode(bytes(sig)).decode()
    rebuild(shop, [json.dumps(env).encode()])
    assert (1, "signature.invalid") in reasons(verify(shop))


def test_edited_payload_is_named(shop: ScratchRepo, keys: dict[str, Key]) -> None:
    sign(shop, keys["dave"], "review", decision="reject")
    env = json.loads(entries_raw(shop)[0])
    payload = base64.b64decode(env["payload"]).replace(b'"reject"', b'"approve"')
    env["payload"] = base64.b64encode(payload).decode()
    rebuild(shop, [json.dumps(env).encode()])
    report = verify(shop)
    assert (1, "signature.invalid") in reasons(report)
    assert not report.entries


def test_deleted_entry_is_named(shop: ScratchRepo, keys: dict[str, Key]) -> None:
    sign(shop, keys["dave"], "review")
    sign(shop, keys["erin"], "review")
    sign(shop, keys["alice"], "implementation")
    raws = entries_raw(shop)
    rebuild(shop, [raws[0], raws[2]])
    got = reasons(verify(shop))
    assert (2, "entry.missing-link") in got
    assert (None, "ledger.rewritten") in got  # the reflog remembers the entry


def test_reordered_entries_are_named(shop: ScratchRepo, keys: dict[str, Key]) -> None:
    sign(shop, keys["dave"], "review")
    sign(shop, keys["erin"], "review")
    raws = entries_raw(shop)
    rebuild(shop, [raws[1], raws[0]])
    assert (1, "entry.out-of-order") in reasons(verify(shop))


def _statement(shop: ScratchRepo, signer: str, **predicate: object) -> dict[str, object]:
    base = shop.git("rev-parse", "main").strip()
    head = shop.git("rev-parse", "feature").strip()
    tree = shop.git("rev-parse", "feature^{tree}").strip()
    return {
        "_type": "https://in-toto.io/Statement/v1",
        "subject": [{"name": "head", "digest": {"gitCommit": head, "gitTree": tree}}],
        "predicateType": "https://vouched.dev/attestation/sign-off/v1",
        "predicate": {
            "stage": "review",
            "decision": "approve",
            "signer": signer,
            "signedAt": "2026-03-01T12:00:00Z",
            "base": base,
            "policyDigest": "sha256:" + "0" * 64,
            "rationale": "",
            "previous": None,
            **predicate,
        },
    }


def test_unlisted_key_is_named(shop: ScratchRepo, keys: dict[str, Key]) -> None:
    append_raw(shop, raw_envelope(_statement(shop, "dave"), keys["mallory"]))
    assert reasons(verify(shop)) == [(1, "signature.unlisted-key")]
    assert "approvals.insufficient" in blocking(verdict(shop))


def test_key_listed_for_another_person_is_named(shop: ScratchRepo, keys: dict[str, Key]) -> None:
    # Erin signs with her own key but claims to be Dave; or Dave's key "moves" to Erin: either way no count.
    append_raw(shop, raw_envelope(_statement(shop, "dave"), keys["erin"]))
    assert reasons(verify(shop)) == [(1, "signature.wrong-person")]


def test_key_moved_to_another_person_stops_counting_at_the_new_base(
    shop: ScratchRepo, keys: dict[str, Key], tmp_path: Path
) -> None:
    sign(shop, keys["dave"], "review")
    sign(shop, keys["erin"], "review")
    # On main, Dave's key is moved to Carol's entry: for changes on the new base, Dave's signature does not count.
    shop.git("checkout", "-q", "main")
    moved = {"alice": [keys["alice"]], "carol": [keys["dave"]], "erin": [keys["erin"]]}
    shop.commit("move key\n\nAssisted-by: none", {".vouched/people.toml": people_toml(moved)}, author=who("alice"))
    shop.git("checkout", "-q", "feature")
    ev = evaluate(Git(shop.path), "main", "feature", [], now=NOW)
    assert ev.ledger is not None
    assert any(p.reason == "signature.wrong-person" for p in ev.ledger.problems)
    assert "approvals.insufficient" in blocking(judge(ev))


def test_wrong_predicate_type_is_named(shop: ScratchRepo, keys: dict[str, Key]) -> None:
    statement = _statement(shop, "dave")
    statement["predicateType"] = "https://slsa.dev/provenance/v1"
    append_raw(shop, raw_envelope(statement, keys["dave"]))
    assert reasons(verify(shop)) == [(1, "statement.predicate-type")]


def test_malformed_envelope_and_tree_are_named(shop: ScratchRepo, keys: dict[str, Key]) -> None:
    append_raw(shop, b'{"payload": "!!", "payloadType": "application/vnd.in-toto+json", "signatures": []}')
    append_raw(shop, b"", files={"envelope.json": b"{}", "extra.txt": b"x"})
    sign(shop, keys["dave"], "review")  # the ledger keeps working after garbage
    got = reasons(verify(shop))
    assert got == [(1, "envelope.malformed"), (2, "entry.tree")]


def test_replay_of_the_same_entry_is_a_duplicate(shop: ScratchRepo, keys: dict[str, Key]) -> None:
    sign(shop, keys["dave"], "review")
    append_raw(shop, entries_raw(shop)[0])
    assert reasons(verify(shop)) == [(2, "entry.duplicate")]


def test_replay_onto_another_change_does_not_count(shop: ScratchRepo, keys: dict[str, Key]) -> None:
    sign_all(shop, keys)
    assert verdict(shop).passed
    # The same signed approvals, on a different change (another tree): none of them counts.
    shop.git("checkout", "-q", "-b", "other", "main")
    shop.commit("other\n\nRefs: PAY-99\nAssisted-by: none", {"src/auth/login.py": "x = 1\n"}, author=who("alice"))
    v = judge(evaluate(Git(shop.path), "main", "other", [], now=NOW))
    assert {"stages.unverified", "approvals.insufficient"} <= blocking(v)


def test_truncated_ref_is_named(shop: ScratchRepo, keys: dict[str, Key]) -> None:
    sign(shop, keys["dave"], "review")
    sign(shop, keys["erin"], "review")
    first = shop.git("rev-list", "--max-parents=0", LEDGER_REF).strip()
    shop.git("update-ref", LEDGER_REF, first)  # the ref moved back: the second entry is gone
    assert (None, "ledger.rewritten") in reasons(verify(shop))
    # A ref file cut short is reported, not trusted and not a crash.
    (shop.path / ".git" / LEDGER_REF).write_text(first[:20] + "\n")
    with pytest.raises(Exception, match="broken"):
        GitLedger(Git(shop.path)).entries()
    v = verdict(shop)
    assert any(f.rule == "ledger.invalid" for f in v.findings)
    assert not v.passed


# -- the gate --------------------------------------------------------------------------------------------


def test_red_change_passes_with_every_stage_two_reviews_and_a_rationale(
    shop: ScratchRepo, keys: dict[str, Key]
) -> None:
    sign_all(shop, keys)
    v = verdict(shop)
    assert v.passed, [f.message for f in v.blocking]


@pytest.mark.parametrize("missing", ["requirements", "design", "implementation"])
def test_each_missing_stage_fails_precisely(shop: ScratchRepo, keys: dict[str, Key], missing: str) -> None:
    for stage in ("requirements", "design", "implementation"):
        if stage != missing:
            sign(shop, keys["dave"] if stage != "implementation" else keys["alice"], stage)
    sign(shop, keys["dave"], "review")
    sign(shop, keys["erin"], "review")
    v = verdict(shop)
    assert blocking(v) == {"stages.unverified"}
    assert [f for f in v.blocking if missing in f.message]


def test_self_review_does_not_count(shop: ScratchRepo, keys: dict[str, Key]) -> None:
    sign_all(shop, keys)
    sign(shop, keys["alice"], "review")  # the author approves her own change
    shop.git("update-ref", "-d", LEDGER_REF)
    for stage, k in [("requirements", "dave"), ("design", "dave"), ("implementation", "alice")]:
        sign(shop, keys[k], stage)
    sign(shop, keys["alice"], "review")
    sign(shop, keys["dave"], "review")
    v = verdict(shop)
    assert blocking(v) == {"approvals.insufficient"}
    assert any("authored part of this change" in f.message for f in v.findings)


def test_two_keys_of_one_person_count_once(shop: ScratchRepo, keys: dict[str, Key], tmp_path: Path) -> None:
    second = make_key(tmp_path / "keys", "dave2")
    shop.git("checkout", "-q", "main")
    listed = {pid: [k] for pid, k in keys.items() if pid != "mallory"}
    listed["dave"].append(second)
    shop.commit("dave's second key", {".vouched/people.toml": people_toml(listed)}, author=who("erin"))
    shop.git("checkout", "-q", "feature")
    shop.git("rebase", "-q", "main")
    for stage, k in [("requirements", "dave"), ("design", "dave"), ("implementation", "alice")]:
        sign(shop, keys[k], stage)
    sign(shop, keys["dave"], "review")
    sign_off(
        Git(shop.path),
        FileSigner(second.path),
        base="main",
        head="feature",
        stage="review",
        decision="approve",
        now=NOW,
    )
    assert blocking(verdict(shop)) == {"approvals.insufficient"}


def test_stale_approval_after_a_new_push_but_not_for_an_identical_tree(shop: ScratchRepo, keys: dict[str, Key]) -> None:
    sign_all(shop, keys)
    shop.commit("more\n\nAssisted-by: none", {"src/auth/login.py": "x = 2\n"}, author=who("alice"))
    v = verdict(shop)
    assert {"stages.unverified", "approvals.insufficient"} <= blocking(v)
    assert any("stale" in f.message for f in v.findings)
    # Amend the message only: a new commit with the identical tree keeps every sign-off.
    shop.git("reset", "-q", "--hard", "HEAD~1")
    shop.git("commit", "-q", "--amend", "-m", "Same tree\n\nRefs: PAY-12\nAI-Rationale: ok\n" + AI)
    assert verdict(shop).passed


def test_changed_document_makes_design_sign_off_stale(shop: ScratchRepo, keys: dict[str, Key]) -> None:
    sign_all(shop, keys)
    shop.commit("doc\n\nAssisted-by: none", {"docs/pay-12.md": "# changed\n"}, author=who("alice"))
    sign(shop, keys["alice"], "implementation")
    sign(shop, keys["dave"], "review")
    sign(shop, keys["erin"], "review")
    v = verdict(shop)
    assert blocking(v) == {"stages.unverified"}
    assert any("changed since it was signed off" in f.message for f in v.findings)


def test_rejection_blocks(shop: ScratchRepo, keys: dict[str, Key]) -> None:
    sign_all(shop, keys)
    sign(shop, keys["erin"], "review", decision="needs-work", rationale="missing tests")
    v = verdict(shop)
    assert "stages.rejected" in blocking(v)
    assert any("missing tests" in f.message for f in v.blocking)


def test_signed_rationale_meets_require_rationale(shop: ScratchRepo, keys: dict[str, Key]) -> None:
    shop.commit("ai without rationale\n\nRefs: PAY-12\n" + AI, {"src/auth/x.py": "y = 1\n"}, author=who("alice"))
    sign_all(shop, keys)
    assert verdict(shop).passed  # the implementation and review sign-offs carry rationales


def test_junior_stage_sign_off_does_not_count(shop: ScratchRepo, keys: dict[str, Key]) -> None:
    sign_all(shop, keys)
    shop.git("update-ref", "-d", LEDGER_REF)
    sign(shop, keys["carol"], "requirements")
    for stage, k in [("design", "dave"), ("implementation", "alice"), ("review", "dave"), ("review", "erin")]:
        sign(shop, keys[k], stage)
    v = verdict(shop)
    assert blocking(v) == {"stages.unverified"}


def test_unsigned_forge_approvals_do_not_count_in_a_staged_tier(
    shop: ScratchRepo, keys: dict[str, Key], tmp_path: Path
) -> None:
    from vouched.gate.approvals import GitHubReviews

    for stage, k in [("requirements", "dave"), ("design", "dave"), ("implementation", "alice")]:
        sign(shop, keys[k], stage)
    head = shop.git("rev-parse", "HEAD").strip()
    reviews = tmp_path / "reviews.json"
    reviews.write_text(
        json.dumps(
            [
                {"user": {"login": f"{p}-gh"}, "state": "APPROVED", "commit_id": head, "submitted_at": "T"}
                for p in ("dave", "erin")
            ]
        )
    )
    v = judge(evaluate(Git(shop.path), "main", "feature", [GitHubReviews(reviews)], now=NOW))
    assert "approvals.insufficient" in blocking(v)
    assert any("unsigned forge approvals" in f.message for f in v.blocking)


# -- break-glass -----------------------------------------------------------------------------------------


def test_break_glass_overrides_and_then_demands_a_retro_review(shop: ScratchRepo, keys: dict[str, Key]) -> None:
    assert not verdict(shop).passed
    sign_break_glass(
        Git(shop.path),
        keys["alice"].signer(),
        base="main",
        head="feature",
        reason="INC-42: logins down",
        hours=4,
        now=NOW,
    )
    v = verdict(shop, NOW + timedelta(hours=1))
    assert v.passed
    assert v.overridden and all(f.overridden for f in v.overridden)
    assert v.to_json()["overridden"] == len(v.overridden)
    assert any(f.rule == "breakglass.applied" for f in v.findings)
    # Expired: the override no longer applies; eight days on, an unreviewed override blocks everything.
    late = verdict(shop, NOW + timedelta(days=8))
    assert "breakglass.retro-overdue" in blocking(late)
    sign(shop, keys["dave"], "review")
    assert "breakglass.retro-overdue" not in blocking(verdict(shop, NOW + timedelta(days=8)))


def test_only_break_glass_people_may_override(shop: ScratchRepo, keys: dict[str, Key]) -> None:
    with pytest.raises(SigningKeyError, match="break-glass"):
        sign_break_glass(Git(shop.path), keys["dave"].signer(), base="main", head="feature", reason="x", hours=1)


# -- travelling: push, pull, concurrency, JSON Lines --------------------------------------------------------


def _clone(origin: ScratchRepo, path: Path) -> ScratchRepo:
    clone = ScratchRepo(path, branch="scratch")
    clone.git("remote", "add", "origin", str(origin.path))
    clone.git("fetch", "-q", "origin", "main:main", "feature:feature")
    clone.git("checkout", "-q", "feature")
    return clone


def test_concurrent_appends_in_two_clones_both_survive(shop: ScratchRepo, keys: dict[str, Key], tmp_path: Path) -> None:
    sign(shop, keys["alice"], "implementation")
    one, two = _clone(shop, tmp_path / "one"), _clone(shop, tmp_path / "two")
    for clone in (one, two):
        GitLedger(Git(clone.path)).pull("origin")
    sign(one, keys["dave"], "review")
    sign(two, keys["erin"], "review")
    assert GitLedger(Git(one.path)).push("origin") == 1
    GitLedger(Git(two.path)).push("origin")  # refused at first; pulls, re-commits its entry on top, pushes
    GitLedger(Git(one.path)).pull("origin")
    for repo in (shop, one, two):
        report = verify(repo)
        assert report.ok, reasons(report)
        assert sorted(e.person.id for e in report.entries) == ["alice", "dave", "erin"]
    assert shop.git("rev-parse", LEDGER_REF) == two.git("rev-parse", LEDGER_REF)


def test_many_threads_appending_at_once_lose_nothing(shop: ScratchRepo, keys: dict[str, Key]) -> None:
    from concurrent.futures import ThreadPoolExecutor

    raws = [raw_envelope(_statement(shop, "dave", rationale=str(i)), keys["dave"]) for i in range(12)]
    store = GitLedger(Git(shop.path))
    with ThreadPoolExecutor(6) as pool:
        list(pool.map(store.append, raws))
    assert sorted(entries_raw(shop)) == sorted(raws)


def test_jsonl_export_import_round_trip(shop: ScratchRepo, keys: dict[str, Key], tmp_path: Path) -> None:
    sign(shop, keys["dave"], "review")
    sign(shop, keys["erin"], "review")
    lines = entries_raw(shop)
    other = ScratchRepo(tmp_path / "other", branch="scratch")
    other.git("fetch", "-q", str(shop.path), "main:main", "feature:feature")
    store = GitLedger(Git(other.path))
    assert store.import_lines(lines, "export.jsonl") == (2, 0)
    assert store.import_lines(lines, "export.jsonl") == (0, 2)
    assert entries_raw(other) == lines
    with pytest.raises(Exception, match=r"export\.jsonl:1"):
        store.import_lines([b"{not json"], "export.jsonl")


def test_fingerprint_format() -> None:
    assert fingerprint(b"").startswith("SHA256:") and not fingerprint(b"").endswith("=")


# -- the commands ----------------------------------------------------------------------------------------


def _cli(*args: str) -> tuple[int, str]:
    from click.testing import CliRunner

    from vouched.cli import _run

    runner = CliRunner()
    with runner.isolation() as streams:
        code = _run(list(args))
        return code, streams[0].getvalue().decode()


def test_cli_sign_verify_export_and_audit(shop: ScratchRepo, keys: dict[str, Key], tmp_path: Path) -> None:
    repo = str(shop.path)
    for stage, k, extra in [
        ("requirements", "dave", ["--document", "docs/pay-12.md"]),
        ("design", "dave", ["--document", "docs/pay-12.md"]),
        ("implementation", "alice", []),
        ("review", "dave", []),
        ("review", "erin", []),
    ]:
        code, out = _cli(
            "sign", "--repo", repo, "--base", "main", "--stage", stage, "--decision", "approve",
            "--rationale", "ok", "--key", str(keys[k].path), *extra,
        )  # fmt: skip
        assert code == 0, out
    code, out = _cli("ledger", "verify", "--repo", repo)
    assert code == 0 and "5 of 5 entries verify" in out
    code, out = _cli("ledger", "show", "--repo", repo)
    assert "review approve" in out
    code, out = _cli("check", "--repo", repo, "--base", "main", "--head", "feature")
    assert code == 0, out
    # export, then import into a fresh ledger
    export = tmp_path / "ledger.jsonl"
    assert _cli("ledger", "export", "--repo", repo, "--output", str(export))[0] == 0
    assert len(export.read_text().splitlines()) == 5
    # the audit bundle verifies, and any edit to it is reported
    bundle = tmp_path / "bundle"
    code, out = _cli(
        "audit", "export", "--repo", repo, "--since", "2026-01-01", "--until", "2027-01-01", "--output", str(bundle)
    )
    assert code == 0, out
    assert "pass" in (bundle / "custody.csv").read_text()
    code, out = _cli("audit", "verify", str(bundle), "--repo", repo)
    assert code == 0, out
    custody = bundle / "custody.csv"
    custody.write_text(custody.read_text().replace("pass", "fail"))
    code, out = _cli("audit", "verify", str(bundle), "--repo", repo)
    assert code == 1 and "custody.csv does not match" in out
    # a tampered ledger fails `ledger verify` with the entry and the reason
    raws = entries_raw(shop)
    rebuild(shop, [raws[0], raws[2], raws[1], raws[3], raws[4]])
    code, out = _cli("ledger", "verify", "--repo", repo)
    assert code == 1 and "entry 2" in out and "entry.out-of-order" in out


def test_cli_sign_with_an_unlisted_key_is_a_clear_error(shop: ScratchRepo, keys: dict[str, Key]) -> None:
    code, _ = _cli(
        "sign", "--repo", str(shop.path), "--base", "main", "--stage", "review", "--decision", "approve",
        "--key", str(keys["mallory"].path),
    )  # fmt: skip
    assert code == 2


# -- the index: check reads only what concerns the change --------------------------------------------------


def _no_full_read(monkeypatch: pytest.MonkeyPatch) -> None:
    from vouched.ledger import evidence

    def refuse(*_: object) -> object:
        raise AssertionError("the gate read the whole ledger")

    monkeypatch.setattr(evidence, "_everything", refuse)


def _other_change(shop: ScratchRepo, keys: dict[str, Key], n: int) -> None:
    """``n`` review sign-offs of another change, appended as vouched appends them (index included)."""
    shop.git("checkout", "-q", "-b", "other", "main")
    shop.commit("other\n\nAssisted-by: none", {"src/orders/x.py": "x = 1\n"}, author=who("bob"))
    for i in range(n):
        sign_off(Git(shop.path), keys["dave"].signer(), base="main", head="other", stage="review",
                 decision="approve", rationale=str(i), now=NOW)  # fmt: skip
    shop.git("checkout", "-q", "feature")


def _relabel(repo: ScratchRepo, position: int, message: str) -> None:
    """Rewrite the ledger with entry ``position``'s commit message replaced (the envelopes are unchanged)."""
    git = Git(repo.path)
    parent: str | None = None
    for e in GitLedger(git).entries():
        tree = git.make_tree([("envelope.json", git.hash_blob(e.raw or b""))])
        text = message if e.position == position else repo.git("log", "-1", "--format=%B", e.commit or "")
        parent = repo.git(
            "commit-tree", tree, *(["-p", parent] if parent else []), "-F", "-", input=text.encode()
        ).strip()
    assert parent is not None
    repo.git("update-ref", LEDGER_REF, parent)


def test_entries_carry_an_index_and_check_reads_only_those_about_the_change(
    shop: ScratchRepo, keys: dict[str, Key], monkeypatch: pytest.MonkeyPatch
) -> None:
    sign_all(shop, keys)
    _other_change(shop, keys, 3)
    message = shop.git("log", "-1", "--format=%B", LEDGER_REF)
    assert "Vouched-Index: 1" in message and "Vouched-Kind: sign-off" in message
    assert "Vouched-Stage: review" in message and "Vouched-Digest: sha256:" in message
    read: list[int] = []
    original = GitLedger.read

    def spy(self: GitLedger, listed: object, chain: object) -> object:
        out = original(self, listed, chain)  # type: ignore[arg-type]
        read.extend(e.position for e in out)
        return out

    monkeypatch.setattr(GitLedger, "read", spy)
    _no_full_read(monkeypatch)
    assert verdict(shop).passed
    assert 6 not in read and 7 not in read  # the other change's sign-offs, except the neighbour of entry 5
    assert verify(shop).ok


def test_old_entries_without_an_index_still_count(
    shop: ScratchRepo, keys: dict[str, Key], monkeypatch: pytest.MonkeyPatch
) -> None:
    sign_all(shop, keys)
    rebuild(shop, entries_raw(shop))  # commit messages without an index, as an older vouched wrote them
    assert "Vouched-" not in shop.git("log", "--format=%B", LEDGER_REF)
    _no_full_read(monkeypatch)
    assert verdict(shop).passed
    assert verify(shop).ok  # no index is not a problem: older versions wrote none


def test_a_mislabelled_index_is_named_by_verify_and_a_malformed_one_is_read(
    shop: ScratchRepo, keys: dict[str, Key]
) -> None:
    sign_all(shop, keys)
    sign(shop, keys["erin"], "review", decision="needs-work", rationale="missing tests")
    assert "stages.rejected" in blocking(verdict(shop))
    message = shop.git("log", "-1", "--format=%B", LEDGER_REF)
    # A malformed index is no index: the entry is read like one an older vouched wrote.
    _relabel(shop, 6, message.replace("Vouched-Kind: sign-off", "Vouched-Kind: nonsense"))
    assert "stages.rejected" in blocking(verdict(shop))
    assert (6, "entry.index") in reasons(verify(shop))
    # A well-formed index that names another tree: `ledger verify` names the entry and what disagrees.
    tree = shop.git("rev-parse", "feature^{tree}").strip()
    _relabel(shop, 6, message.replace(tree, "0" * 40))
    report = verify(shop)
    assert [(p.position, p.reason) for p in report.problems if p.position == 6] == [(6, "entry.index")]
    assert "tree" in next(p.message for p in report.problems if p.position == 6)


def test_an_approval_labelled_for_this_change_but_about_another_does_not_count(
    shop: ScratchRepo, keys: dict[str, Key]
) -> None:
    for stage, k in [("requirements", "dave"), ("design", "dave"), ("implementation", "alice")]:
        sign(shop, keys[k], stage)
    sign(shop, keys["dave"], "review")
    _other_change(shop, keys, 1)  # Erin's approval below is of the other change
    sign_off(Git(shop.path), keys["erin"].signer(), base="main", head="other", stage="review",
             decision="approve", now=NOW)  # fmt: skip
    assert "approvals.insufficient" in blocking(verdict(shop))
    head = shop.git("rev-parse", "feature").strip()
    tree = shop.git("rev-parse", "feature^{tree}").strip()
    other = shop.git("rev-parse", "other").strip()
    other_tree = shop.git("rev-parse", "other^{tree}").strip()
    message = shop.git("log", "-1", "--format=%B", LEDGER_REF)
    _relabel(shop, 6, message.replace(other_tree, tree).replace(other, head))
    ev = evaluate(Git(shop.path), "main", "feature", [], now=NOW)
    assert ev.ledger is not None and any(p.reason == "entry.index" for p in ev.ledger.problems)
    assert "approvals.insufficient" in blocking(judge(ev))
    assert (6, "entry.index") in reasons(verify(shop))


@pytest.mark.parametrize("label", ["none", "this-change", "reordered"])
def test_a_hidden_or_mislabelled_override_still_demands_its_retro_review(
    shop: ScratchRepo, keys: dict[str, Key], label: str
) -> None:
    signed = sign_break_glass(
        Git(shop.path), keys["alice"].signer(), base="main", head="feature", reason="INC-7", hours=4, now=NOW
    )
    del signed
    # The next change: a new branch from main. Its check must see the overdue override.
    shop.git("checkout", "-q", "-b", "next", "main")
    shop.commit("next\n\nAssisted-by: none", {"README": "x\n"}, author=who("bob"))
    nxt = shop.git("rev-parse", "next").strip()
    nxt_tree = shop.git("rev-parse", "next^{tree}").strip()
    if label == "none":
        _relabel(shop, 1, "entry\n")  # as an older vouched or a hand-made append writes it
    elif label == "reordered":  # a valid index in another order than vouched writes: parsed, still found
        head, _, block = shop.git("log", "-1", "--format=%B", LEDGER_REF).strip().partition("\n\n")
        _relabel(shop, 1, head + "\n\n" + "\n".join(reversed(block.splitlines())) + "\n")
    else:  # claims to be a review sign-off of the next change: read, found to disagree, everything read
        message = shop.git("log", "-1", "--format=%B", LEDGER_REF)
        feature = shop.git("rev-parse", "feature").strip()
        feature_tree = shop.git("rev-parse", "feature^{tree}").strip()
        fake = message.replace("Vouched-Kind: break-glass", "Vouched-Kind: sign-off\nVouched-Stage: review")
        _relabel(shop, 1, fake.replace(feature, nxt).replace(feature_tree, nxt_tree))
    late = judge(evaluate(Git(shop.path), "main", "next", [], now=NOW + timedelta(days=8)))
    assert "breakglass.retro-overdue" in blocking(late)


# -- audit: overdue overrides on their own, and every stage in the custody CSV ------------------------------


def test_audit_overdue_lists_overrides_without_a_retro_review(shop: ScratchRepo, keys: dict[str, Key]) -> None:
    repo = str(shop.path)
    assert _cli("audit", "overdue", "--repo", repo)[0] == 0  # no ledger: nothing is overdue
    sign(shop, keys["alice"], "implementation")
    assert _cli("audit", "overdue", "--repo", repo, "--base", "main")[0] == 0
    sign_break_glass(
        Git(shop.path), keys["alice"].signer(), base="main", head="feature", reason="INC-42: logins down",
        hours=4, now=NOW,
    )  # fmt: skip
    # Signed on 2026-03-01; the retrospective review was due a week later, long before today.
    code, out = _cli("audit", "overdue", "--repo", repo)
    assert code == 1, out
    head = shop.git("rev-parse", "feature").strip()
    assert "breakglass.retro-overdue" in out and "INC-42" in out and head[:12] in out
    code, out = _cli("audit", "overdue", "--repo", repo, "--format", "json")
    found = json.loads(out)
    assert code == 1 and [o["head"] for o in found["overdue"]] == [head] and found["retro_review_days"] == 7
    # A review by the override's own signer does not count; one by someone else does.
    sign(shop, keys["alice"], "review")
    assert _cli("audit", "overdue", "--repo", repo)[0] == 1
    sign(shop, keys["dave"], "review")
    code, out = _cli("audit", "overdue", "--repo", repo)
    assert code == 0 and "no override is overdue" in out


def test_audit_overdue_finds_an_override_without_an_index(shop: ScratchRepo, keys: dict[str, Key]) -> None:
    sign_break_glass(
        Git(shop.path), keys["alice"].signer(), base="main", head="feature", reason="INC-7", hours=4, now=NOW
    )
    sign(shop, keys["dave"], "implementation")
    _relabel(shop, 1, "entry\n")
    assert _cli("audit", "overdue", "--repo", str(shop.path))[0] == 1


def test_custody_csv_lists_requirements_and_design_sign_offs(
    shop: ScratchRepo, keys: dict[str, Key], tmp_path: Path
) -> None:
    import csv

    repo = str(shop.path)
    sign(shop, keys["dave"], "requirements")
    sign(shop, keys["erin"], "design")
    # Only requirements and design so far: a row for the work item, with no change.
    bundle = tmp_path / "early"
    code, out = _cli("audit", "export", "--repo", repo, "--since", "2026-01-01", "--until", "2027-01-01",
                     "--output", str(bundle))  # fmt: skip
    assert code == 0, out
    rows = list(csv.DictReader((bundle / "custody.csv").open()))
    assert [(r["commit"], r["work_items"]) for r in rows] == [("", "PAY-12")]
    assert "requirements:approve:dave@" in rows[0]["sign_offs"] and "design:approve:erin@" in rows[0]["sign_offs"]
    assert _cli("audit", "verify", str(bundle), "--repo", repo)[0] == 0
    # Then the change is built and reviewed: its row carries the requirements and design sign-offs too.
    sign(shop, keys["alice"], "implementation")
    sign(shop, keys["dave"], "review")
    sign(shop, keys["erin"], "review")
    bundle = tmp_path / "late"
    code, out = _cli("audit", "export", "--repo", repo, "--since", "2026-01-01", "--until", "2027-01-01",
                     "--output", str(bundle))  # fmt: skip
    assert code == 0, out
    rows = list(csv.DictReader((bundle / "custody.csv").open()))
    head = shop.git("rev-parse", "feature").strip()
    assert [(r["commit"], r["work_items"], r["verdict"]) for r in rows] == [(head, "PAY-12", "pass")]
    stages = [s.split(":")[0] for s in rows[0]["sign_offs"].split(";")]
    assert stages == ["requirements", "design", "implementation", "review", "review"]
    assert len((bundle / "envelopes.jsonl").read_text().splitlines()) == 5
    assert _cli("audit", "verify", str(bundle), "--repo", repo)[0] == 0


def test_the_local_lookup_follows_the_ledger_as_it_grows_and_is_rewritten(
    shop: ScratchRepo, keys: dict[str, Key], monkeypatch: pytest.MonkeyPatch
) -> None:
    _no_full_read(monkeypatch)
    from vouched.git import Git
    from vouched.ledger.lookup import cache_path

    cache = cache_path(Git(shop.path))
    sign_all(shop, keys)
    assert verdict(shop).passed and cache.is_file()
    assert not (shop.path / ".git" / "vouched").exists()  # check writes nothing into the repository
    raws = entries_raw(shop)
    sign(shop, keys["erin"], "review", decision="needs-work", rationale="missing tests")  # the ledger grows
    assert "stages.rejected" in blocking(verdict(shop))
    rebuild(shop, raws)  # rewritten without the rejection (and without an index): the lookup is rebuilt
    assert verdict(shop).passed
    sign(shop, keys["erin"], "review", decision="reject", rationale="no")
    cache.write_bytes(b'{"version": 1, "tip": "x", "entries": 0}\n\x1e\n')  # a cache that lies is not believed
    assert "stages.rejected" in blocking(verdict(shop))
    cache.write_bytes(b"\xff garbage")
    assert "stages.rejected" in blocking(verdict(shop))
