"""Security review of a change: scanners and secrets, the team's pattern library, review prompts, test evidence.

:mod:`~vouched.scan.interface` is the seam (the :class:`Scanner` Protocol and its values); one module per
backend (:mod:`~vouched.scan.ruff`, :mod:`~vouched.scan.bandit`, :mod:`~vouched.scan.semgrep`);
:mod:`~vouched.scan.secrets` finds credentials; :mod:`~vouched.scan.run` decides which scanner reads which
file and keeps only the changed lines; :mod:`~vouched.scan.check` is the gate's check. Beside them: the
team's pattern library (:mod:`~vouched.scan.patterns`, checked by :mod:`~vouched.scan.patterns_check`),
review questions (:mod:`~vouched.scan.prompts`) and test evidence (:mod:`~vouched.scan.coverage`).
"""

from vouched.scan.interface import Availability, Level, Problem, ScanFinding, Scanner, ScanResult, SourceFile

__all__ = ["Availability", "Level", "Problem", "ScanFinding", "ScanResult", "Scanner", "SourceFile"]
