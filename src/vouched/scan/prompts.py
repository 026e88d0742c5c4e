"""Review prompts: the few questions a reviewer of AI-assisted code must answer, from what the code touches.

AI assistants are weakest where a line of code reaches beyond itself: error handling, security, scale,
concurrency, other systems. So for each AI-assisted hunk vouched looks at what its added lines touch and
asks the matching question, placed at the first line concerned:

===============  ===========================================================================================
category         what raises it (in AI-assisted added lines)
===============  ===========================================================================================
sql              a SQL statement in a string built with an f-string, ``%``, ``+`` or ``.format``
auth-crypto      hashing, HMAC, JWT, TLS, passwords, sessions, permission checks, the ``secrets`` module
exception        ``except:`` / ``except Exception`` / ``pass`` in a handler, ``catch {}``, ``suppress(...)``
interface        a public Python function (name without ``_``) whose signature changed or that was removed
network          ``requests`` / ``httpx`` / ``aiohttp`` / ``urllib`` / sockets / ``fetch`` / ``axios`` / gRPC / SMTP
database         ``execute`` / cursors / ORM sessions and queries / ``connect`` of a database driver
concurrency      threads, processes, executors, locks, semaphores, ``asyncio.gather`` / ``create_task``, goroutines
loop             ``while True`` or a loop over request data, files, rows, ``readlines`` or other outside input
files            ``open``, paths, ``shutil``, ``os.remove``, temp files, archives, ``send_file``
===============  ===========================================================================================

Each prompt is a :class:`~vouched.gate.findings.Finding` with rule ``review.prompt`` and severity ``note``
(never blocking), so the JSON contract (``vouched.verdict/1``) carries them unchanged. At most
:data:`MAX_PROMPTS` are given for a change, the categories above in that order of priority; lines written
without an assistant raise no prompt (their author can answer for them).
"""

from __future__ import annotations

import ast
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from vouched.gate.findings import Finding, Severity
from vouched.git import display
from vouched.scan.patterns_origin import Origins, describe

if TYPE_CHECKING:
    from vouched.gate.checks import Check
    from vouched.gate.evaluation import EvaluatedCommit, Evaluation
    from vouched.git import Git

__all__ = ["CATEGORIES", "MAX_PROMPTS", "Prompt", "prompt_check", "prompts_for_lines"]

log = logging.getLogger(__name__)

MAX_PROMPTS = 12


@dataclass(frozen=True, slots=True)
class Prompt:
    category: str
    question: str
    why: str
    regex: re.Pattern[str] | None  # None: derived otherwise (the interface category)


