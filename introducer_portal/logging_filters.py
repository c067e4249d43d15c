"""A 403 or 404 is the client's mistake, not ours: one line in the log, never a traceback.

Django logs a 4xx answer from ``Http404``/``PermissionDenied`` with the exception attached
(``exc_info``), so each printed a full traceback; this filter drops it for status codes below
500, keeping the one line ("Not Found: /path").
"""

import logging


class ClientErrorsWithoutTraceback(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if isinstance(status, int) and 400 <= status < 500:
            record.exc_info = None
            record.exc_text = None
            record.stack_info = None
        return True
