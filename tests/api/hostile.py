"""A real HTTP server on loopback that misbehaves on purpose, for the client's bounds (not a mock transport:
the bounds live in the sockets)."""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

Behaviour = Callable[[BaseHTTPRequestHandler], None]


@dataclass
class Seen:
    """Requests the server received (path and whether an AccessToken came with it) and bytes it sent."""

    paths: list[str] = field(default_factory=list)
    access_tokens: list[str] = field(default_factory=list)
    bytes_sent: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


def trickle(seconds_per_byte: float) -> Behaviour:
    """A 200 that promises 1,000 bytes and sends one every `seconds_per_byte`."""

    def behaviour(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Length", "1000")
        handler.end_headers()
        for _ in range(1000):
            handler.wfile.write(b" ")
            handler.wfile.flush()
            time.sleep(seconds_per_byte)

    return behaviour


def answer(handler: BaseHTTPRequestHandler, status: int, body: bytes, **headers: str) -> None:
    handler.send_response(status)
    handler.send_header("Content-Length", str(len(body)))
    for name, value in headers.items():
        handler.send_header(name.replace("_", "-"), value)
    handler.end_headers()
    handler.wfile.write(body)


@contextmanager
def hostile_server(
    behaviour: Behaviour, *, host: str = "127.0.0.1", tls: ssl.SSLContext | None = None
) -> Iterator[tuple[str, Seen]]:
    """Serve `behaviour` for every request; yields the base URL and what was seen."""
    seen = Seen()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        body = b""  # the request's body, read before `behaviour` is called

        def _any(self) -> None:
            with seen.lock:
                seen.paths.append(self.path)
                if self.headers.get("AccessToken"):
                    seen.access_tokens.append(self.headers["AccessToken"])
            length = int(self.headers.get("Content-Length") or 0)
            self.body = self.rfile.read(length) if length else b""
            counting = _Counting(self.wfile, seen)
            self.wfile = counting  # type: ignore[assignment]
            # The client hanging up mid-answer is what a bounded client does.
            with suppress(BrokenPipeError, ConnectionResetError, ssl.SSLError):
                behaviour(self)

        do_GET = do_POST = _any

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer((host, 0), Handler)
    server.daemon_threads = True
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    scheme = "https" if tls else "http"
    try:
        yield f"{scheme}://{host}:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()


class _Counting:
    def __init__(self, inner: object, seen: Seen) -> None:
        self._inner = inner
        self._seen = seen

    def write(self, data: bytes) -> int:
        written = self._inner.write(data)  # type: ignore[attr-defined]
        with self._seen.lock:
            self._seen.bytes_sent += len(data)
        return int(written or len(data))

    def __getattr__(self, name: str) -> object:
        return getattr(self._inner, name)


def self_signed_tls(folder: Path) -> ssl.SSLContext:
    """A server TLS context whose certificate (for 127.0.0.1) nobody trusts."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False
        )
        .sign(key, hashes.SHA256())
    )
    (folder / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (folder / "key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(folder / "cert.pem", folder / "key.pem")
    return context
