"""Regenerate the golden report files: ``.venv/bin/python tests/golden/regenerate.py``.

Run it after an intended change to the ``json`` or ``sarif`` format, read the diff, and commit the files
with the change: others parse these formats, so every change to them should be seen in review.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from golden.samples import REPOSITORY, SAMPLES, golden_sarif  # noqa: E402
from vouched.report import formatter  # noqa: E402


def expected() -> dict[Path, str]:
    """Every golden file and the content it should have."""
    files: dict[Path, str] = {}
    for name, build in SAMPLES.items():
        verdict = build()
        files[HERE / f"{name}.json"] = formatter("json").render(verdict)
        files[HERE / f"{name}.sarif"] = golden_sarif(formatter("sarif", repository_uri=REPOSITORY).render(verdict))
    return files


def main() -> int:
    for path, text in expected().items():
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8", newline="\n")
            print(f"wrote {path.relative_to(HERE.parent.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
