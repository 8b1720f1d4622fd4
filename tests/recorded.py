"""Loading the responses captured from Buffer's real service (tests/data/real-responses)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import attrs
import httpx

RECORDED = Path(__file__).parent / "data" / "real-responses"


@attrs.frozen
class RecordedResponse:
    status_code: int
    headers: httpx.Headers
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    def to_httpx(self) -> httpx.Response:
        headers = [(k, v) for k, v in self.headers.multi_items() if k.lower() != "content-length"]
        return httpx.Response(self.status_code, headers=headers, content=self.body)


def load(name: str) -> RecordedResponse:
    """A captured response: ``.http`` keeps status and headers; ``.json`` is a 200's body."""
    raw = (RECORDED / name).read_bytes()
    if name.endswith(".json"):
        return RecordedResponse(200, httpx.Headers({"content-type": "application/json"}), raw)
    head, _, body = raw.replace(b"\r\n", b"\n").partition(b"\n\n")
    status_line, *header_lines = head.decode("latin-1").split("\n")
    status = int(status_line.split()[1])
    pairs = [line.split(":", 1) for line in header_lines]
    headers = httpx.Headers([(name.strip(), value.strip()) for name, value in pairs])
    return RecordedResponse(status, headers, body.rstrip(b"\n"))


def names() -> list[str]:
    return sorted(path.name for path in RECORDED.iterdir())
