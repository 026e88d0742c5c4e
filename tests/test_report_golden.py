"""Golden files for the formats others parse (json, sarif): any change to them must be deliberate.

After an intended change, run ``.venv/bin/python tests/golden/regenerate.py`` and review the diff.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from golden.regenerate import expected

GOLDEN = expected()


@pytest.mark.parametrize("path", sorted(GOLDEN), ids=lambda p: p.name)
def test_golden_file_has_not_drifted(path: Path) -> None:
    assert path.exists(), f"{path.name} is missing: run .venv/bin/python tests/golden/regenerate.py"
    assert path.read_text(encoding="utf-8") == GOLDEN[path], (
        f"{path.name} drifted from the rendered output; if the change is intended, run "
        ".venv/bin/python tests/golden/regenerate.py and commit the updated file"
    )


def test_every_golden_file_is_still_produced() -> None:
    on_disk = {p for p in Path(__file__).parent.joinpath("golden").iterdir() if p.suffix in (".json", ".sarif")}
    assert on_disk == set(GOLDEN), "a golden file without a sample: delete it or add the sample back"
