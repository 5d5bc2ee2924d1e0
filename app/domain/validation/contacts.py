"""A digital card's contact: the email address and the SMS number, and the one its delivery type asks for.

Contacts are checked only on digital rows (and rows whose type is unknown): a mixed sheet may fill every
column, and what a row does not use is not held against it.
"""

from __future__ import annotations

from app.domain.cells import shown
from app.domain.emails import quick_email, read_email
from app.domain.fields import Field
from app.domain.phones import quick_sms_number
from app.domain.recipient import Recipient
from app.domain.repairs import repair_phone
from app.domain.validation.options import ValidationOptions
from app.domain.validation.row import RowCells

_EMAIL, _SMS = Field.EMAIL, Field.SMS


class ContactChecks:
    """The email address and SMS number of each digital row."""

    def __init__(self, options: ValidationOptions) -> None:
        self._region = options.default_region

    def check(self, row: RowCells, recipient: Recipient, wants: Field | None, required: bool) -> None:
        """Email and SMS number; `required` False (delivery type unknown): check what is there, require
        nothing. `wants` is the contact the delivery type asks for (None: either)."""
        recipient.email = self._email(row)
        recipient.sms = self._sms(row)
        if not required or (recipient.email and wants is not _SMS) or (recipient.sms and wants is not _EMAIL):
            return
        has_email, has_sms = row.has(_EMAIL), row.has(_SMS)
        if not has_email and not has_sms:
            where = _SMS if wants is _SMS or _EMAIL not in row.columns else _EMAIL
            row.fail(
                "contact.missing",
                where,
                "no email address or SMS number, and a digital card needs one "
                "of them. Expected an email address (name@example.com) or a mobile number. Type one, or "
                "change the delivery type to link to hand the card out yourself.",
            )
        elif wants is _EMAIL and not has_email:
            row.fail(
                "email.missing",
                _EMAIL,
                "the delivery type says email, but there is no email address. "
                "Expected an address such as name@example.com. Type it, or change the delivery type to "
                "sms.",
            )
        elif wants is _SMS and not has_sms:
            row.fail(
                "sms.missing",
                _SMS,
                "the delivery type says SMS, but there is no SMS number. Expected a "
                "mobile number such as +1 555 555 0123. Type it, or change the delivery type to email.",
            )

    def _email(self, row: RowCells) -> str | None:
        text = row.text(_EMAIL)
        if text is None:
            return None
        quick = quick_email(text)
        if quick is not None:
            return quick
        reading = read_email(text)
        if reading.normalized is None:
            row.fail(
                "email.invalid",
                _EMAIL,
                f"{shown(text)} is not a valid email address: {reading.problem}. "
                "Correct the address, or clear the cell and give an SMS number instead.",
            )
        return reading.normalized

    def _sms(self, row: RowCells) -> str | None:
        value = row.get(_SMS)
        if value is None:
            return None
        if type(value) is str:
            quick = quick_sms_number(value)
            if quick is not None:
                return quick
        cell = row.cell(_SMS)
        region = self._region
        reading, repaired = repair_phone(cell, _SMS, region)
        row.add(repaired)
        if reading.e164 is None:
            row.fail(
                "sms.invalid",
                _SMS,
                f"{shown(cell.value)} is not a valid phone number. Expected a mobile "
                f"number with its country code, such as +1 555 555 0123 (numbers without one are read as "
                f"{region} numbers). Correct the number, or clear the cell and give an email address "
                "instead.",
            )
            return None
        if not reading.can_sms:
            row.fail(
                "sms.not_mobile",
                _SMS,
                f"{reading.e164} is a valid number but cannot receive SMS (a "
                "landline or a service number). Expected a mobile number. Give a mobile number, or clear "
                "the cell and give an email address instead.",
            )
            return None
        return reading.e164
