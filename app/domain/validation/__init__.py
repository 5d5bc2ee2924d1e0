"""Validation: the rules every recipient row must meet before it is sent, by family, behind one validator.

Other code uses what is named here; the families' modules are this package's own.
"""

from app.domain.validation.delivery_types import delivery_type_from_word
from app.domain.validation.options import PersonalizationDefaults, ValidationOptions
from app.domain.validation.repeats import check_recipients, recheck_group
from app.domain.validation.validator import RowValidator
from app.domain.validation.wording import listed

__all__ = [
    "PersonalizationDefaults",
    "RowValidator",
    "ValidationOptions",
    "check_recipients",
    "delivery_type_from_word",
    "listed",
    "recheck_group",
]
