"""Direction controls never reach what is sent or exported, and are pointed out; emoji keep their joiners."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.fields import Field
from app.domain.invisible import BIDI_CONTROLS, bidi_controls_in, without_bidi_controls, without_invisible
from tests.domain.helpers import Check
from tests.domain.test_validation import DIGITAL, row

EMOJI = ["👩\u200d💻", "🏳\ufe0f\u200d🌈", "👩🏽\u200d💻", "❤\ufe0f\u200d🔥", "👨\u200d👩\u200d👧\u200d👦"]


@pytest.mark.parametrize("emoji", EMOJI)
def test_the_joiners_inside_emoji_stay(emoji: str) -> None:
    assert without_invisible(f"Team {emoji}!") == f"Team {emoji}!"


def test_joiners_and_zero_width_characters_elsewhere_go() -> None:
    assert without_invisible("An\u200da \u200bLo\u2060pez\ufeff\u200d👩") == "Ana Lopez👩"


@given(st.text(st.sampled_from(["a", "é", "👩", "💻", " ", *BIDI_CONTROLS, "\u200d", "\ufe0f"]), max_size=30))
def test_no_direction_control_survives(text: str) -> None:
    assert not BIDI_CONTROLS.intersection(without_invisible(text))
    assert not BIDI_CONTROLS.intersection(without_bidi_controls(text))


def test_the_controls_are_named() -> None:
    assert bidi_controls_in("\u202eab\u2066c\u202e") == [
        "U+202E RIGHT-TO-LEFT OVERRIDE",
        "U+2066 LEFT-TO-RIGHT ISOLATE",
    ]


@pytest.mark.parametrize(
    "field, value",
    [
        (Field.FIRST_NAME, "\u202eanA"),
        (Field.LAST_NAME, "Lo\u2067pez\u2069"),
        (Field.EMAIL, "ana@exa\u200fmple.com"),
        (Field.MESSAGE, "Thanks\u061c!"),
    ],
)
def test_a_cell_with_direction_controls_is_flagged_and_sent_without_them(
    check: Check, field: Field, value: str
) -> None:
    recipient, issues = check(row(DIGITAL, **{field.name.lower(): value}))
    warned = [i for i in issues if i.code == "repair.direction_controls"]
    assert len(warned) == 1 and warned[0].field is field
    assert "U+" in warned[0].message and "disguise" in warned[0].message
    sent = {
        Field.FIRST_NAME: recipient.first_name,
        Field.LAST_NAME: recipient.last_name,
        Field.EMAIL: recipient.email,
        Field.MESSAGE: recipient.personalization.message,
    }[field]
    assert sent is not None and not BIDI_CONTROLS.intersection(sent)


def test_a_name_with_an_emoji_sequence_is_sent_whole_without_a_warning(check: Check) -> None:
    recipient, issues = check(row(DIGITAL, first_name="Ana 👩\u200d💻"))
    assert recipient.first_name == "Ana 👩\u200d💻"
    assert issues == []
