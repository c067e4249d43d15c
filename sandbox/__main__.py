"""`python -m sandbox`: serve the SieSmart sandbox until SIGTERM or SIGINT."""

import argparse
import signal
import sys
import threading

from .app import Sandbox
from .faults import Settings
from .ratelimit import WINDOW_SECONDS
from .seed import Seed, SeedError
from .server import SandboxServer


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m sandbox", description="A simulator of SFS's SieSmart B2B API."
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=8765, help="port to listen on (0: any free)")
    parser.add_argument("--seed", default=None, help="seed data JSON file (default: built-in)")
    parser.add_argument(
        "--rate-limit", type=int, default=100, help="requests per minute per client IP (0: none)"
    )
    parser.add_argument(
        "--token-lifetime", type=float, default=86400, help="access token lifetime in seconds"
    )
    parser.add_argument(
        "--decision-delay", type=float, default=10, help="seconds a decision stays PENDING"
    )
    parser.add_argument(
        "--random-seed", type=int, default=None, help="seed of the fault injection's randomness"
    )
    parser.add_argument(
        "--rate-window",
        type=float,
        default=WINDOW_SECONDS,
        help="length of the rate limit's sliding window in seconds (tests shorten it)",
    )
    args = parser.parse_args(argv)
    if args.rate_limit < 0 or args.token_lifetime <= 0 or args.decision_delay < 0:
        parser.error(
            "--rate-limit and --decision-delay must not be negative, "
            "--token-lifetime must be positive"
        )
    if args.rate_window <= 0:
        parser.error("--rate-window must be positive")
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        seed = Seed.load(args.seed)
    except (OSError, ValueError, KeyError, SeedError) as error:
        print(f"sandbox: cannot load the seed: {error}", file=sys.stderr)
        return 2
    settings = Settings(
        rate_limit=args.rate_limit,
        token_lifetime=args.token_lifetime,
        decision_delay=args.decision_delay,
    )
    sandbox = Sandbox(seed, settings, random_seed=args.random_seed, rate_window=args.rate_window)
    try:
        server = SandboxServer((args.host, args.port), sandbox)
    except OSError as error:
        print(f"sandbox: cannot listen on {args.host}:{args.port}: {error}", file=sys.stderr)
        return 1
    host, port = server.server_address[:2]
    shown = f"[{host}]" if ":" in host else host
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    # serve_forever runs in a thread so the main thread is free to receive the signals.
    serving = threading.Thread(target=server.serve_forever, args=(0.2,), daemon=True)
    serving.start()
    print(f"sandbox listening on http://{shown}:{port}", flush=True)
    while not stop.wait(0.5):
        pass
    server.shutdown()
    server.server_close()
    sandbox.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
