"""The outbox and its sender, through the real application, the fake Bot API and a simulated clock."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import cast

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import outbox
from bot.db.delivery_kinds import DeliveryKind
from bot.db.models import Circle, CircleStatus, Delivery, DeliveryStatus, Person
from bot.i18n import _
from bot.messages.renderers import RENDERERS
from sandbox.harness import Sandbox
from scheduler.sender import Rendered
from scheduler.ticker import Ticker

pytestmark = pytest.mark.both_databases  # depends on the database engine

KIND = cast(DeliveryKind, "test.note")  # a kind of the test's own


async def _render_note(session: AsyncSession, delivery: Delivery) -> Rendered | None:
    if delivery.payload.get("stale"):
        return None
    return Rendered(_("Wat is Kring?"))  # any catalogued text: shows the recipient's language


@pytest.fixture(autouse=True)
def note_renderer(sandbox: Sandbox) -> None:
    """This sandbox's sender also renders the test's own kind."""
    sandbox.runtime.sender.renderers = {**RENDERERS, KIND: _render_note}


async def _person(sandbox: Sandbox, user_id: int, language: str = "nl") -> int:
    user = sandbox.user(user_id, f"user{user_id}", language_code=language)
    await user.send("/start")
    async with sandbox.runtime.sessions() as session:
        person_id = await session.scalar(select(Person.id).where(Person.telegram_user_id == user_id))
        assert person_id is not None
        return person_id


async def _enqueue(
    sandbox: Sandbox,
    key: str,
    chat_id: int,
    *,
    person_id: int | None = None,
    circle_id: int | None = None,
    delay: timedelta = timedelta(0),
    **payload: object,
) -> bool:
    now = sandbox.clock.now()
    async with sandbox.runtime.sessions.begin() as session:
        added = await outbox.enqueue(
            session,
            key=key,
            kind=KIND,
            chat_id=chat_id,
            due_at=now + delay,
            now=now,
            person_id=person_id,
            circle_id=circle_id,
            payload=dict(payload),
        )
        return added is not None


async def _delivery(sandbox: Sandbox, key: str) -> Delivery:
    async with sandbox.runtime.sessions() as session:
        delivery = await session.scalar(select(Delivery).where(Delivery.key == key))
        assert delivery is not None
        return delivery


def _sends_to(sandbox: Sandbox, chat_id: int) -> int:
    return sum(
        1 for method, params in sandbox.telegram.calls if method == "sendMessage" and params.get("chat_id") == chat_id
    )


async def test_a_delivery_is_sent_once_when_due_in_its_recipients_language(sandbox: Sandbox) -> None:
    person_id = await _person(sandbox, 21, "en")
    assert await _enqueue(sandbox, "note:1", 21, person_id=person_id, delay=timedelta(hours=1))
    assert not await _enqueue(sandbox, "note:1", 21, person_id=person_id)  # the key makes it unique
    await sandbox.tick()
    assert _sends_to(sandbox, 21) == 1  # only the /start reply: not due yet
    sandbox.clock.advance(timedelta(hours=1))
    await sandbox.tick()
    await sandbox.tick()
    assert _sends_to(sandbox, 21) == 2
    assert sandbox.telegram.messages_in(21)[-1].text == "What is Kring?"
    delivery = await _delivery(sandbox, "note:1")
    assert delivery.status == DeliveryStatus.SENT and delivery.telegram_message_id and delivery.attempts == 1
    assert delivery.sent_at == sandbox.clock.now()


async def test_429_pauses_all_sending_until_retry_after(sandbox: Sandbox) -> None:
    for user_id in (31, 32, 33):
        await _person(sandbox, user_id)
        await _enqueue(sandbox, f"note:{user_id}", user_id)
    sandbox.telegram.fail_next("sendMessage", 429, "Too Many Requests: retry after 30", retry_after=30)
    before = len(sandbox.telegram.calls)
    await sandbox.tick()
    assert [m for m, _ in sandbox.telegram.calls[before:]] == ["sendMessage"]  # one try, then silence
    sandbox.clock.advance(timedelta(seconds=29))
    await sandbox.tick()
    assert len(sandbox.telegram.calls) == before + 1  # nothing before retry_after has passed
    sandbox.clock.advance(timedelta(seconds=1))
    await sandbox.tick()
    for user_id in (31, 32, 33):
        delivery = await _delivery(sandbox, f"note:{user_id}")
        assert delivery.status == DeliveryStatus.SENT and delivery.attempts == 1


async def test_server_errors_are_retried_with_growing_pauses(sandbox: Sandbox) -> None:
    await _person(sandbox, 41)
    await _enqueue(sandbox, "note:41", 41)
    sandbox.telegram.fail_next("sendMessage", 502, "Bad Gateway", chat_id=41, times=2)
    await sandbox.tick()
    first_retry = (await _delivery(sandbox, "note:41")).next_attempt_at
    assert first_retry == sandbox.clock.now() + timedelta(seconds=30)
    sandbox.clock.advance(timedelta(seconds=30))
    await sandbox.tick()
    assert (await _delivery(sandbox, "note:41")).next_attempt_at == sandbox.clock.now() + timedelta(seconds=60)
    sandbox.clock.advance(timedelta(seconds=60))
    await sandbox.tick()
    delivery = await _delivery(sandbox, "note:41")
    assert delivery.status == DeliveryStatus.SENT and delivery.attempts == 3


async def test_it_gives_up_after_the_last_attempt(sandbox: Sandbox, caplog: pytest.LogCaptureFixture) -> None:
    await _person(sandbox, 42)
    await _enqueue(sandbox, "note:42", 42)
    sandbox.telegram.fail_next("sendMessage", 500, "Internal Server Error", chat_id=42, times=10)
    for _attempt in range(8):
        await sandbox.tick()
        sandbox.clock.advance(timedelta(hours=1))
    delivery = await _delivery(sandbox, "note:42")
    assert delivery.status == DeliveryStatus.FAILED and delivery.attempts == 6
    assert delivery.last_error == "gave up: NetworkError"
    (given_up,) = [r for r in caplog.records if r.getMessage() == "delivery given up after its last attempt"]
    assert getattr(given_up, "delivery_id", None) == delivery.id and getattr(given_up, "kind", None) == KIND


async def test_a_blocked_person_gets_one_attempt_and_is_marked_unreachable(sandbox: Sandbox) -> None:
    person_id = await _person(sandbox, 51)
    sandbox.telegram.chats[51].blocked = True
    await _enqueue(sandbox, "note:51", 51, person_id=person_id)
    before = _sends_to(sandbox, 51)
    for _attempt in range(3):
        await sandbox.tick()
        sandbox.clock.advance(timedelta(hours=1))
    assert _sends_to(sandbox, 51) == before + 1
    delivery = await _delivery(sandbox, "note:51")
    assert delivery.status == DeliveryStatus.FAILED and delivery.last_error == "403"
    async with sandbox.runtime.sessions() as session:
        person = await session.get(Person, person_id)
        assert person is not None and person.unreachable_since is not None


async def test_a_group_upgraded_to_a_supergroup_is_followed(sandbox: Sandbox) -> None:
    old, new = -500, -1000500
    for chat_id, kind in ((old, "group"), (new, "supergroup")):
        chat = sandbox.telegram.group(chat_id, "Gezin Jansen")
        chat.type, chat.bot_member = kind, True
    now = sandbox.clock.now()
    async with sandbox.runtime.sessions.begin() as session:
        circle = Circle(
            name="Gezin Jansen",
            language="nl",
            time_zone="Europe/Amsterdam",
            status=CircleStatus.ACTIVE,
            group_chat_id=old,
            created_at=now,
        )
        session.add(circle)
        await session.flush()
        circle_id = circle.id
    await _enqueue(sandbox, "note:group", old, circle_id=circle_id)
    sandbox.telegram.fail_next(
        "sendMessage",
        400,
        "Bad Request: group chat was upgraded to a supergroup chat",
        migrate_to_chat_id=new,
        chat_id=old,
    )
    await sandbox.tick()
    await sandbox.tick()
    assert [m.text for m in sandbox.telegram.messages_in(new)] == ["Wat is Kring?"]
    async with sandbox.runtime.sessions() as session:
        assert (await session.get(Circle, circle_id)).group_chat_id == new  # type: ignore[union-attr]
    assert (await _delivery(sandbox, "note:group")).status == DeliveryStatus.SENT


async def test_a_message_telegram_refuses_fails_without_retrying(sandbox: Sandbox) -> None:
    await _enqueue(sandbox, "note:nochat", 999)  # a chat that does not exist
    await sandbox.tick()
    sandbox.clock.advance(timedelta(days=1))
    await sandbox.tick()
    delivery = await _delivery(sandbox, "note:nochat")
    assert delivery.status == DeliveryStatus.FAILED and delivery.last_error == "400" and delivery.attempts == 1


async def test_a_stale_delivery_is_skipped(sandbox: Sandbox) -> None:
    await _person(sandbox, 61)
    await _enqueue(sandbox, "note:stale", 61, stale=True)
    before = _sends_to(sandbox, 61)
    await sandbox.tick()
    assert _sends_to(sandbox, 61) == before
    assert (await _delivery(sandbox, "note:stale")).status == DeliveryStatus.SKIPPED


async def test_a_delivery_interrupted_by_a_crash_is_sent_once_its_claim_runs_out(sandbox: Sandbox) -> None:
    await _person(sandbox, 71)
    await _enqueue(sandbox, "note:71", 71)
    async with sandbox.runtime.sessions.begin() as session:  # claimed, then the process died
        assert [d.key for d in await outbox.claim_due(session, now=sandbox.clock.now(), limit=10)] == ["note:71"]
    await sandbox.tick()
    assert (await _delivery(sandbox, "note:71")).status == DeliveryStatus.SENDING  # its claim still holds
    sandbox.clock.advance(outbox.LEASE)
    assert await sandbox.runtime.sender.recover() == 1  # the claim ran out: the process is gone
    await sandbox.tick()
    assert (await _delivery(sandbox, "note:71")).status == DeliveryStatus.SENT
    assert [m.text for m in sandbox.telegram.messages_in(71)][-1] == "Wat is Kring?"


async def test_the_ticker_wakes_up_by_itself_and_stops_cleanly(sandbox: Sandbox) -> None:
    ticks: list[int] = []

    async def work() -> None:
        ticks.append(1)

    ticker = Ticker(sandbox.clock, [work], interval_seconds=0.05)
    ticker.start()
    try:
        async with asyncio.timeout(10):
            while len(ticks) < 2:
                await asyncio.sleep(0.01)
    finally:
        await ticker.stop()
    count = len(ticks)
    await asyncio.sleep(0.15)
    assert len(ticks) == count and ticker.last_tick_at == sandbox.clock.now()