_SQL_TEXT = re.compile(r"""(?i)(["'`]|^)\s*(SELECT\s.+\sFROM|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM)\b""")
_BUILT = re.compile(r"""\b[fF][rR]?["']|["']\s*%\s*[(\w]|["']\s*\+|\+\s*["']|\.format\(""")
CATEGORIES: tuple[Prompt, ...] = (
    Prompt(
        "sql",
        "Is this SQL built from strings safe? Could any part of it come from a user?",
        "String-built SQL is the classic injection; assistants copy it from examples. Use bound parameters.",
        _SQL_TEXT,
    ),
    Prompt(
        "auth-crypto",
        "Does this authentication or cryptography code do what the security design says (algorithm, key, "
        "comparison, expiry)?",
        "Assistants produce plausible security code with subtle flaws: weak hashes, timing-unsafe comparisons, "
        "missing expiry, checks that can be skipped.",
        re.compile(
            r"\b(hashlib|hmac|bcrypt|argon2|scrypt|jwt|jose|Crypto\.|cryptography|ssl\.|secrets\.|passlib|pyotp|"
            r"authenticate|login_required|check_password|set_password|verify_password|has_perm|is_admin|"
            r"is_authenticated|permission_required|session\[)"
        ),
    ),
    Prompt(
        "exception",
        "This handler swallows or broadly catches errors: what does the caller see when it fails, and is the "
        "failure logged?",
        "Assistants catch everything to make code run; a swallowed error turns a failure into wrong data.",
        re.compile(
            r"^\s*except\s*(:|\(?\s*(Base)?Exception\b)|^\s*(pass|\.\.\.)\s*$|catch\s*(\([^)]*\))?\s*\{\s*\}|"
            r"\.catch\(\s*\(\s*\)\s*=>\s*\{?\s*\}?\s*\)|contextlib\.suppress|\bsuppress\(\s*Exception"
        ),
    ),
    Prompt(
        "interface",
        "A public function's signature changed or it was removed: are all its callers (in other repositories "
        "too) updated?",
        "Assistants see one repository; effects across systems are where they are weakest.",
        None,
    ),
    Prompt(
        "network",
        "This adds a network call: what happens on a timeout, a slow or failing server, a retry storm?",
        "New calls to other systems need timeouts, retries with backoff, and handling of partial failure.",
        re.compile(
            r"\b(requests|httpx|aiohttp|urllib3?|urllib\.request)\.\w+\(|\burlopen\(|socket\.socket\(|"
            r"\bfetch\(|\baxios[.(]|grpc\.|http\.client|smtplib\.|ftplib\.|paramiko\.|websocket"
        ),
    ),
    Prompt(
        "database",
        "This adds a database call: is it inside the right transaction, indexed, and bounded at production data sizes?",
        "Assistants test on tiny data: N+1 queries and unbounded reads show up only at scale.",
        re.compile(
            r"\.(execute|executemany|executescript|fetchall|fetchmany|bulk_create|raw)\(|\bcursor\(\)|"
            r"session\.(query|execute|add|merge|delete)\(|\.objects\.|\b(sqlite3|psycopg2?|pymysql|"
            r"mysql\.connector|asyncpg|pymongo)\.|create_engine\(|\bredis\."
        ),
    ),
    Prompt(
        "concurrency",
        "This adds threads, tasks or locks: what is shared, and can it deadlock or race?",
        "Concurrency bugs do not show in a test run; assistants rarely reason about shared state.",
        re.compile(
            r"\b(threading|multiprocessing|concurrent\.futures|ThreadPoolExecutor|ProcessPoolExecutor|"
            r"asyncio\.(gather|create_task|Lock|Semaphore|Queue|wait|TaskGroup)|RLock\(|Lock\(\)|Semaphore\(|"
            r"Condition\(|queue\.Queue|sync\.(Mutex|WaitGroup)|go func|synchronized|Promise\.all)"
        ),
    ),
    Prompt(
        "loop",
        "This loops over input whose size someone else controls: what bounds it?",
        "Unbounded loops and reads over request data, files or query results are how a service falls over.",
        re.compile(
            r"^\s*while\s*(True|\(\s*true\s*\))|^\s*(async\s+)?for\s+.+\s+in\s+.*(request|response|json|stdin|"
            r"readlines|read\(\)|fetchall|\.all\(\)|rows|lines|files|glob|walk|listdir|iterdir|split\(|input)|"
            r"\.readlines\(\)|\.read\(\)\s*$"
        ),
    ),
    Prompt(
        "files",
        "This handles files or paths: can a user-supplied name escape the intended folder, and are files "
        "closed and cleaned up?",
        "Path traversal, unsafe archive extraction and leaked temporary files come from code that works on the "
        "happy path.",
        re.compile(
            r"\bopen\(|os\.path\.join|\bPath\(|shutil\.|os\.(remove|unlink|rename|replace|makedirs|mkdir|chmod|"
            r"walk|listdir)|send_file|send_from_directory|tempfile\.|tarfile|zipfile|extractall"
        ),
    ),
)
_BY_NAME = {p.category: p for p in CATEGORIES}
_PASS = re.compile(r"^\s*(pass|\.\.\.)\s*$")
_EXCEPT = re.compile(r"^\s*except\b")


def prompts_for_lines(lines: list[tuple[int, str]]) -> dict[str, list[int]]:
    """Category -> the numbers of the given ``(number, text)`` lines that raise it (interface excluded)."""
    found: dict[str, list[int]] = {}
    texts = dict(lines)  # once: building it per hit made a long hunk quadratic
    for prompt in CATEGORIES:
        if prompt.regex is None:
            continue
        hits = [n for n, text in lines if prompt.regex.search(text)]
        if prompt.category == "sql":
            hits = [n for n in hits if _BUILT.search(texts[n])]
        if prompt.category == "exception":
            # `pass` alone is only a swallowed error right after an except line.
            hits = [n for n in hits if not _PASS.match(texts[n]) or _EXCEPT.match(texts.get(n - 1, ""))]
        if hits:
            found[prompt.category] = hits
    return found


