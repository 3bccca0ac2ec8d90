"""Real servers on loopback for the channel tests: an SMTP server (aiosmtpd)
and an HTTP server that answers as a provider documents."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SmtpSink:
    """An SMTP server keeping every message it accepts."""

    def __init__(self, refuse: dict[str, str] | None = None, stall: float = 0):
        self.messages: list[EmailMessage] = []
        self.refuse = refuse or {}  # recipient -> SMTP reply
        self.stall = stall  # seconds to sit on a DATA before answering
        self.data_started = threading.Event()
        self.port = free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        import asyncio

        self.data_started.set()
        if self.stall:
            await asyncio.sleep(self.stall)
        self.messages.append(
            message_from_bytes(envelope.content, policy=policy.default)  # type: ignore[arg-type]
        )
        return "250 Message accepted"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]

    def __enter__(self) -> SmtpSink:
        self.controller.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.controller.stop()


Answer = tuple[int, dict[str, Any], dict[str, str]]


class Provider:
    """An HTTP server: ``answer(path, headers, body) -> (status, json, headers)``."""

    def __init__(self, answer: Callable[[str, dict[str, str], Any], Answer]):
        self.requests: list[tuple[str, dict[str, str], Any]] = []
        self.answer = answer
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode()
                if self.headers.get("Content-Type", "").startswith("application/json"):
                    body: Any = json.loads(raw or "null")
                else:
                    body = {k: v[0] for k, v in parse_qs(raw).items()}
                headers = {k.lower(): v for k, v in self.headers.items()}
                provider.requests.append((self.path, headers, body))
                status, reply, extra = provider.answer(self.path, headers, body)
                data = json.dumps(reply).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for key, value in extra.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *_args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Provider:
        self.thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


class SmsGatewayFake:
    """A brand-name SMS gateway: tokens, ids, rate limits, bad numbers."""

    def __init__(self, token: str = "sms-token", limit_every: int = 0):
        self.token = token
        self.limit_every = limit_every  # every n-th request answers 429
        self.sent: list[dict[str, Any]] = []
        self.count = 0
        self.lock = threading.Lock()

    def __call__(self, path: str, headers: dict[str, str], body: Any) -> Answer:
        with self.lock:
            self.count += 1
            if headers.get("authorization") != f"Bearer {self.token}":
                return 401, {"error": "invalid token"}, {}
            if self.limit_every and self.count % self.limit_every == 0:
                return 429, {"error": "too many requests"}, {"Retry-After": "1"}
            to = str(body.get("to", ""))
            if not (to.startswith("84") and len(to) == 11):
                return 422, {"error": "invalid phone number"}, {}
            self.sent.append(body)
            return 200, {"id": f"sms-{len(self.sent)}", "status": "accepted"}, {}

    def to(self, phone: str) -> list[dict[str, Any]]:
        return [m for m in self.sent if m["to"] == "84" + phone[1:]]
