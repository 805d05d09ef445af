"""Update the gettext catalogue: extract every message, merge it into each language's .po.

Usage: .venv/bin/python scripts/messages.py   (then translate the new, empty messages, and
`make` compiles the catalogue). Prints the messages that still lack a translation.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from babel.messages.pofile import read_po  # noqa: E402

from kb.i18n import TRANSLATIONS  # noqa: E402

SOURCES = ["app.py", "kb", "search", "web", "templates"]
KEYWORDS = ["-k", "N_", "-k", "NP_:1c,2"]


def extract(pot: Path) -> None:
    """Write every message of the code and templates to a .pot file."""
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F",
                    str(ROOT / "babel.cfg"), *KEYWORDS, "--no-location", "--sort-output", "--project", "lifescience-policy-kb",
                    "-o", str(pot), *SOURCES], cwd=ROOT, check=True, capture_output=True)


HEADER = """# {name} catalogue of the interface. Messages are written in Swedish in the code and
# templates; scripts/messages.py extracts them (babel.cfg) and updates this file, and `make`
# compiles it.
"""
PLACEHOLDERS = ("Report-Msgid-Bugs-To:", "PO-Revision-Date:", "Last-Translator:", "Language-Team:")


def tidy_header(po: Path) -> None:
    """Our own header comment, without the template's placeholder fields."""
    text = po.read_text(encoding="utf-8")
    body = text[text.index('msgid ""'):]
    body = "\n".join(line for line in body.split("\n")
                     if not any(line.startswith(f'"{p}') for p in PLACEHOLDERS))
    name = {"en": "English"}.get(po.parent.parent.name, po.parent.parent.name)
    po.write_text(HEADER.format(name=name) + "\n" + body, encoding="utf-8")


def untranslated(po: Path) -> list[str]:
    """The messages of a catalogue without a translation (every plural form counts)."""
    with po.open("rb") as handle:
        catalog = read_po(handle)
    missing = []
    for message in catalog:
        if not message.id:
            continue
        forms = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(forms):
            missing.append(str(message.id))
    return missing


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        pot = Path(tmp) / "messages.pot"
        extract(pot)
        subprocess.run([sys.executable, "-m", "babel.messages.frontend", "update", "-i", str(pot),
                        "-d", str(TRANSLATIONS), "--no-fuzzy-matching", "--ignore-obsolete"],
                       cwd=ROOT, check=True, capture_output=True)
    for po in sorted(TRANSLATIONS.glob("*/LC_MESSAGES/messages.po")):
        tidy_header(po)
        missing = untranslated(po)
        print(f"{po.relative_to(ROOT)}: {len(missing)} untranslated")
        for message in missing:
            print(f"  {message}")


if __name__ == "__main__":
    main()
