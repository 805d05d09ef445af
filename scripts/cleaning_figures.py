"""Print the two acceptance figures of the cleaner, measured on the seed texts in content/sources/.

1. Sörmland: letter-spaced runs (three or more single letters separated by spaces) in the raw
   extraction and in the cleaned text, and the share that remains.
2. Östergötland (already clean): words the cleaner changes, other than rejoined hyphenations.

Usage: .venv/bin/python scripts/cleaning_figures.py
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kb.importing.cleaning import clean_text, load_lexicon, spaced_runs, word_changes  # noqa: E402

SOURCES = ROOT / "content" / "sources"


def main() -> None:
    lexicon = load_lexicon()
    raw = (SOURCES / "sormland-2003.txt").read_text(encoding="utf-8")
    before, after = spaced_runs(raw), spaced_runs(clean_text(raw, lexicon))
    print(f"Sörmland letter-spaced runs: raw {before}, cleaned {after} "
          f"({100 * after / before:.1f} % remain)")
    raw = (SOURCES / "ostergotland-2026.txt").read_text(encoding="utf-8")
    joins, changes = word_changes(raw, clean_text(raw, lexicon))
    print(f"Östergötland: {joins} hyphenation join(s), {len(changes)} other changed word(s)")
    for old, new in changes[:20]:
        print(f"  {old!r} -> {new!r}")


if __name__ == "__main__":
    main()
