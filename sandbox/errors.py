"""The error object of CONTRACT.md section 4, raised as an exception and answered by the server."""

STATUS_CODES = {
    400: "VALIDATION_FAILED",
    401: "UNAUTHORIZED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    409: "INVALID_STATE",
    412: "ETAG_MISMATCH",
    413: "PAYLOAD_TOO_LARGE",
    429: "RATE_LIMITED",
    500: "INTERNAL_ERROR",
    503: "SERVICE_UNAVAILABLE",
}

DEFAULT_MESSAGES = {
    401: "The access token is missing, unknown, revoked or expired.",
    403: "The operation is not allowed for this token.",
    404: "The resource does not exist.",
    409: "The proposal's state does not allow this operation.",
    413: "The request is larger than 15,000,000 bytes: its body was not read.",
    429: "Too many requests: the rate limit is exceeded.",
    500: "An internal error occurred.",
    503: "The service is unavailable.",
}


class ApiError(Exception):
    """An answer other than success. The server adds `traceId` when it renders the body."""

    def __init__(self, status, code=None, message=None, violations=None, headers=None):
        super().__init__(message or code)
        self.status = status
        self.code = code or STATUS_CODES[status]
        self.message = message or DEFAULT_MESSAGES.get(status, self.code)
        self.violations = violations
        self.headers = headers or {}

    def body(self, trace_id: str) -> dict:
        body = {"traceId": trace_id, "status": self.status, "code": self.code}
        body["message"] = self.message
        if self.violations is not None:
            body["violations"] = self.violations
        return body


def validation_failed(violations: list) -> ApiError:
    count = len(violations)
    noun = "problem" if count == 1 else "problems"
    message = f"The request has {count} {noun}."
    return ApiError(400, "VALIDATION_FAILED", message, violations)


def precondition_violations(violations: list) -> ApiError:
    message = "The proposal is not ready for a credit decision."
    return ApiError(400, "PRECONDITION_VIOLATIONS", message, violations)


def not_found(what: str = "The resource") -> ApiError:
    return ApiError(404, message=f"{what} does not exist.")


def forbidden(what: str = "The resource") -> ApiError:
    return ApiError(403, message=f"{what} belongs to another introducer.")


def invalid_state(status: str) -> ApiError:
    return ApiError(409, message=f"The proposal is {status}: this operation is not allowed.")
