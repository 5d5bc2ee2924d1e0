"""Characters that show nothing: which ones go from a cell's text, and which ones stay.

Bidirectional controls (the embeddings and overrides U+202A–U+202E, the isolates U+2066–U+2069, the marks
U+200E, U+200F and U+061C) change the order in which text is shown without changing what is stored:
U+202E before "moc.elpmaxe@ana" shows it as "ana@example.com", and a name can be made to look like another.
They go from everything read, and from everything written into an export; a name that held them is
pointed out. Zero-width spaces, word joiners and byte order marks go too (they only break matching). A
zero-width joiner stays where it joins two emoji into one (👩‍💻, 🏳️‍🌈): without it the picture falls apart.
"""

from __future__ import annotations

import re
import unicodedata

BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
_ZERO_WIDTH = "\u200b\u200c\u2060\ufeff"
_JOINER = "\u200d"
_BIDI = re.compile("[" + "".join(sorted(BIDI_CONTROLS)) + "]")
_INVISIBLE = re.compile("[" + "".join(sorted(BIDI_CONTROLS)) + _ZERO_WIDTH + _JOINER + "]")
# What may sit between an emoji and the joiner that follows it: the emoji presentation selector and the
# five skin tones.
_EMOJI_TAILS = frozenset("\ufe0f\U0001f3fb\U0001f3fc\U0001f3fd\U0001f3fe\U0001f3ff")


def has_bidi_controls(text: str) -> bool:
    return _BIDI.search(text) is not None


def bidi_controls_in(text: str) -> list[str]:
    """The bidirectional controls in `text`, named once each in order of appearance ('U+202E RIGHT-TO-LEFT
    OVERRIDE')."""
    found: list[str] = []
    for match in _BIDI.finditer(text):
        name = f"U+{ord(match.group()):04X} {unicodedata.name(match.group(), 'CONTROL')}"
        if name not in found:
            found.append(name)
    return found


def without_bidi_controls(text: str) -> str:
    return _BIDI.sub("", text) if has_bidi_controls(text) else text


def without_invisible(text: str) -> str:
    """`text` without bidirectional controls and zero-width characters, keeping the joiners of emoji."""
    if _INVISIBLE.search(text) is None:
        return text
    kept = []
    for i, ch in enumerate(text):
        if ch == _JOINER:
            if _joins_emoji(text, i):
                kept.append(ch)
        elif _INVISIBLE.match(ch) is None:
            kept.append(ch)
    return "".join(kept)


def _joins_emoji(text: str, at: int) -> bool:
    """The joiner at `at` sits between two emoji (skin tones and the presentation selector aside)."""
    before = at - 1
    while before >= 0 and text[before] in _EMOJI_TAILS:
        before -= 1
    after = at + 1
    return before >= 0 and after < len(text) and _is_emoji(text[before]) and _is_emoji(text[after])


def _is_emoji(ch: str) -> bool:
    """A pictograph: the 'other symbol' category (☕ ❤ ♀ 🔥 …) or the emoji planes."""
    return unicodedata.category(ch) == "So" or 0x1F000 <= ord(ch) <= 0x1FAFF
