"""The fake Bot API answers like Telegram, so the tests that use it mean something."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from sandbox.fake_telegram import FakeTelegram, TelegramError, TelegramLimits

TOKEN = "42:FakeTelegramProtocolTestTokenXXXXXXXXXXX"


@pytest.fixture
async def api() -> AsyncIterator[tuple[FakeTelegram, httpx.AsyncClient]]:
    async with FakeTelegram(TOKEN) as fake, httpx.AsyncClient(base_url=f"{fake.url}/bot{TOKEN}/") as client:
        yield fake, client


async def test_envelopes_and_errors(api: tuple[FakeTelegram, httpx.AsyncClient]) -> None:
    fake, client = api
    me = (await client.post("getMe")).json()
    assert me["ok"] is True and me["result"]["username"] == fake.bot_username

    async with httpx.AsyncClient() as other:
        wrong = await other.post(f"{fake.url}/bot1:wrong/getMe")
    assert wrong.status_code == 401 and wrong.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}

    assert (await client.post("noSuchMethod")).status_code == 404

    fake.user(5, "Sam")
    not_started = await client.post("sendMessage", data={"chat_id": "5", "text": "hoi"})
    assert not_started.status_code == 403 and "can't initiate conversation" in not_started.json()["description"]

    fake.chats[5].started = True
    too_long = await client.post("sendMessage", data={"chat_id": "5", "text": "x" * 4097})
    assert too_long.json()["description"] == "Bad Request: message is too long"
    ok = await client.post("sendMessage", data={"chat_id": "5", "text": "123"})
    assert ok.json()["result"]["text"] == "123"  # numbers in text stay text

    fake.fail_next("sendMessage", 429, "Too Many Requests: retry after 7", retry_after=7)
    limited = (await client.post("sendMessage", data={"chat_id": "5", "text": "hoi"})).json()
    assert limited == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 7",
        "parameters": {"retry_after": 7},
    }


async def test_updates_are_confirmed_by_offset(api: tuple[FakeTelegram, httpx.AsyncClient]) -> None:
    fake, client = api
    first = await fake.push_update({"message": {"text": "a"}})
    await fake.push_update({"message": {"text": "b"}})
    got = (await client.post("getUpdates", data={"timeout": "0"})).json()["result"]
    assert [u["update_id"] for u in got] == [first, first + 1]
    rest = (await client.post("getUpdates", data={"offset": str(first + 1), "timeout": "0"})).json()["result"]
    assert [u["update_id"] for u in rest] == [first + 1]
    assert (await client.post("getUpdates", data={"offset": str(first + 2), "timeout": "0"})).json()["result"] == []


def test_the_benchmarks_fake_telegram_enforces_telegrams_limits() -> None:
    moment = [100.0]
    limits = TelegramLimits(clock=lambda: moment[0])
    for _ in range(30):
        limits.check("sendMessage", 7)
    with pytest.raises(TelegramError) as refused:
        limits.check("sendMessage", 8)  # the 31st in one second
    assert refused.value.status == 429 and refused.value.parameters == {"retry_after": 1}
    limits.check("getUpdates", 7)  # only sending counts
    moment[0] += 1.0
    for _ in range(20):
        limits.check("sendMessage", -100)
        moment[0] += 0.1
    with pytest.raises(TelegramError) as refused:
        limits.check("sendMessage", -100)  # the 21st in a minute in one group
    assert (
        refused.value.parameters is not None and 58 <= refused.value.parameters["retry_after"] <= 59
    )  # (the first was 2 s ago)
    limits.check("sendMessage", -200)  # another group is fine
    assert limits.refused == 2
