"""Faults while Kring sends: cut database connections and Telegram's 429, through the real
application, the fake Bot API, the real database and a simulated clock.

- A database connection cut while the outbox sends loses nothing, and doubles at most one message
  per cut connection (on PostgreSQL with ``pg_terminate_backend``; on SQLite a simulated
  ``OperationalError``).
- A 429 met by a direct reply holds the outbox too, and a 429 met by the outbox holds replies:
  nothing at all is sent during the pause; the reply goes out after it; no ERROR is logged.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
import sqlite3
from collections.abc import Iterator
from datetime import timedelta
from typing import Any, cast

import asyncpg
import pytest
from sqlalchemy import event, exc, func, select
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import outbox
from bot.db.delivery_kinds import DeliveryKind
from bot.db.models import Delivery, DeliveryStatus
from bot.db.transient import is_transient
from bot.i18n import _
from bot.messages.renderers import RENDERERS
from sandbox.harness import Sandbox
from scheduler import sender as sender_module
from scheduler.sender import Rendered

KIND = cast(DeliveryKind, "test.fault")  # a kind of the test's own
FIRST_CHAT = 5000


async def _render(session: AsyncSession, delivery: Delivery) -> Rendered | None:
    if delivery.payload.get("broken"):
        raise ValueError("a bug in this renderer")
    return Rendered(_("Wat is Kring?"))


@pytest.fixture(autouse=True)
def fault_renderer(sandbox: Sandbox) -> None:
    sandbox.runtime.sender.renderers = {**RENDERERS, KIND: _render}


async def _enqueue(sandbox: Sandbox, count: int) -> list[int]:
    """``count`` deliveries, each to its own (started) private chat."""
    chats = [FIRST_CHAT + n for n in range(count)]
    for chat_id in chats:
        sandbox.user(chat_id, f"user{chat_id}").private_chat.started = True
    now = sandbox.clock.now()
    async with sandbox.runtime.sessions.begin() as session:
        for chat_id in chats:
            await outbox.enqueue(session, key=f"fault:{chat_id}", kind=KIND, chat_id=chat_id, due_at=now, now=now)
    return chats


def _sends_per_chat(sandbox: Sandbox) -> collections.Counter[int]:
    return collections.Counter(m.chat_id for m in sandbox.telegram.messages.values() if m.chat_id >= FIRST_CHAT)


async def _statuses(sandbox: Sandbox) -> dict[str, int]:
    async with sandbox.runtime.sessions() as session:
        rows = await session.execute(
            select(Delivery.status, func.count()).where(Delivery.kind == str(KIND)).group_by(Delivery.status)
        )
        return {str(status): count for status, count in rows.all()}


async def _send_until_done(
    sandbox: Sandbox, *, step: timedelta = outbox.LEASE, rounds: int = 30, faults: list[bool] | None = None
) -> None:
    """Send, moving the clock on by ``step`` (past retries and leases), until nothing of the test
    waits. ``faults`` is switched off while the test itself looks."""
    for _round in range(rounds):
        await sandbox.runtime.sender.send_due()
        if faults:
            faults[0] = False
        try:
            if set(await _statuses(sandbox)) <= {str(DeliveryStatus.SENT)}:
                return
        except exc.DBAPIError as error:  # (the test's own look met a cut connection)
            assert is_transient(error)
        finally:
            if faults:
                faults[0] = True
        sandbox.clock.advance(step)


def _figures(enqueued: int, cut: int, sends: collections.Counter[int], chats: list[int]) -> dict[str, int]:
    return {
        "enqueued": enqueued,
        "connections cut": cut,
        "lost": sum(1 for chat_id in chats if sends[chat_id] == 0),
        "doubled": sum(1 for chat_id in chats if sends[chat_id] > 1),
    }


# -- cut database connections ---------------------------------------------------------------------


@contextlib.contextmanager
def _failing_every(sandbox: Sandbox, nth: int, armed: list[bool]) -> Iterator[list[str]]:
    """While ``armed``, every ``nth`` statement about the outbox fails as a cut connection would."""
    seen = [0]
    failed: list[str] = []

    def before(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        if not armed[0] or "deliveries" not in statement:
            return
        seen[0] += 1
        if seen[0] % nth == 0:
            failed.append(statement.split()[0])
            raise exc.OperationalError(statement, parameters, sqlite3.OperationalError("disk I/O error"))

    engine = sandbox.runtime.engine.sync_engine
    event.listen(engine, "before_cursor_execute", before)
    try:
        yield failed
    finally:
        event.remove(engine, "before_cursor_execute", before)


async def test_a_database_error_while_sending_loses_nothing_and_doubles_nothing(
    sandbox: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    chats = await _enqueue(sandbox, 60)
    armed = [True]
    with _failing_every(sandbox, 7, armed) as failed:
        await _send_until_done(sandbox, faults=armed)
    sends = _sends_per_chat(sandbox)
    figures = _figures(len(chats), len(failed), sends, chats)
    print("simulated database errors on SQLite:", figures)
    assert len(failed) >= 10 and {"SELECT", "UPDATE"} <= set(failed)  # every phase met one
    assert any("recorded at the next chance" in r.message for r in caplog.records)  # one came after a send
    assert figures["lost"] == 0 and figures["doubled"] == 0  # the process kept what Telegram has
    assert await _statuses(sandbox) == {str(DeliveryStatus.SENT): len(chats)}
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


@pytest.mark.parametrize("database_url", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True)
async def test_connections_killed_while_sending_lose_nothing(
    sandbox: Sandbox, database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    chats = await _enqueue(sandbox, 200)
    url = make_url(database_url)
    killer = await asyncpg.connect(host=url.host, port=url.port, user=url.username, database="postgres")
    killed = 0
    sending = asyncio.create_task(_send_until_done(sandbox, step=sender_module.DATABASE_RETRY))
    try:
        while not sending.done():  # cut every connection of Kring's database, again and again
            killed += len(
                await killer.fetch(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = $1 AND pid <> pg_backend_pid()",
                    url.database,
                )
            )
            await asyncio.sleep(0.02)  # often enough to cut a transaction in flight, not only idle ones
        await sending
    finally:
        await killer.close()
    await _send_until_done(sandbox)
    sends = _sends_per_chat(sandbox)
    figures = _figures(len(chats), killed, sends, chats)
    print("pg_terminate_backend while sending on PostgreSQL:", figures)
    met = collections.Counter(r.getMessage() for r in caplog.records if r.name == "scheduler.sender")
    print("what the sender met:", dict(met))
    assert killed >= 3 and any("database" in message for message in met)  # cut while it sent
    assert figures["lost"] == 0 and figures["doubled"] <= killed
    assert await _statuses(sandbox) == {str(DeliveryStatus.SENT): len(chats)}
    given_up = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not given_up, [r.getMessage() for r in given_up]


async def test_only_a_message_that_can_never_be_sent_is_given_up_and_the_log_names_it(
    sandbox: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    (chat_id,) = await _enqueue(sandbox, 1)
    now = sandbox.clock.now()
    async with sandbox.runtime.sessions.begin() as session:
        broken = await outbox.enqueue(
            session, key="fault:broken", kind=KIND, chat_id=chat_id, due_at=now, now=now, payload={"broken": True}
        )
        assert broken is not None
    await sandbox.runtime.sender.send_due()
    assert await _statuses(sandbox) == {str(DeliveryStatus.SENT): 1, str(DeliveryStatus.FAILED): 1}
    (given_up,) = [r for r in caplog.records if r.getMessage() == "delivery given up"]
    assert getattr(given_up, "delivery_id", None) == broken.id and getattr(given_up, "kind", None) == str(KIND)


# -- 429: one pause for every send ---------------------------------------------------------------

SENDING = {"sendmessage", "senddocument", "sendphoto", "editmessagetext", "editmessagereplymarkup"}


def _sent_since(sandbox: Sandbox, mark: int) -> list[tuple[str, Any]]:
    """Every call since ``mark`` except polling for updates."""
    return [
        (method, params.get("chat_id")) for method, params in sandbox.telegram.calls[mark:] if method != "getUpdates"
    ]


async def _until(condition: Any, seconds: float = 5) -> None:
    async with asyncio.timeout(seconds):
        while not condition():
            await asyncio.sleep(0.01)


async def test_a_429_met_by_a_reply_holds_the_outbox_and_the_reply_goes_out_after_it(
    sandbox: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    pause = sandbox.runtime.sender.pause
    person = sandbox.user(21, "Sam")
    await person.send("/start")
    chats = await _enqueue(sandbox, 20)
    sandbox.telegram.fail_next("sendMessage", 429, "Too Many Requests: retry after 5", retry_after=5, chat_id=21)
    mark = len(sandbox.telegram.calls)
    replying = asyncio.create_task(person.send("/start"))
    await _until(pause.paused)
    assert _sent_since(sandbox, mark) == [("sendMessage", 21)]  # the refused reply, nothing else
    await sandbox.runtime.sender.send_due()  # the outbox is due, but waits
    sandbox.clock.advance(timedelta(seconds=4))
    await sandbox.runtime.sender.send_due()
    await asyncio.sleep(0.2)  # (the reply's wait looks at the clock every 50 ms)
    assert _sent_since(sandbox, mark) == [("sendMessage", 21)]  # nothing at all during the pause
    assert not replying.done()
    sandbox.clock.advance(timedelta(seconds=1))
    replies = await replying  # the reply goes out once the pause has passed
    assert len(replies) == 1 and _sent_since(sandbox, mark)[1] == ("sendMessage", 21)
    await sandbox.runtime.sender.send_due()
    assert all(_sends_per_chat(sandbox)[chat_id] == 1 for chat_id in chats)
    assert sandbox.runtime.metrics.telegram_429._value.get() == 1  # counted once
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not [r for r in caplog.records if r.exc_info]  # a 429 is no traceback
    assert not [m for m in sandbox.telegram.messages_in(21) if "Sorry" in m.text]


async def test_a_429_met_by_the_outbox_holds_replies(sandbox: Sandbox, caplog: pytest.LogCaptureFixture) -> None:
    pause = sandbox.runtime.sender.pause
    person = sandbox.user(21, "Sam")
    await person.send("/start")
    chats = await _enqueue(sandbox, 5)
    sandbox.telegram.fail_next("sendMessage", 429, "Too Many Requests: retry after 10", retry_after=10)
    mark = len(sandbox.telegram.calls)
    await sandbox.runtime.sender.send_due()
    assert pause.paused() and _sent_since(sandbox, mark) == [("sendMessage", chats[0])]
    replying = asyncio.create_task(person.send("/start"))
    sandbox.clock.advance(timedelta(seconds=9))
    await asyncio.sleep(0.2)
    assert _sent_since(sandbox, mark) == [("sendMessage", chats[0])]  # the reply waits for the pause
    sandbox.clock.advance(timedelta(seconds=1))
    assert len(await replying) == 1
    await sandbox.runtime.sender.send_due()
    assert all(_sends_per_chat(sandbox)[chat_id] == 1 for chat_id in chats)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_a_pause_longer_than_a_reply_may_wait_sends_nothing_and_logs_no_error(
    sandbox: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    person = sandbox.user(21, "Sam")
    await person.send("/start")
    sandbox.telegram.fail_next("sendMessage", 429, "Too Many Requests: retry after 600", retry_after=600, chat_id=21)
    mark = len(sandbox.telegram.calls)
    assert await person.send("/start") == []
    assert _sent_since(sandbox, mark) == [("sendMessage", 21)]  # no "sorry" during the pause either
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
