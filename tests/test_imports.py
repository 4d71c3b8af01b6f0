"""Every function-local import the project keeps says why: ruff's PLC0415 refuses the others, and a
`# noqa: PLC0415` must carry its reason on the same line (app loading order, a heavy optional import...)."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOQA = re.compile(r"#\s*noqa:[^#\n]*\bPLC0415\b(?P<reason>.*)$")


def test_every_kept_local_import_gives_its_reason():
    paths = [*ROOT.glob("sanding/**/*.py"), *ROOT.glob("tests/**/*.py"), *ROOT.glob("benchmarks/*.py")]
    unexplained = []
    for path in sorted(paths):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            match = NOQA.search(line)
            if match and len(match["reason"].strip(" -—:;,()")) < 10:
                unexplained.append(f"{path.relative_to(ROOT)}:{number}")
    assert unexplained == []
