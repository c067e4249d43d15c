"""One thread that runs callbacks at their instant: decisions take effect on time, not on a read."""

import heapq
import itertools
import threading
import time


class Scheduler:
    def __init__(self):
        self._queue: list = []
        self._order = itertools.count()  # ties keep their order; callables are never compared
        self._cond = threading.Condition()
        self._stopped = False
        self._thread = threading.Thread(target=self._run, name="sandbox-scheduler", daemon=True)
        self._thread.start()

    def call_later(self, delay: float, callback, *args):
        due = time.monotonic() + max(0.0, delay)
        with self._cond:
            heapq.heappush(self._queue, (due, next(self._order), callback, args))
            self._cond.notify()

    def stop(self):
        with self._cond:
            self._stopped = True
            self._cond.notify()

    def _run(self):
        while True:
            with self._cond:
                while not self._stopped:
                    now = time.monotonic()
                    if self._queue and self._queue[0][0] <= now:
                        break
                    timeout = self._queue[0][0] - now if self._queue else None
                    self._cond.wait(timeout)
                if self._stopped:
                    return
                _due, _order, callback, args = heapq.heappop(self._queue)
            try:
                callback(*args)
            except Exception:  # noqa: BLE001 - a failing callback must not stop later decisions
                import traceback

                traceback.print_exc()
