"""The hazard log names tests as evidence for its controls: each must exist."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_test_the_hazard_log_cites_exists():
    text = (ROOT / "docs" / "clinical-safety.md").read_text()
    cited = set(re.findall(r"`(tests/[\w/]+\.py)::(\w+)`", text))
    assert len(cited) > 20
    missing = [
        f"{path}::{name}"
        for path, name in sorted(cited)
        if not (ROOT / path).exists() or not re.search(rf"def {name}\(", (ROOT / path).read_text())
    ]
    assert missing == [], "docs/clinical-safety.md cites tests that do not exist"
