"""Reading an answer's body: decompressed, and never more of it than the caller allows.

httpx decompresses as it reads, but a chunk of a few KiB of gzip may inflate
to megabytes in one step (300 KiB inflate to 300 MiB), and stopping its
``aiter_bytes()`` half-way leaves httpx's nested async generators to the
garbage collector, which trio reports as a ``ResourceWarning``. So the body is
read here from the response's raw stream, in one generator this module
closes itself, and inflated with :mod:`zlib` one bounded step at a time:
memory never holds more than the limit plus one step, whatever the body.

The SDK asks for ``gzip`` and ``deflate`` only (``ACCEPT_ENCODING``), which
is what Buffer and the proxies in front of it send; an answer in any other
encoding fails as a garbled answer would.
"""

from __future__ import annotations

import contextlib
import zlib
from collections.abc import AsyncGenerator
from typing import cast

import httpx

__all__ = ["ACCEPT_ENCODING", "ResponseTooLarge", "read_body"]

ACCEPT_ENCODING = "gzip, deflate"


class ResponseTooLarge(Exception):
    """The body passed the limit: ``size`` bytes were read, or announced."""

    def __init__(self, size: int) -> None:
        super().__init__(size)
        self.size = size


class _Inflater:
    """Inflates gzip or zlib-wrapped deflate (and bare deflate, which some servers send)."""

    def __init__(self) -> None:
        # 32 + MAX_WBITS: zlib detects a gzip or a zlib header by itself.
        self._zlib = zlib.decompressobj(32 + zlib.MAX_WBITS)
        self._started = False

    def inflate(self, data: bytes, max_length: int) -> bytes:
        """Up to ``max_length`` bytes of output; the rest of the input waits in ``pending``."""
        try:
            output = self._zlib.decompress(data, max_length)
        except zlib.error:
            if self._started:
                raise
            self._zlib = zlib.decompressobj(-zlib.MAX_WBITS)  # deflate with no header
            output = self._zlib.decompress(data, max_length)
        self._started = True
        return output

    @property
    def pending(self) -> bytes:
        """Input not yet inflated because ``max_length`` was reached."""
        return self._zlib.unconsumed_tail


def _inflater_for(response: httpx.Response) -> _Inflater | None:
    codings = [
        coding.strip().lower()
        for coding in response.headers.get("content-encoding", "").split(",")
        if coding.strip() and coding.strip().lower() != "identity"
    ]
    if not codings:
        return None
    if codings in (["gzip"], ["x-gzip"], ["deflate"]):
        return _Inflater()
    # Raised as httpx raises it, so the transport treats it as a garbled answer.
    raise httpx.DecodingError(
        f"unsupported Content-Encoding {', '.join(codings)!r} (asked for {ACCEPT_ENCODING})",
        request=response.request,
    )


async def read_body(response: httpx.Response, limit: int) -> bytes:
    """The whole body of a streamed ``response``, decompressed, at most ``limit`` bytes.

    Past the limit nothing more is inflated or kept, but the raw body is still
    read to its end (discarded) while it stays under the limit too: a small
    compressed bomb is drained and its connection stays reusable. Only a raw
    body over the limit is abandoned half-way. The caller closes the response.

    Raises:
        ResponseTooLarge: the body, or the length it announced, is over ``limit``.
        httpx.DecodingError: the compressed body is garbled, or in an encoding
            the SDK did not ask for.
        httpx.HTTPError: the connection failed while reading.
    """
    try:
        content = response.content  # read already: an in-memory transport built it whole
    except httpx.ResponseNotRead:
        pass
    else:
        if len(content) > limit:
            raise ResponseTooLarge(len(content))
        return content
    declared = response.headers.get("content-length", "")
    if declared.isascii() and declared.isdigit() and len(declared) < 20 and int(declared) > limit:
        raise ResponseTooLarge(int(declared))
    inflater = _inflater_for(response)
    parts: list[bytes] = []
    size = raw_size = 0
    # aiter_raw() is an async generator, typed as a plain iterator by httpx.
    raw_stream = cast("AsyncGenerator[bytes, None]", response.aiter_raw())
    async with contextlib.aclosing(raw_stream) as raw_chunks:
        async for raw in raw_chunks:
            raw_size += len(raw)
            if size > limit:
                if raw_size > limit:
                    break
                continue
            data = raw
            while data and size <= limit:
                if inflater is None:
                    part, data = data, b""
                else:
                    try:
                        part = inflater.inflate(data, limit - size + 1)
                    except zlib.error as exc:
                        raise httpx.DecodingError(
                            f"garbled compressed body: {exc}", request=response.request
                        ) from None
                    data = inflater.pending
                size += len(part)
                parts.append(part)
    if size > limit:
        raise ResponseTooLarge(size)
    return b"".join(parts)
