"""The `sandbox serve` options, shared by `giftbatch sandbox serve` and `python -m app.sandbox`."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any, TextIO

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


def faults_from_arguments(args: argparse.Namespace) -> dict[str, Any]:
    """The fault settings given on the command line, and only those."""
    return {
        setting: getattr(args, setting)
        for _, setting, _, _ in FAULT_OPTIONS
        if getattr(args, setting) is not None
    }


def serve_from_arguments(args: argparse.Namespace, out: TextIO | None = None) -> int:
    """Serve as the parsed options say, until interrupted; raises SandboxStartError or FaultSettingError."""
    return serve(
        args.state,
        host=args.host,
        port=args.port,
        faults=faults_from_arguments(args),
        camel_case=args.camel_case,
        out=out,
    )
