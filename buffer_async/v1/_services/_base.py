"""What every service shares: send a request, decode the answer into a model."""

from __future__ import annotations

from typing import Any, TypeVar

from ..._errors import ResponseDecodeError
from ..._policy import Outcome, classify
from ..._transport import Transport
from .._requests import ApiRequest

__all__ = ["Service"]

T = TypeVar("T")


class Service:
    """Base of the resource services: holds the transport, decodes answers."""

    __slots__ = ("_transport",)

    def __init__(self, transport: Transport) -> None:
        self._transport = transport

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self._transport.base_url}>"

    async def _fetch(self, request: ApiRequest, into: type[T]) -> T:
        data = await self._transport.send(request)
        return self._decode(request, data, into)

    def _decode(self, request: ApiRequest, data: Any, into: type[T]) -> T:
        """Decode an answer; a 2xx that is not the documented shape is ``MISSHAPEN``."""
        # cattrs and the generated hooks load on the first answer, not at
        # `import buffer_async`: they are about 40 ms of its import time.
        from .._converter import decode  # noqa: PLC0415

        try:
            return decode(data, into, what=self._transport.describe(request))
        except ResponseDecodeError as exc:
            verdict = classify(request, Outcome.MISSHAPEN)
            if verdict.may_have_been_applied == exc.may_have_been_applied:
                raise
            # Buffer said 2xx, so it may have acted on a request that is not
            # idempotent: the error says so.
            raise ResponseDecodeError(
                exc.message, body=exc.body, may_have_been_applied=verdict.may_have_been_applied
            ) from exc.__cause__

    async def _fetch_json(self, request: ApiRequest) -> Any:
        return await self._transport.send(request)

    async def _expect_success(self, request: ApiRequest) -> None:
        """Send a call whose answer is only ``{"success": true, ...}``."""
        data = await self._transport.send(request)
        if not isinstance(data, dict) or data.get("success") is not True:
            verdict = classify(request, Outcome.MISSHAPEN)
            raise ResponseDecodeError(
                f"Buffer's answer to {self._transport.describe(request)} is not "
                f'{{"success": true}}: {data!r:.200}',
                may_have_been_applied=verdict.may_have_been_applied,
            )
