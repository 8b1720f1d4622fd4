"""Checking an API root: ``checked_base_url``, which keeps the credential off plain HTTP.

The transport's ``base_url`` passes it, and so do OAuth's token and
authorization URLs: ``https://`` only, but for loopback hosts
(``localhost``, ``127.0.0.0/8``, ``::1``), where the sandbox runs on plain
``http://``; never a query, a fragment or credentials in the URL.
"""

from __future__ import annotations

import ipaddress

import httpx

__all__ = ["checked_base_url"]

_LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1", "[::1]"})


def _is_loopback_address(host: str) -> bool:
    """Whether ``host`` is a loopback IP address; a name such as ``127.evil.com`` is not."""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def checked_base_url(base_url: str) -> str:
    """Return ``base_url`` without its trailing slash, refusing plain HTTP off loopback.

    Messages show the scheme, host and path only: a query, a fragment or a
    ``user:password@`` part may hold a credential, so they are never repeated.

    Raises:
        ValueError: not an absolute ``https://`` URL (``http://`` is allowed for
            ``localhost``, ``127.0.0.0/8`` and ``::1`` only, where the sandbox runs),
            or one with a query, a fragment or credentials in it.
    """
    if not isinstance(base_url, str):
        raise TypeError(f"base_url must be a string, got {type(base_url).__name__}")
    try:
        url = httpx.URL(base_url)
    except httpx.InvalidURL:
        raise ValueError("base_url is not a valid URL") from None
    shown = f"{url.scheme}://{url.netloc.decode('ascii', 'replace').rpartition('@')[2]}{url.path}"
    if url.query or url.fragment or url.userinfo:
        raise ValueError(
            f"base_url must not carry a query, a fragment or credentials (got {shown!r} "
            "with one of them, not shown); pass the access token as access_token"
        )
    host = url.host
    loopback = host in _LOOPBACK_HOSTS or _is_loopback_address(host)
    if url.scheme == "http" and not loopback:
        raise ValueError(
            f"base_url {shown!r} uses plain http:// to a host that is not loopback; "
            "the access token would cross the network unencrypted. Use https://."
        )
    if url.scheme not in ("http", "https") or not host:
        raise ValueError(f"base_url must be an absolute https:// URL, got {shown!r}")
    return str(url).rstrip("/")
