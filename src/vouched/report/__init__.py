"""Report formats: one interface (:class:`Formatter`), one module a format.

``text`` is for people at a terminal, ``json`` is the public contract (``vouched.verdict/1``), ``sarif`` is
SARIF 2.1.0 for GitHub code scanning and other SARIF consumers, ``markdown`` is a pull-request comment.
:func:`vouched.report.provenance.render_provenance` writes the output of ``vouched provenance``.

The format modules are imported on first use, so that a command that prints one format does not pay for
the others.
"""

from __future__ import annotations

from vouched.errors import UsageError
from vouched.report.interface import Formatter

__all__ = ["FORMATS", "Formatter", "formatter"]

FORMATS = ("text", "json", "sarif", "markdown")


def formatter(name: str, *, color: bool = False, repository_uri: str | None = None) -> Formatter:
    """The formatter for ``--format NAME``.

    ``color`` only affects ``text``. ``repository_uri`` (the repository's remote URL, if known) only
    affects ``sarif``, which records it with the head revision in ``versionControlProvenance``.
    """
    if name == "text":
        from vouched.report.text import TextFormatter

        return TextFormatter(color=color)
    if name == "json":
        from vouched.report.json import JsonFormatter

        return JsonFormatter()
    if name == "sarif":
        from vouched.report.sarif import SarifFormatter

        return SarifFormatter(repository_uri=repository_uri)
    if name == "markdown":
        from vouched.report.markdown import MarkdownFormatter

        return MarkdownFormatter()
    raise UsageError(f"unknown report format {name!r}", hint=f"choose one of: {', '.join(FORMATS)}")
