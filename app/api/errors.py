"""Typed errors of the vendor API, each with the HTTP status, the body and a plain-language message."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from typing import Self

from app.api.transport import load_json
from app.domain.errors import GiftbatchError
from app.domain.redaction import redact

# An error page can be a whole HTML document; a message needs only its start.
_MAX_BODY_CHARS = 2000
_MAX_DETAIL_CHARS = 300
_HTML_PAGE = "an HTML page, not JSON (often from a proxy or gateway between us and the vendor)"


class ApiError(GiftbatchError):
    """Something went wrong talking to the vendor.

    `status` is the HTTP status (None when no answer came), `body` the vendor's answer (parsed JSON, or text),
    `attempts` how many requests were sent before giving up. Neither the message nor the body ever holds a
    secret we sent (access token, bearer token).
    """

    retryable = False

    def __init__(self, message: str, *, status: int | None = None, body: object = None) -> None:
        super().__init__(message)
        self.status = status
        self.body = body
        self.attempts = 0
        # The call that failed, such as "GET /v1/ShippingMethods"; set by the client when it gives up.
        self.endpoint: str | None = None

    def gave_up_after(self, attempts: int) -> Self:
        """Record how many requests were sent, and say so in the message when there was more than one."""
        self.attempts = attempts
        if attempts > 1:
            self.message = f"{self.message} (gave up after {attempts} attempts)"
            self.args = (self.message,)
        return self


class AuthenticationError(ApiError):
    """401: the Email and AccessToken (or the bearer token issued for them) were not accepted."""


class ForbiddenError(ApiError):
    """403: API access is disabled for these credentials."""


class ValidationError(ApiError):
    """400: the vendor found the request malformed; `field_errors` maps a field such as `LineItems[3].Value`
    to what is wrong with it."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        body: object = None,
        field_errors: dict[str, list[str]] | None = None,
    ) -> None:
        super().__init__(message, status=status, body=body)
        self.field_errors: dict[str, list[str]] = field_errors or {}


class InsufficientFundsError(ApiError):
    """422: the account's balance cannot cover the order; the vendor refused it."""


class DuplicateOrderError(ApiError):
    """409: an order with this PONumber exists already; `original_order_id` names it when the vendor did."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        body: object = None,
        original_order_id: str | None = None,
    ) -> None:
        super().__init__(message, status=status, body=body)
        self.original_order_id = original_order_id


class NotFoundError(ApiError):
    """404: the vendor has no such resource (an order id, or an endpoint this API does not offer)."""


class RateLimitedError(ApiError):
    """429: too many requests; `retry_after` is how many seconds the vendor asked us to wait, if it said."""

    retryable = True

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        body: object = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, status=status, body=body)
        self.retry_after = retry_after


class TransientError(ApiError):
    """No useful answer this time (5xx, 504, timeout, dropped connection); trying later may work.

    After a TransientError from `create_order`, the order may exist: send it again with the same PONumber
    (the vendor then answers 409 and the client returns the original) or look it up by PONumber.
    """

    retryable = True


class CertificateError(ApiError):
    """The vendor's TLS certificate is not trusted by this computer; retrying cannot help."""


class RedirectError(ApiError):
    """The vendor answered with a redirect (3xx). Redirects are not followed: the AccessToken and the bearer
    token must never go to an address the profile does not name; retrying cannot help."""


class AnswerTooLargeError(ApiError):
    """The answer outgrew the size cap and was not read further; retrying would download it again."""


class InvalidAnswerError(ApiError):
    """The answer is not data the vendor's API sends (JSON nested absurdly deep); retrying cannot help."""


class RequestCancelled(ApiError):
    """The caller's cancel event fired. `attempts` > 0 means a request went out, so its effect is unknown."""


