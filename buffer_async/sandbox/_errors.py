"""Buffer's error codes as the sandbox answers them, and ``SandboxError``.

The table is the sandbox's own, written from Buffer's published table of v1
error codes (the HTTP status each code is filed under, and its meaning). The
client reads errors with a table of its own: were the two one table, a
mistake in it would make the fake server and the client agree with each
other and never show in a behaviour test. The sandbox's tests check this
table against Buffer's, row by row.
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["ERROR_CODES", "STATUS_ONLY_ERRORS", "SandboxError"]

# Buffer code -> (the HTTP status Buffer files it under, its published meaning),
# in the order of Buffer's table. 403 and 404 are codes as well as statuses.
ERROR_CODES: Mapping[int, tuple[int, str]] = {
    # HTTP 400
    1003: (400, "Parameter not recognized"),
    1004: (400, "Required parameter missing"),
    1006: (400, "Parameter value not within bounds"),
    1012: (400, "Profile did not save successfully"),
    1016: (400, "Profile buffer could not be emptied"),
    1022: (400, "Update did not save successfully"),
    1025: (400, "Update was recently posted, can't post duplicate content"),
    1026: (400, "Update must be in error status to requeue"),
    1027: (400, "Update must be in buffer and not custom scheduled in order to move to top"),
    1029: (400, "Event type not supported"),
    1030: (400, "Media filetype not supported"),
    1031: (400, "Media filesize out of acceptable range"),
    1032: (400, "Unable to post image to LinkedIn group(s)"),
    1033: (400, "Comments can only be posted to Facebook at this time"),
    1034: (400, "Cannot schedule updates in the past"),
    1042: (400, "User did not save successfully"),
    # HTTP 403
    403: (403, "Permission denied"),
    1001: (403, "Access token required"),
    1002: (403, "Not within application scope"),
    1011: (403, "No authorization to access profile"),
    1013: (403, "Profile schedule limit reached"),
    1014: (403, "Profile limit for user has been reached"),
    1015: (403, "Profile could not be destroyed"),
    1021: (403, "No authorization to access update"),
    1023: (403, "Update limit for profile has been reached"),
    1024: (403, "Update limit for team profile has been reached"),
    1028: (403, "Update soft limit for profile reached"),
    1051: (403, "No authorization to access client"),
    # HTTP 404
    404: (404, "Endpoint not found"),
    1010: (404, "Profile could not be found"),
    1020: (404, "Update could not be found"),
    1050: (404, "Client could not be found"),
    # HTTP 406
    1005: (406, "Unsupported response format"),
    # HTTP 500
    1000: (500, "An unknown error occurred"),
}

# The statuses Buffer's table lists with no code of their own, and the
# message the sandbox writes for them.
STATUS_ONLY_ERRORS: Mapping[int, str] = {
    405: "Method not allowed",
    429: "Rate limit exceeded",
}

# What a code missing from the table is answered with.
_UNKNOWN_CODE = (400, "Bad request")


class SandboxError(Exception):
    """Buffer refused the operation: ``code`` is Buffer's error code, ``status`` the HTTP status.

    Args:
        code: Buffer's code (``1020``), or an HTTP status for codes Buffer
            files under one (``404`` endpoint not found).
        message: overrides the documented meaning of ``code``.
    """

    def __init__(self, code: int, message: str | None = None) -> None:
        status, meaning = ERROR_CODES.get(code, _UNKNOWN_CODE)
        super().__init__(message or meaning)
        self.code = code
        self.status = status
        self.message = message or meaning
