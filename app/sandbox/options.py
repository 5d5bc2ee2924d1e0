"""The `sandbox serve` options, shared by `giftbatch sandbox serve` and `python -m app.sandbox`."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any, TextIO

from app.sandbox.faults import ERROR_STYLES, LIST_STATUSES, OBSERVED
from app.sandbox.server import serve

# (option, fault setting, type, help)
FAULT_OPTIONS: tuple[tuple[str, str, type, str], ...] = (
    ("--latency-ms", "latency_ms", int, "delay every /v1 answer by N milliseconds"),
    ("--error-rate", "error_rate", float, "answer this share (0..1) of /v1 requests with 500 or 503"),
    (
        "--lost-response-rate",
        "lost_response_rate",
        float,
        "share of created orders answered 504 after commit",
    ),
    ("--rate-limit-per-s", "rate_limit_per_s", int, "answer 429 with Retry-After beyond N requests a second"),
    ("--token-ttl-s", "token_ttl_s", int, "lifetime of new bearer tokens, in seconds (default 3600)"),
    (
        "--pending-delay-s",
        "pending_delay_s",
        float,
        "seconds before an order of 50+ cards completes (default 3)",
    ),
    ("--line-item-failure-rate", "line_item_failure_rate", float, "share of line items that fail"),
    ("--seed", "seed", int, "seed for the fault dice, so runs are reproducible"),
)

# (option, fault setting, endpoint)
STATUS_OPTIONS = (
    ("--shipping-methods-status", "shipping_methods_status", "/v1/ShippingMethods"),
    ("--brandings-status", "brandings_status", "/v1/Brandings"),
)
# (option, fault setting, the value the option gives it, help)
SWITCH_OPTIONS = (
    ("--null-lists", "null_lists", True, "products' Translations, CultureCodes, Media and Meta are null"),
    ("--no-external-id-echo", "echo_external_id", False, "line items in answers do not carry ExternalId"),
    ("--no-balance-endpoint", "balance_endpoint", False, "GET /v1/Balance answers 404"),
)


def add_serve_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port to listen on (default: any free port)")
    parser.add_argument(
        "--state",
        type=Path,
        metavar="FILE",
        help="SQLite file keeping orders, balance and tokens across restarts",
    )
    for option, setting, kind, help_text in FAULT_OPTIONS:
        parser.add_argument(option, dest=setting, type=kind, metavar="N", help=help_text)
    parser.add_argument("--camel-case", action="store_true", help="answer in camelCase instead of PascalCase")
    parser.add_argument(
        "--error-style",
        choices=ERROR_STYLES,
        help="shape of error answers: ours (pascal), ASP.NET Web API 2 (webapi), RFC 7807 (problem), or a "
        "bare message naming no field (message-only)",
    )
    for option, setting, what in STATUS_OPTIONS:
        parser.add_argument(
            option, dest=setting, type=int, choices=LIST_STATUSES, help=f"answer GET {what} with this status"
        )
    for option, setting, value, help_text in SWITCH_OPTIONS:
        parser.add_argument(option, dest=setting, action="store_const", const=value, help=help_text)
    parser.add_argument(
        "--observed",
        action="store_true",
        help="answer as public clients of the vendor's engine show it: camelCase, Web API 2 errors, no "
        "ExternalId echo, no balance endpoint, null lists (other options given still apply)",
    )


def faults_from_arguments(args: argparse.Namespace) -> dict[str, Any]:
    """The fault settings given on the command line, and only those (`--observed` first, then the rest)."""
    faults: dict[str, Any] = dict(OBSERVED) if args.observed else {}
    faults.update(
        {
            setting: getattr(args, setting)
            for _, setting, _, _ in FAULT_OPTIONS
            if getattr(args, setting) is not None
        }
    )
    if args.error_style is not None:
        faults["error_style"] = args.error_style
    for _, setting, _ in STATUS_OPTIONS:
        if getattr(args, setting) is not None:
            faults[setting] = getattr(args, setting)
    for _, setting, _, _ in SWITCH_OPTIONS:
        if getattr(args, setting) is not None:
            faults[setting] = getattr(args, setting)
    return faults


def serve_from_arguments(args: argparse.Namespace, out: TextIO | None = None) -> int:
    """Serve as the parsed options say, until interrupted; raises SandboxStartError or FaultSettingError."""
    return serve(
        args.state,
        host=args.host,
        port=args.port,
        faults=faults_from_arguments(args),
        camel_case=args.camel_case or args.observed,
        out=out,
    )
