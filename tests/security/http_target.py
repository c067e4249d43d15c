"""A tiny HTTP server on 127.0.0.1 that stands for an internal service an attacker wants read:
it records every request it gets, so a test can prove the portal never called it."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

INTERNAL_BODY = b'{"internal": "do-not-leak"}'


class HttpTarget:
    def __init__(self, *, status: int = 200, headers: dict[str, str] | None = None):
        self.status = status
        self.headers = headers or {"Content-Type": "application/json"}
        self.hits: list[str] = []
        target = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self):
                target.hits.append(f"{self.command} {self.path}")
                self.send_response(target.status)
                for name, value in target.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(INTERNAL_BODY)))
                self.end_headers()
                self.wfile.write(INTERNAL_BODY)

            do_GET = do_POST = _answer

            def log_message(self, *args):  # quiet
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