def scrub(text: str, secrets: tuple[str, ...]) -> str:
    """Remove every secret we sent from the vendor's answer, then anything else that looks secret."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return redact(text)


def status_text(status: int | None) -> str:
    """`HTTP 404 Not Found`, or `HTTP 599` for a status with no standard phrase."""
    try:
        return f"HTTP {status} {HTTPStatus(status or 0).phrase}"
    except ValueError:
        return f"HTTP {status}"


def parse_body(text: str) -> object:
    """The vendor's answer as JSON when it is JSON (and not nested absurdly deep), else its (shortened) text."""
    try:
        return load_json(text.encode())
    except ValueError:
        return text[:_MAX_BODY_CHARS]


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a `Retry-After` header; None when absent or given as an HTTP date (rare for APIs)."""
    if value is None:
        return None
    try:
        seconds = float(value.strip())
    except ValueError:
        return None
    return max(seconds, 0.0)


def error_for_status(
    status: int,
    body: object,
    *,
    host: str,
    account: str,
    retry_after: float | None = None,
    endpoint: str | None = None,
) -> ApiError:
    """The typed error for a non-2xx answer, with a message that names the host (and the call, when given)
    and never a secret."""
    context = _Context(status, body, host, account, _vendor_detail(body), endpoint)
    build = _BUILDERS.get(status)
    if build is not None:
        return build(context, retry_after)
    if status >= HTTPStatus.INTERNAL_SERVER_ERROR or status == HTTPStatus.REQUEST_TIMEOUT:
        return TransientError(
            f"The vendor at {host} did not answer ({context.code}); this is usually temporary.{context.said}",
            status=status,
            body=body,
        )
    return ApiError(
        f"The vendor at {host} answered {context.code}, which we did not expect.{context.said}",
        status=status,
        body=body,
    )


@dataclass(frozen=True)
class _Context:
    status: int
    body: object
    host: str
    account: str
    detail: str
    endpoint: str | None = None

    @property
    def code(self) -> str:
        return status_text(self.status)

    @property
    def said(self) -> str:
        if not self.detail:
            return ""
        if self.detail is _HTML_PAGE:
            return f" The answer was {_HTML_PAGE}."
        return f" The vendor said: {self.detail}"


def _unauthorized(c: _Context, _retry_after: float | None) -> ApiError:
    return AuthenticationError(
        f"The vendor at {c.host} did not accept the Email and AccessToken of {c.account} ({c.code}). "
        f"Check both in the vendor's portal and in the profile.{c.said}",
        status=c.status,
        body=c.body,
    )


def _forbidden(c: _Context, _retry_after: float | None) -> ApiError:
    to = f" to {c.endpoint}" if c.endpoint else ""
    return ForbiddenError(
        f"The vendor at {c.host} refused API access{to} for {c.account} ({c.code}); "
        f"API access may be disabled for these credentials in the vendor's portal.{c.said}",
        status=c.status,
        body=c.body,
    )


def _bad_request(c: _Context, _retry_after: float | None) -> ApiError:
    field_errors = _field_errors(c.body)
    named = _describe_field_errors(field_errors)
    if named and c.detail and c.detail is not _HTML_PAGE:
        reason = f"{_sentence(c.detail)} {named}"
    else:
        reason = named or c.detail or "no reason given"
    return ValidationError(
        f"The vendor at {c.host} refused the request as malformed ({c.code}): {reason}",
        status=c.status,
        body=c.body,
        field_errors=field_errors,
    )


def _unprocessable(c: _Context, _retry_after: float | None) -> ApiError:
    return InsufficientFundsError(
        f"The vendor at {c.host} refused the order: the account's balance cannot cover it ({c.code}). "
        f"Add funds in the vendor's portal, then send again.{c.said}",
        status=c.status,
        body=c.body,
    )


def _conflict(c: _Context, _retry_after: float | None) -> ApiError:
    original = _original_order_id(c.body)
    named = f" {original}" if original else ""
    return DuplicateOrderError(
        f"The vendor at {c.host} already has an order{named} with this PONumber ({c.code}).{c.said}",
        status=c.status,
        body=c.body,
        original_order_id=original,
    )


def _not_found(c: _Context, _retry_after: float | None) -> ApiError:
    asked = f" found nothing for {c.endpoint}" if c.endpoint else " has no such resource"
    return NotFoundError(
        f"The vendor at {c.host}{asked} ({c.code}): an unknown id, or a call this API does not offer.{c.said}",
        status=c.status,
        body=c.body,
    )


def _too_many(c: _Context, retry_after: float | None) -> ApiError:
    wait = f"; it asked us to wait {retry_after:g} s" if retry_after is not None else ""
    return RateLimitedError(
        f"The vendor at {c.host} is limiting how fast we may send ({c.code}){wait}.{c.said}",
        status=c.status,
        body=c.body,
        retry_after=retry_after,
    )


_BUILDERS: dict[int, Callable[[_Context, float | None], ApiError]] = {
    HTTPStatus.UNAUTHORIZED: _unauthorized,
    HTTPStatus.FORBIDDEN: _forbidden,
    HTTPStatus.BAD_REQUEST: _bad_request,
    HTTPStatus.UNPROCESSABLE_ENTITY: _unprocessable,
    HTTPStatus.CONFLICT: _conflict,
    HTTPStatus.NOT_FOUND: _not_found,
    HTTPStatus.TOO_MANY_REQUESTS: _too_many,
}


def _get(body: object, name: str) -> object:
    """A top-level field of a JSON object, whatever the case of its name."""
    if not isinstance(body, dict):
        return None
    wanted = name.casefold()
    return next((value for key, value in body.items() if str(key).casefold() == wanted), None)


def _vendor_detail(body: object) -> str:
    """What the vendor said in words, or a hint of what a non-JSON answer was; short and redacted.

    Read from every shape the engine may send: `Message`/`message` (ours, ASP.NET Web API 2), RFC 7807
    ProblemDetails (`title`, `detail`), `error`/`error_description`, a bare JSON string (a Web API throttling
    429), a list of strings, or plain text.
    """
    if isinstance(body, str):
        if not body.strip():
            return ""
        if body.lstrip().startswith("<"):
            return _HTML_PAGE
        return _short(body)
    if isinstance(body, list):
        return _short("; ".join(_words(item) for item in body[:_MAX_LISTED] if _words(item)))
    said: list[str] = []
    for name in _MESSAGE_KEYS:
        text = _words(_get(body, name))
        if text and text not in said:
            said.append(text)
    return _short(" ".join(_sentence(text) for text in said))


# Where an error body says what went wrong, in the order a reader wants them.
_MESSAGE_KEYS = ("Message", "title", "detail", "error", "error_description")
# Where an error body names fields: ours and ProblemDetails (`Errors`), ASP.NET Web API 2 (`ModelState`).
_FIELD_ERROR_KEYS = ("Errors", "ModelState", "ValidationErrors")
# Keys of one entry of a list of field errors (`[{"field": ..., "message": ...}]`), as frameworks spell them.
_PATH_KEYS = ("field", "propertyName", "path", "memberNames", "member", "name", "key", "source", "loc")
_TEXT_KEYS = ("message", "errorMessage", "detail", "description", "reason", "msg", "title")
# A hostile or broken answer can name a million fields; what a person can act on is far fewer.
_MAX_LISTED = 1000


def _short(text: str) -> str:
    return redact(" ".join(text.split()))[:_MAX_DETAIL_CHARS]


def _sentence(text: str) -> str:
    return text if text.endswith((".", "!", "?", ":")) else text + "."


def _words(value: object) -> str:
    """A message held by a JSON value: a string, or the text of an object such as `{"message": ...}`."""
    if isinstance(value, str):
        return " ".join(value.split())
    if isinstance(value, dict):
        return next((t for t in (_words(_get(value, k)) for k in _TEXT_KEYS) if t), "")
    return ""


def _field_errors(body: object) -> dict[str, list[str]]:
    """Field path → what is wrong with it, from `Errors`, `errors`, `modelState` or a list of entries.

    Messages that name no field (a list of strings, an entry without a path) are kept under "" so that they
    reach the user as errors about the whole request.
    """
    result: dict[str, list[str]] = {}
    for name in _FIELD_ERROR_KEYS:
        found = _get(body, name)
        entries = found.items() if isinstance(found, dict) else _listed_entries(found)
        for path, problems in list(entries)[:_MAX_LISTED]:
            listed = problems if isinstance(problems, list) else [problems]
            texts = [
                redact((_words(p) or str(p))[:_MAX_DETAIL_CHARS])
                for p in listed[:_MAX_LISTED]
                if p is not None
            ]
            result.setdefault(str(path)[:_MAX_DETAIL_CHARS], []).extend(texts)
    return result


def _listed_entries(found: object) -> list[tuple[str, object]]:
    """`[{"propertyName": "LineItems[0].Value", "errorMessage": "..."}, "a message", ...]` as (path, problem)."""
    if not isinstance(found, list):
        return []
    entries: list[tuple[str, object]] = []
    for item in found[:_MAX_LISTED]:
        if isinstance(item, dict):
            path = next((_path_text(_get(item, k)) for k in _PATH_KEYS if _get(item, k) is not None), "")
            entries.append((path, _words(item) or "refused"))
        elif isinstance(item, str):
            entries.append(("", item))
    return entries


def _path_text(value: object) -> str:
    if isinstance(value, list):  # `memberNames: ["Value"]`, `loc: ["body", "lineItems", 0]`
        return ".".join(str(part) for part in value[:8])
    return str(value)


def _describe_field_errors(field_errors: dict[str, list[str]], shown: int = 3) -> str:
    parts = [
        f"{name}: {'; '.join(problems)}" if name else "; ".join(problems)
        for name, problems in list(field_errors.items())[:shown]
    ]
    more = len(field_errors) - shown
    return ", ".join(parts) + (f" (and {more} more)" if more > 0 else "")


def _original_order_id(body: object) -> str | None:
    found = _get(body, "Id")
    if isinstance(found, str | int) and str(found):
        return str(found)
    previous = _get(body, "PreviousOrderIds")
    if isinstance(previous, list) and previous and isinstance(previous[0], str | int):
        return str(previous[0])
    return None
