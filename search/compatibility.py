"""The exact library versions the search engine is built for, checked at start-up.

search/ranking.py reads whoosh3's posting blocks through private methods, and an index's terms
depend on the stemmer that wrote them, so both libraries are pinned exactly (pyproject.toml;
a test keeps the two lists equal). Each index generation records the versions that built it,
and an index built by other versions is rebuilt.
"""

from __future__ import annotations

import pickle
import struct
import zlib
from importlib import metadata

from whoosh.index import IndexError as WhooshIndexError
from whoosh.reading import CorruptIndexError, ReaderClosed

PINNED = {"whoosh3": "3.54.0", "PyStemmer": "3.1.0"}

# What reading a damaged, truncated or vanished index raises (seen in the fault tests: garbage
# in .toc and .seg files, deleted generations). Anything else is a bug and must surface.
INDEX_READ_ERRORS = (OSError, EOFError, ValueError, KeyError, IndexError, struct.error,
                     pickle.UnpicklingError, zlib.error, WhooshIndexError, CorruptIndexError,
                     ReaderClosed)


class IncompatibleLibrary(RuntimeError):
    """An installed library is not the version the search engine is pinned to."""


def installed_versions() -> dict[str, str]:
    """The installed version of each pinned library ('' when it is not installed)."""
    found = {}
    for name in PINNED:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = ""
    return found


def check_pinned_versions() -> dict[str, str]:
    """Raise IncompatibleLibrary naming what was expected and found; return the versions."""
    found = installed_versions()
    wrong = [f"{name} {expected} is required, {found[name] or 'nothing'} is installed"
             for name, expected in PINNED.items() if found[name] != expected]
    if wrong:
        raise IncompatibleLibrary(
            "The search engine cannot start: " + "; ".join(wrong)
            + ". Install the pinned versions (`make install`, which uses pyproject.toml).")
    return found
