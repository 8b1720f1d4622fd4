"""Serving the sandbox over real HTTP with uvicorn (the ``sandbox`` extra)."""

from __future__ import annotations

import importlib

from ._asgi import SandboxApp
from ._reply import Responder

__all__ = ["serve"]


def serve(
    sandbox: Responder, host: str = "127.0.0.1", port: int = 8080, *, log_level: str = "info"
) -> None:
    """Serve ``sandbox`` with uvicorn until interrupted: v1 at ``/1``, GraphQL at ``/graphql``.

    uvicorn is imported here, not at import time, so the SDK itself never
    needs it. Point a client at it with
    ``BufferClient(sandbox.token, base_url="http://127.0.0.1:8080/1")``.

    Raises:
        RuntimeError: uvicorn is not installed (``pip install 'buffer-async[sandbox]'``).
    """
    try:
        uvicorn = importlib.import_module("uvicorn")
    except ModuleNotFoundError:
        raise RuntimeError(
            "Serving the sandbox over HTTP needs uvicorn: pip install 'buffer-async[sandbox]'"
        ) from None
    # The sandbox dates every answer on its own clock; uvicorn's wall-time Date
    # beside it would make two, which a client cannot read (find_created).
    uvicorn.run(SandboxApp(sandbox), host=host, port=port, log_level=log_level, date_header=False)