def _signatures(source: bytes) -> dict[str, tuple[str, int]] | None:
    """Public functions of a Python module (top level and in classes): name -> (signature, line)."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    out: dict[str, tuple[str, int]] = {}

    def visit(body: list[ast.stmt], prefix: str) -> None:
        for node in body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and not node.name.startswith("_"):
                out[prefix + node.name] = (ast.unparse(node.args), node.lineno)
            elif isinstance(node, ast.ClassDef) and not node.name.startswith("_") and not prefix:
                visit(node.body, node.name + ".")

    visit(tree.body, "")
    return out


def prompt_check(git: Git, origins: dict[str, Origins] | None = None) -> Check:
    """A check that asks the reviewer questions about the AI-assisted hunks of a change (notes only)."""
    cache = origins if origins is not None else {}

    def check_prompts(ev: Evaluation) -> Iterator[Finding]:
        if not any(c.attribution.assisted for c in ev.commits):
            return
        origin = Origins.shared(cache, git, ev)
        raised: list[tuple[int, str, str, list[int], EvaluatedCommit, str]] = []
        interface_files: list[str] = []
        for f in ev.files:
            if f.change.binary or f.change.status == "D":
                continue
            owners = origin.of(f.change.path)
            ai = [(a.number, a.text) for a in f.change.added if (c := owners.get(a.number)) and c.attribution.assisted]
            if not ai:
                continue
            for category, numbers in prompts_for_lines(ai).items():
                commit = owners[numbers[0]]
                raised.append((_order(category), f.change.path, category, numbers, commit, ""))
            if f.change.path.endswith(".py") and f.change.status in ("M", "R"):
                interface_files.append(f.change.path)
        raised += _interface(git, ev, origin, interface_files)
        raised.sort(key=lambda r: (r[0], r[1]))
        for _, path, category, numbers, commit, detail in raised[:MAX_PROMPTS]:
            prompt = _BY_NAME[category]
            lines = ", ".join(str(n) for n in numbers[:5]) + (
                f" and {len(numbers) - 5} more" if len(numbers) > 5 else ""
            )
            where = f"line {lines}" if len(numbers) == 1 else f"lines {lines}"
            yield Finding(
                "review.prompt",
                Severity.NOTE,
                False,
                f"[{category}] {prompt.question} ({where}, {describe(commit)})"
                if numbers
                else f"[{category}] {detail}: {prompt.question} ({describe(commit)})",
                prompt.why,
                path=path,
                line=numbers[0] if numbers else None,
                commit=commit.commit.sha,
            )
        if len(raised) > MAX_PROMPTS:
            rest = raised[MAX_PROMPTS:]
            files = sorted({display(r[1]) for r in rest})
            yield Finding(
                "review.prompt",
                Severity.NOTE,
                False,
                f"{len(rest)} more question(s) on AI-assisted hunks in {', '.join(files[:5])}"
                + (f" and {len(files) - 5} more files" if len(files) > 5 else ""),
                "the change is large: consider splitting it so each part can be reviewed",
            )

    return check_prompts


def _order(category: str) -> int:
    return next(i for i, p in enumerate(CATEGORIES) if p.category == category)


def _interface(
    git: Git, ev: Evaluation, origin: Origins, paths: list[str]
) -> list[tuple[int, str, str, list[int], EvaluatedCommit, str]]:
    """Public Python functions whose signature an AI-assisted commit changed, or that the change removed."""
    if not paths:
        return []
    olds = {f.change.path: f.change.old_path or f.change.path for f in ev.files if f.change.path in paths}
    before = git.read_files(ev.change.merge_base, sorted(set(olds.values())))
    after = git.read_files(ev.change.head, paths)
    out: list[tuple[int, str, str, list[int], EvaluatedCommit, str]] = []
    for path in paths:
        old_src, new_src = before.get(olds[path]), after.get(path)
        if old_src is None or new_src is None:
            continue
        old, new = _signatures(old_src), _signatures(new_src)
        if old is None or new is None:
            continue
        owners = origin.of(path)
        changed = [new[name][1] for name in old if name in new and new[name][0] != old[name][0]]
        changed = [n for n in changed if (c := owners.get(n)) is not None and c.attribution.assisted]
        removed = [name for name in old if name not in new]
        ai_commit = next((c for c in owners.values() if c.attribution.assisted), None)
        if changed:
            out.append((_order("interface"), path, "interface", sorted(changed), owners[min(changed)], ""))
        elif removed and ai_commit is not None:
            detail = "removed " + ", ".join(removed[:5]) + (f" and {len(removed) - 5} more" if len(removed) > 5 else "")
            out.append((_order("interface"), path, "interface", [], ai_commit, detail))
    return out
