"""``RotatingAuth``: the transport's side of a credential that changes (OAuth, a TokenSource).

It asks its source for the current token before each attempt, for one more
after a 401, and scrubs the tokens it sent lately from whatever comes back.
"""

from __future__ import annotations

from urllib.parse import quote

import httpx
import pytest

from buffer_async._auth import REDACTED, BearerAuth, RotatingAuth

pytestmark = pytest.mark.anyio


def token(n: int) -> str:
    return f"oauth-access-{n:02d}-0123456789abcdefXYZ"


class ScriptedSource:
    """A TokenSource whose current token the test sets; ``on_unauthorized`` gives ``renewals``."""

    def __init__(self, current: str, renewals: list[str | None] | None = None) -> None:
        self.current: object = current
        self.renewals = list(renewals or [])
        self.rejected: list[str] = []

    async def access_token(self) -> str:
        return self.current  # type: ignore[return-value]  # a test may make it anything

    async def on_unauthorized(self, rejected_access_token: str) -> str | None:
        self.rejected.append(rejected_access_token)
        return self.renewals.pop(0) if self.renewals else None


async def bearers(auth: RotatingAuth, source: ScriptedSource, *tokens: str) -> list[BearerAuth]:
    """The auths for ``tokens``, each the source's current token in turn."""
    result = []
    for each in tokens:
        source.current = each
        result.append(await auth.bearer())
    return result


def header_of(bearer: BearerAuth) -> str:
    request = httpx.Request("POST", "https://api.buffer.com")
    flow = bearer.auth_flow(request)
    return str(next(flow).headers["Authorization"])


async def test_each_bearer_carries_the_sources_current_token() -> None:
    source = ScriptedSource(token(1))
    auth = RotatingAuth(source)
    first = await auth.bearer()
    assert header_of(first) == f"Bearer {token(1)}"
    assert await auth.bearer() is first  # the same token: the same auth
    source.current = token(2)
    second = await auth.bearer()
    assert second is not first
    assert header_of(second) == f"Bearer {token(2)}"


async def test_every_recent_token_is_scrubbed_in_each_form_a_server_writes_it() -> None:
    source = ScriptedSource(token(1))
    auth = RotatingAuth(source)
    await bearers(auth, source, token(1), token(2), "with/slash-0123456789abcdef")
    body = (
        f'{{"a":"{token(1)}","b":"{token(2)}","c":"with\\/slash-0123456789abcdef",'
        f'"d":"{quote("with/slash-0123456789abcdef", safe="")}"}}'
    ).encode()
    scrubbed = auth.scrub(body)
    assert scrubbed == (
        f'{{"a":"{REDACTED}","b":"{REDACTED}","c":"{REDACTED}","d":"{REDACTED}"}}'.encode()
    )
    text = f"refused {token(1)} then {token(2)}, and with/slash-0123456789abcdef"
    assert auth.redact(text) == f"refused {REDACTED} then {REDACTED}, and {REDACTED}"


async def test_at_most_the_four_latest_tokens_are_kept_for_scrubbing() -> None:
    source = ScriptedSource(token(1))
    auth = RotatingAuth(source)
    await bearers(auth, source, *(token(n) for n in range(1, 7)))
    body = " ".join(token(n) for n in range(1, 7))
    assert auth.redact(body) == " ".join([token(1), token(2)] + [REDACTED] * 4)
    assert auth.scrub(body.encode()) == " ".join([token(1), token(2)] + [REDACTED] * 4).encode()


async def test_a_token_used_again_counts_as_recent() -> None:
    source = ScriptedSource(token(1))
    auth = RotatingAuth(source)
    first, *_ = await bearers(auth, source, token(1), token(2), token(3), token(4))
    again = await bearers(auth, source, token(1), token(5))
    assert again[0] is first  # still known: the same auth
    body = " ".join(token(n) for n in range(1, 6))
    assert auth.redact(body) == " ".join([REDACTED, token(2)] + [REDACTED] * 3)


async def test_renewed_asks_the_source_once_with_the_rejected_token() -> None:
    source = ScriptedSource(token(1), renewals=[token(2)])
    auth = RotatingAuth(source)
    rejected = await auth.bearer()
    renewed = await auth.renewed(rejected)
    assert renewed is not None
    assert header_of(renewed) == f"Bearer {token(2)}"
    assert source.rejected == [token(1)]
    # The renewed token is scrubbed too, and the rejected one still is.
    assert auth.redact(f"{token(1)} {token(2)}") == f"{REDACTED} {REDACTED}"


async def test_renewed_is_none_when_the_source_has_no_other_token() -> None:
    source = ScriptedSource(token(1), renewals=[None])
    auth = RotatingAuth(source)
    assert await auth.renewed(await auth.bearer()) is None
    assert source.rejected == [token(1)]


async def test_renewed_is_none_for_an_auth_it_did_not_hand_out_and_asks_nobody() -> None:
    source = ScriptedSource(token(1), renewals=[token(2)])
    auth = RotatingAuth(source)
    await auth.bearer()
    assert await auth.renewed(BearerAuth(token(1))) is None  # the same token, another auth
    assert source.rejected == []


async def test_renewed_is_none_for_an_auth_no_longer_kept() -> None:
    source = ScriptedSource(token(1), renewals=[token(9)])
    auth = RotatingAuth(source)
    oldest, *_ = await bearers(auth, source, *(token(n) for n in range(1, 6)))
    assert await auth.renewed(oldest) is None
    assert source.rejected == []


@pytest.mark.parametrize("given", [None, b"bytes-token-0123456789", 12345678901234])
async def test_a_source_giving_something_not_a_string_is_a_type_error(given: object) -> None:
    source = ScriptedSource(token(1), renewals=[given])  # type: ignore[list-item]
    auth = RotatingAuth(source)
    first = await auth.bearer()
    if given is not None:  # None from on_unauthorized means "no other token"
        with pytest.raises(TypeError, match=r"on_unauthorized\(\) returned"):
            await auth.renewed(first)
    source.current = given
    with pytest.raises(TypeError, match=r"access_token\(\) returned"):
        await auth.bearer()


@pytest.mark.parametrize("bad", ["", "two words-0123456789", "line\nbreak-0123456789"])
async def test_a_token_that_cannot_travel_in_a_header_is_a_value_error_without_echo(
    bad: str,
) -> None:
    source = ScriptedSource(bad)
    auth = RotatingAuth(source)
    with pytest.raises(ValueError, match=r"access_token\(\)") as raised:
        await auth.bearer()
    assert "0123456789" not in str(raised.value)


def test_a_source_without_both_methods_is_a_type_error() -> None:
    class OnlyAccessToken:
        async def access_token(self) -> str:
            return token(1)

    with pytest.raises(TypeError, match="OnlyAccessToken"):
        RotatingAuth(OnlyAccessToken())  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="str"):
        RotatingAuth(token(1))  # type: ignore[arg-type]


async def test_the_repr_hides_every_token() -> None:
    source = ScriptedSource(token(1), renewals=[token(2)])
    auth = RotatingAuth(source)
    bearer = await auth.bearer()
    renewed = await auth.renewed(bearer)
    assert repr(auth) == f"<RotatingAuth ScriptedSource {REDACTED}>"
    for shown in (repr(auth), str(auth), repr(bearer), repr(renewed)):
        assert "oauth-access" not in shown
        assert "0123456789" not in shown
