"""Security review of a change: code scanners on the changed lines, credentials on every added line.

:mod:`~vouched.scan.interface` is the seam (the :class:`Scanner` Protocol and its values); one module per
backend (:mod:`~vouched.scan.ruff`, :mod:`~vouched.scan.bandit`, :mod:`~vouched.scan.semgrep`);
:mod:`~vouched.scan.secrets` finds credentials; :mod:`~vouched.scan.run` decides which scanner reads which
file and keeps only the changed lines; :mod:`~vouched.scan.check` is the gate's check.
"""

from vouched.scan.interface import Availability, Level, Problem, ScanFinding, Scanner, ScanResult, SourceFile

__all__ = ["Availability", "Level", "Problem", "ScanFinding", "ScanResult", "Scanner", "SourceFile"]
