"""The fonts the pictures and the printable plan are set in, and whether this machine has them.

One family per script: Noto Sans (Latin, incl. Turkish and Polish, and Cyrillic), Noto Sans
Arabic (Arabic and Persian), Noto Sans Ethiopic (Tigrinya) and Noto Color Emoji for the icons.
Pango picks, per character, the first text family in this order that has it. On Debian they come from
the packages in :data:`DEBIAN_PACKAGES`.
"""

from __future__ import annotations

import shutil
import subprocess
import unicodedata
from functools import cache
from pathlib import Path

TEXT_FAMILIES = ("Noto Sans", "Noto Sans Arabic", "Noto Sans Ethiopic")
#: Only for the icons, set apart: the emoji font also has digits (for keycaps), which must not be
#: taken from it.
ICON_FAMILY = "Noto Color Emoji"
FAMILIES = (*TEXT_FAMILIES, ICON_FAMILY)
DEBIAN_PACKAGES = "fonts-noto-core fonts-noto-color-emoji"
#: Characters that are never drawn as a glyph of their own (joiners, direction marks, selectors).
_INVISIBLE = {"Cc", "Cf", "Zs", "Zl", "Zp", "Mn"}


@cache
def font_files() -> dict[str, Path]:
    """The regular file of each family that fontconfig knows (a missing family is left out)."""
    if shutil.which("fc-list") is None:
        return {}
    found: dict[str, Path] = {}
    for family in FAMILIES:
        listed = subprocess.run(
            ["fc-list", "--format", "%{file}\n", f":family={family}:style=Regular"],
            capture_output=True,
            text=True,
            check=False,
        ).stdout.split()
        if listed:
            found[family] = Path(sorted(listed)[0])
    return found


def missing_families() -> list[str]:
    return [family for family in FAMILIES if family not in font_files()]


@cache
def characters_of(path: Path) -> frozenset[int]:
    """The code points a font file has a glyph for."""
    from fontTools.ttLib import TTFont  # (only when checking texts: the bot itself does not need it)

    with TTFont(path, lazy=True, fontNumber=0) as font:
        return frozenset(font.getBestCmap())


def covering_font(char: str) -> str | None:
    """The family Pango will draw ``char`` with (the first in :data:`FAMILIES` that has it)."""
    for family, path in font_files().items():
        if ord(char) in characters_of(path):
            return family
    return None


def uncovered(text: str) -> set[str]:
    """The visible characters of ``text`` that none of the fonts has (they would show as boxes)."""
    return {c for c in set(text) if unicodedata.category(c) not in _INVISIBLE and covering_font(c) is None}
