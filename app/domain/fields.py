"""The fields a recipient row can hold, whatever the workbook calls its columns."""

from __future__ import annotations

from enum import StrEnum


class Field(StrEnum):
    """One thing we know about a recipient; the value is the name used in messages, JSON and mappings."""

    FIRST_NAME = "first_name"
    LAST_NAME = "last_name"
    FULL_NAME = "name"
    EMAIL = "email"
    SMS = "sms"
    PRODUCT = "product"
    VALUE = "value"
    QUANTITY = "quantity"
    DELIVERY_TYPE = "delivery_type"
    COMPANY = "company"
    ADDRESS_LINE1 = "address_line1"
    ADDRESS_LINE2 = "address_line2"
    CITY = "city"
    STATE = "state"
    ZIP = "zip"
    COUNTRY = "country"
    PHONE = "phone"
    SHIPPING_METHOD = "shipping_method"
    CARRIER = "carrier"
    MESSAGE = "message"
    FROM_NAME = "from_name"
    FROM_EMAIL = "from_email"
    DELIVERY_DATE = "delivery_date"
    BRANDING = "branding"
    REFERENCE = "reference"

    @property
    def label(self) -> str:
        """How the field is named to a user: 'Address line 1', 'Delivery date'."""
        return _LABELS.get(self, self.value.replace("_", " ").capitalize())


_LABELS = {
    Field.FULL_NAME: "Name",
    Field.SMS: "SMS number",
    Field.ADDRESS_LINE1: "Address line 1",
    Field.ADDRESS_LINE2: "Address line 2",
    Field.ZIP: "ZIP / postal code",
    Field.FROM_EMAIL: "From email",
    Field.REFERENCE: "Your reference",
}
