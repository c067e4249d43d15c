"""HTTP/1.1 with keep-alive over the standard library's ThreadingHTTPServer.

Every answer is written in one `write` (status line, headers and body together) with Nagle's
algorithm off, so a keep-alive client never waits on a delayed ACK. Nothing is logged per request.
"""

import contextlib
import json
import socket
import socketserver
import sys
import time
import uuid
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, unquote, urlsplit

from .app import TRACE_HEADER, Outcome, Sandbox
from .calls import Call

MAX_BODY = 1024 * 1024
# An upload carries a file of up to 10 MiB in base64; above this, 413 unread (CONTRACT.md 6.10).
MAX_UPLOAD_BODY = 15_000_000
MAX_DRAINED = 16 * MAX_BODY
MAX_CHUNK_LINE = 1024
DISCARD_BYTES = 64 * 1024 * 1024
DISCARD_SECONDS = 10.0


class BodyError(ValueError):
    pass


class PayloadTooLarge(BodyError):
    pass


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "SieSmartSandbox/1.0"
    sys_version = ""
    disable_nagle_algorithm = True
    timeout = 120  # an idle keep-alive connection gives its thread back after this

    def log_message(self, format, *args):  # noqa: A002 - the signature of the base class
        pass

    def handle_one_request(self):
        """The base class's loop step, but every method goes to `_serve` (unknown ones: 404)."""
        try:
            self.raw_requestline = self.rfile.readline(65537)
            if len(self.raw_requestline) > 65536:
                self.requestline = self.request_version = self.command = ""
                self.send_error(HTTPStatus.REQUEST_URI_TOO_LONG)
                return
            if not self.raw_requestline:
                self.close_connection = True
                return
            if not self.parse_request():
                return
            self._serve()
            self.wfile.flush()
        except (TimeoutError, ConnectionError):
            self.close_connection = True

    def _serve(self):
        problem, too_large = None, False
        try:
            body = self._read_body(self._body_limit())
        except PayloadTooLarge as error:
            self.close_connection = True
            body, problem, too_large = b"", str(error), True
        except BodyError as error:
            # The rest of the body is unread, so this connection cannot carry another request.
            self.close_connection = True
            body, problem = b"", str(error)
        target = self.path
        if not target.startswith("/"):  # an absolute URI such as http://host/path
            target = urlsplit(target).path or "/"
        parts = urlsplit(target)
        call = Call(
            method=self.command,
            path=unquote(parts.path, errors="replace"),
            query=parse_qsl(parts.query, keep_blank_values=True, errors="replace"),
            headers=self.headers,
            raw_body=body,
            client_ip=self.client_address[0],
            body_problem=problem,
            too_large=too_large,
        )
        outcome = self.server.sandbox.handle(call)
        if outcome.hang:
            time.sleep(outcome.hang)
        if outcome.drop:
            # Carried out, then the connection closes without an answer.
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        self._write(outcome)
        if too_large:
            self._discard_unread_body()

    def _body_limit(self) -> int:
        path = urlsplit(self.path).path.rstrip("/")
        upload = self.command == "POST" and path.endswith("/documents")
        return MAX_UPLOAD_BODY if upload else MAX_BODY

    def _discard_unread_body(self):
        """After a 413: the client may still be sending. Closing on unread bytes would reset the
        connection and lose the answer, so stop writing, then read and drop (bounded)."""
        deadline = time.monotonic() + DISCARD_SECONDS
        dropped = 0
        try:
            self.connection.shutdown(socket.SHUT_WR)
            self.connection.settimeout(2.0)
            while dropped < DISCARD_BYTES and time.monotonic() < deadline:
                chunk = self.connection.recv(65536)
                if not chunk:
                    break
                dropped += len(chunk)
        except OSError:
            pass

    def _read_body(self, limit: int) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            return self._read_chunked(limit)
        length = self.headers.get("Content-Length")
        if length is None:
            return b""
        if not length.strip().isdigit():
            raise BodyError("Content-Length is not a number.")
        size = int(length)
        if size > MAX_UPLOAD_BODY:
            raise PayloadTooLarge(f"The body is larger than {MAX_UPLOAD_BODY} bytes.")
        if size > limit:
            # Read what was sent (up to a bound) so the client gets to read the answer
            # instead of a connection reset.
            remaining = size if size <= MAX_DRAINED else 0
            while remaining > 0:
                chunk = self.rfile.read(min(remaining, 65536))
                if not chunk:
                    break
                remaining -= len(chunk)
            raise BodyError(f"The body is larger than {limit} bytes.")
        data = self.rfile.read(size)
        if len(data) < size:
            raise BodyError("The body ended early.")
        return data

    def _read_chunked(self, limit: int) -> bytes:
        chunks, total = [], 0
        while True:
            line = self.rfile.readline(MAX_CHUNK_LINE)
            try:
                size = int(line.split(b";", 1)[0].strip(), 16)
            except ValueError:
                raise BodyError("A chunk size is not valid.") from None
            if size == 0:
                while self.rfile.readline(MAX_CHUNK_LINE) not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                return b"".join(chunks)
            total += size
            if total > limit:
                raise BodyError(f"The body is larger than {limit} bytes.")
            chunks.append(self.rfile.read(size))
            self.rfile.readline(MAX_CHUNK_LINE)

    def send_error(self, code, message=None, explain=None):
        """Malformed request lines and headers (all the client's doing, even an unsupported
        HTTP version): 400, still JSON, still a trace id."""
        self.close_connection = True
        text = message or HTTPStatus(code).phrase
        self._write(_plain_error(400, "VALIDATION_FAILED", text))

    def _write(self, outcome: Outcome):
        status = outcome.status
        try:
            phrase = HTTPStatus(status).phrase
        except ValueError:
            phrase = ""
        lines = [f"HTTP/1.1 {status} {phrase}"]
        lines.extend(f"{name}: {value}" for name, value in outcome.headers)
        body = outcome.body or b""
        if status != 204:
            lines.append(f"Content-Length: {len(body)}")
        if self.close_connection:
            lines.append("Connection: close")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        if self.command == "HEAD":
            body = b""
        try:
            self.wfile.write(head + body)
        except OSError:
            self.close_connection = True


def _plain_error(status, code, message) -> Outcome:
    """An error for a request too broken to reach the sandbox (a garbled request line)."""
    trace = str(uuid.uuid4())
    body = {"traceId": trace, "status": status, "code": code, "message": message}
    body["violations"] = [{"field": None, "code": "MALFORMED_JSON", "userMessage": message}]
    headers = [(TRACE_HEADER, trace), ("Content-Type", "application/json")]
    return Outcome(status, json.dumps(body).encode("ascii"), headers)


class SandboxServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address, sandbox: Sandbox):
        self.sandbox = sandbox
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, Handler)

    def server_bind(self):
        # HTTPServer.server_bind looks the host name up (getfqdn), which can stall without DNS.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]

    def handle_error(self, request, client_address):
        # A client that went away is no error of ours; anything else is printed as usual.
        if isinstance(sys.exc_info()[1], OSError):
            return
        super().handle_error(request, client_address)
