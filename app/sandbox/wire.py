"""JSON in and out of the sandbox: exact decimals on the way in, PascalCase or camelCase on the way out."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse


class BadJson(ValueError):
    """The request body is not the JSON the endpoint needs."""


async def read_json(request: Request, *, optional: bool = False) -> Any:
    """The body parsed with exact decimals (so 10.005 stays 10.005); None for an empty optional body."""
    raw = await request.body()
    if not raw.strip():
        if optional:
            return None
        raise BadJson("The request body must be JSON.")
    try:
        return json.loads(raw, parse_float=Decimal, parse_constant=_reject_constant)
    except (ValueError, UnicodeDecodeError) as error:
        raise BadJson("The request body is not valid JSON.") from error


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def camel_key(name: str) -> str:
    """PascalCase to camelCase as .NET does it ('PONumber' → 'poNumber'); each dotted part of a field path."""
    return ".".join(_camel_word(part) for part in name.split("."))


def _camel_word(word: str) -> str:
    chars = list(word)
    for i, char in enumerate(chars):
        if i == 1 and not char.isupper():
            break
        if i > 0 and i + 1 < len(chars) and not chars[i + 1].isupper():
            break  # the last capital of a run starts the next word: 'PONumber' keeps its 'N'
        chars[i] = char.lower()
    return "".join(chars)


def camelize(value: Any) -> Any:
    """Every key, at every depth, in camelCase."""
    if isinstance(value, dict):
        return {camel_key(k): camelize(v) for k, v in value.items()}
    if isinstance(value, list):
        return [camelize(v) for v in value]
    return value


def reply(
    body: Any, status: int = 200, headers: dict[str, str] | None = None, camel: bool = False
) -> JSONResponse:
    return JSONResponse(camelize(body) if camel else body, status_code=status, headers=headers)


Answer = tuple[int, Any, dict[str, str] | None]


def problem(
    message: str,
    status: int,
    errors: dict[str, list[str]] | None = None,
    headers: dict[str, str] | None = None,
) -> Answer:
    """(status, body, headers) of an error answer: `{"Message": ..., "Errors": {field: [...]}}`."""
    body: dict[str, Any] = {"Message": message}
    if errors:
        body["Errors"] = errors
    return status, body, headers


_PROBLEM_TYPES = {
    400: "https://tools.ietf.org/html/rfc7231#section-6.5.1",
    401: "https://tools.ietf.org/html/rfc7235#section-3.1",
    403: "https://tools.ietf.org/html/rfc7231#section-6.5.3",
    404: "https://tools.ietf.org/html/rfc7231#section-6.5.4",
    409: "https://tools.ietf.org/html/rfc7231#section-6.5.8",
}


def styled_error(body: Any, status: int, style: str) -> tuple[Any, str]:
    """An error answer (`problem`'s shape, with any extra members such as `PreviousOrderIds`) as a framework
    of that style writes it, and its content type. See `faults.ERROR_STYLES`."""
    message = str(body.get("Message", "")) if isinstance(body, dict) else str(body)
    errors: dict[str, list[str]] = body.get("Errors") or {} if isinstance(body, dict) else {}
    extra = (
        {k: v for k, v in body.items() if k not in ("Message", "Errors")} if isinstance(body, dict) else {}
    )
    if style == "message-only":
        return {"message": message}, "application/json"
    if style == "webapi":
        if status == 429:
            return message, "application/json"  # Web API throttling answers with a bare JSON string
        shaped: dict[str, Any] = {"message": "The request is invalid." if errors else message}
        if errors:
            # Web API 2 names fields after the action's parameter (`order`), with the C# property names.
            shaped["modelState"] = {f"order.{path}": problems for path, problems in errors.items()}
        shaped.update(camelize({k: v for k, v in extra.items() if k != "Id"}))
        return shaped, "application/json"
    if style == "problem":
        shaped = {
            "type": _PROBLEM_TYPES.get(status, "about:blank"),
            "title": "One or more validation errors occurred." if errors else message,
            "status": status,
        }
        if errors:
            shaped["detail"] = message
            shaped["errors"] = {f"$.{camel_key(path)}": problems for path, problems in errors.items()}
        shaped.update(camelize(extra))
        return shaped, "application/problem+json"
    return body, "application/json"
