"""What a row says about people and time: names, the personal message and its sender, and the delivery date.

The run's defaults fill a row's empty From name, From email and Message. Names (To, From) may be at most 100
characters, the message at most 1,000. A delivery date may not be in the past (empty: send at once).
"""

from __future__ import annotations

from app.domain.cells import error, shown
from app.domain.dates import repair_date
from app.domain.emails import read_email
from app.domain.fields import Field
from app.domain.recipient import Personalization, Recipient
from app.domain.records import SourceCell
from app.domain.validation.answers import Answer, AnswerCache, value_key
from app.domain.validation.options import MAX_MESSAGE_LENGTH, MAX_NAME_LENGTH, ValidationOptions
from app.domain.validation.row import RowCells
from app.domain.validation.wording import too_long

_FIRST, _LAST, _FULL = Field.FIRST_NAME, Field.LAST_NAME, Field.FULL_NAME
_MESSAGE, _FROM_NAME, _FROM_EMAIL = Field.MESSAGE, Field.FROM_NAME, Field.FROM_EMAIL
_DATE = Field.DELIVERY_DATE


class PersonalChecks:
    """Each row's names, personalisation and delivery date."""

    def __init__(self, options: ValidationOptions, answers: AnswerCache) -> None:
        self._options = options
        self._dates = answers.field(_DATE)

    def names(self, row: RowCells, recipient: Recipient) -> None:
        """The recipient's first, last and full name (first and last joined when there is no full name)."""
        first, last = row.text(_FIRST), row.text(_LAST)
        full = row.text(_FULL) if _FULL in row.index else None  # most sheets name people by first and last
        recipient.first_name, recipient.last_name = first, last
        recipient.name = full or (f"{first} {last}" if first and last else first or last)
        if len(first or "") + len(last or "") + len(full or "") > MAX_NAME_LENGTH:  # rare: find the long one
            for fld, text in ((_FIRST, first), (_LAST, last), (_FULL, full)):
                if text is not None and len(text) > MAX_NAME_LENGTH:
                    row.fail(f"{fld.value}.too_long", fld, too_long(fld, text, MAX_NAME_LENGTH))

    def personalization(self, row: RowCells, recipient: Recipient) -> None:
        defaults = self._options.personalization
        from_name = row.text(_FROM_NAME)
        if from_name is not None and len(from_name) > MAX_NAME_LENGTH:
            row.fail("from_name.too_long", _FROM_NAME, too_long(_FROM_NAME, from_name, MAX_NAME_LENGTH))
        message = row.text(_MESSAGE)
        if message is not None and len(message) > MAX_MESSAGE_LENGTH:
            row.fail("message.too_long", _MESSAGE, too_long(_MESSAGE, message, MAX_MESSAGE_LENGTH))
        from_email = self._from_email(row) if _FROM_EMAIL in row.index else None
        recipient.personalization = Personalization(
            recipient.first_name or recipient.name,
            from_name or defaults.from_name,
            from_email or defaults.from_email,
            message or defaults.message,
        )

    def delivery_date(self, row: RowCells, recipient: Recipient) -> None:
        value = row.get(_DATE)
        if value is not None:
            recipient.delivery_date = self._dates.answer(row, value_key(value), self._read_date)

    def _from_email(self, row: RowCells) -> str | None:
        text = row.text(_FROM_EMAIL)
        if text is None:
            return None
        reading = read_email(text)
        if reading.normalized is None:
            row.fail(
                "from_email.invalid",
                _FROM_EMAIL,
                f"{shown(text)} is not a valid email address: "
                f"{reading.problem}. Correct it, or clear the cell to use the run's sender address.",
            )
        return reading.normalized

    def _read_date(self, cell: SourceCell) -> Answer:
        """Cached: looks at nothing but the cell (and the options, fixed for the import)."""
        found, repaired = repair_date(cell, _DATE, self._options.default_region)
        notes = (repaired,) if repaired else ()
        today = self._options.today
        if found is None:
            return None, (
                error(
                    "delivery_date.invalid",
                    cell,
                    _DATE,
                    f"{shown(cell.value)} is not a date. Expected a date such as {today.isoformat()}, or a "
                    "date "
                    "cell. Type the date, or clear the cell to send at once.",
                ),
            )
        if found < today:
            return None, (
                *notes,
                error(
                    "delivery_date.past",
                    cell,
                    _DATE,
                    f"{found.isoformat()} is in the past (today is {today.isoformat()}). Expected today or a "
                    "later date. Change the date, or clear the cell to send at once.",
                ),
            )
        return found, notes
