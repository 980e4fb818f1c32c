"""One pace for every process: several Kring applications on one database, and only the holder of
the bot's send lease sends the outbox (Telegram's 30 messages a second are the bot's). A holder
that dies is replaced once its lease has run out, one that stops cleanly at once; nothing is lost
or doubled. Real applications, the fake Bot API and one simulated clock."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from datetime import timedelta
from itertools import count

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import build_application
from bot.clock import SimulatedClock
from bot.config import Settings
from bot.db import outbox
from bot.db.models import Delivery, SendLease
from bot.db.session import SessionMaker
from bot.messages.renderers import RENDERERS
from bot.runtime import KringApplication, runtime_of
from bot.services import workers
from sandbox.fake_telegram import FakeTelegram
from sandbox.harness import SANDBOX_TOKEN
from scheduler.sender import Rendered, SendReport

pytestmark = pytest.mark.both_databases  # the lease is taken by one statement on either engine

CHAT = 5151
LEASE = workers.SEND_LEASE
BOT_ID = workers.bot_id_of(SANDBOX_TOKEN)


async def _note(session: AsyncSession, delivery: Delivery) -> Rendered | None:
    return Rendered(f"bericht {delivery.payload['n']}")


@pytest.fixture
async def telegram() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram(SANDBOX_TOKEN) as fake:
        fake.user(CHAT, "Ontvanger")
        fake.chats[CHAT].started = True
        yield fake


class Processes:
    """Kring applications on one database and one fake Telegram, ticked by hand."""

    def __init__(self, settings: Settings, telegram: FakeTelegram, clock: SimulatedClock) -> None:
        self.settings = settings.with_overrides(bot_token=SANDBOX_TOKEN, telegram_api_url=telegram.url)
        self.telegram = telegram
        self.clock = clock
        self.running: list[KringApplication] = []
        self._numbers = count()

    async def start(self) -> KringApplication:
        application = build_application(self.settings, clock=self.clock, tick_seconds=None)
        await application.initialize()
        await application.post_init(application)  # type: ignore[misc]
        runtime_of(application).sender.renderers = {**RENDERERS, "note": _note}  # type: ignore[dict-item]
        self.running.append(application)
        return application

    async def stop(self, application: KringApplication, *, cleanly: bool) -> None:
        """A clean stop (SIGTERM), or a kill: nothing more runs, not even its goodbye."""
        self.running.remove(application)
        if cleanly:
            await application.post_stop(application)  # type: ignore[misc]
        await application.shutdown()
        await application.post_shutdown(application)  # type: ignore[misc]

    async def queue(self, how_many: int) -> None:
        now = self.clock.now()
        async with runtime_of(self.running[0]).sessions.begin() as session:
            for _ in range(how_many):
                n = next(self._numbers)
                await outbox.enqueue(
                    session,
                    key=f"note:{n}",
                    kind="note",  # type: ignore[arg-type]  # a kind of the test's own
                    chat_id=CHAT,
                    due_at=now,
                    now=now,
                    payload={"n": n},
                )

    @property
    def sessions(self) -> SessionMaker:
        return runtime_of(self.running[0]).sessions

    def received(self) -> Counter[str]:
        return Counter(m.text for m in self.telegram.messages_in(CHAT))


def sent_by(application: KringApplication) -> float:
    return runtime_of(application).metrics.registry.get_sample_value("kring_deliveries_sent_total") or 0.0


async def tick(application: KringApplication) -> None:
    await runtime_of(application).ticker.tick()


async def holder(sessions: SessionMaker) -> str | None:
    async with sessions() as session:
        return await session.scalar(select(SendLease.holder).where(SendLease.bot_id == BOT_ID))


@pytest.fixture
async def processes(settings: Settings, telegram: FakeTelegram, clock: SimulatedClock) -> AsyncIterator[Processes]:
    group = Processes(settings, telegram, clock)
    yield group
    for application in list(group.running):
        await group.stop(application, cleanly=True)


async def test_only_the_lease_holder_sends_the_outbox(processes: Processes) -> None:
    a, b, c = [await processes.start() for _ in range(3)]
    for round_ in range(9):  # every process ticks in turn; new messages fall due each round
        await processes.queue(4)
        await tick((a, b, c)[round_ % 3])
        processes.clock.advance(timedelta(seconds=2))
    assert sent_by(a) == 4 * 7 and sent_by(b) == 0 and sent_by(c) == 0  # a holds the lease (and ticked last in round 6)
    await asyncio.gather(tick(a), tick(b), tick(c))  # (all at once, too)
    assert sent_by(b) == 0 and sent_by(c) == 0
    assert sent_by(a) == 36 and set(processes.received().values()) == {1}
    assert await holder(processes.sessions) == runtime_of(a).worker


async def test_a_killed_sender_is_replaced_within_its_lease_and_nothing_is_lost_or_doubled(
    processes: Processes,
) -> None:
    a, b = await processes.start(), await processes.start()
    await processes.queue(5)
    await tick(a)
    assert sent_by(a) == 5
    await processes.queue(10)
    async with processes.sessions.begin() as session:  # a claims a batch, then is killed mid-send
        assert len(await outbox.claim_due(session, now=processes.clock.now(), limit=4, by=runtime_of(a).worker)) == 4
    await processes.stop(a, cleanly=False)
    processes.clock.advance(timedelta(seconds=1))
    await tick(b)
    assert sent_by(b) == 0  # a's lease still holds: b sends nothing yet
    processes.clock.advance(LEASE - timedelta(seconds=2))
    await tick(b)
    assert sent_by(b) == 0
    processes.clock.advance(timedelta(seconds=1))  # a's lease has run out
    await tick(b)
    assert sent_by(b) == 6  # the rest; a's claimed batch waits until no send of a's can be on its way
    processes.clock.advance(outbox.SEND_TIME - LEASE)
    await tick(b)
    assert sent_by(b) == 10  # a's claimed batch too (not after the whole two-minute claim)
    received = processes.received()
    assert len(received) == 15 and set(received.values()) == {1}
    assert await holder(processes.sessions) == runtime_of(b).worker


async def test_a_send_on_its_way_is_not_sent_again_by_the_next_sender(processes: Processes) -> None:
    """A holder that is slow (a long database wait, a slow Telegram) may still be sending when its
    lease runs out: the row it started is not handed to the next sender until no send can still be
    on its way; and a holder whose lease has passed on starts no send."""
    a, b = await processes.start(), await processes.start()
    await tick(a)
    await processes.queue(1)
    now = processes.clock.now()
    async with processes.sessions.begin() as session:  # a claims the row and starts its send ...
        (row,) = await outbox.claim_due(session, now=now, limit=1, by=runtime_of(a).worker)
        assert outbox.still_ours(row, by=runtime_of(a).worker, now=now)
    processes.clock.advance(LEASE + timedelta(seconds=1))  # ... which is still on its way when the lease runs out
    await tick(b)
    assert sent_by(b) == 0 and await holder(processes.sessions) == runtime_of(b).worker
    processes.clock.advance(outbox.SEND_TIME - LEASE)
    await tick(b)
    assert sent_by(b) == 1 and set(processes.received().values()) == {1}
    await processes.queue(1)  # a had claimed one more and passed its own lease check before it stalled:
    async with processes.sessions.begin() as session:  # as its send starts, it finds the lease gone
        (row,) = await outbox.claim_due(session, now=processes.clock.now(), limit=1, by=runtime_of(a).worker)
    await runtime_of(a).sender._send_one(row.id, SendReport())
    assert sent_by(a) == 0 and len(processes.received()) == 1
    await tick(b)
    assert sent_by(b) == 2 and set(processes.received().values()) == {1}


async def test_a_stopped_sender_hands_over_at_the_next_tick(processes: Processes) -> None:
    a, b = await processes.start(), await processes.start()
    await tick(a)
    await processes.stop(a, cleanly=True)  # gives the lease up
    assert await holder(processes.sessions) is None
    await processes.queue(3)
    await tick(b)  # no waiting for the lease to run out
    assert sent_by(b) == 3 and await holder(processes.sessions) == runtime_of(b).worker


async def test_a_holder_that_stalled_past_its_lease_sends_no_more(processes: Processes) -> None:
    a, b = await processes.start(), await processes.start()
    await tick(a)
    processes.clock.advance(LEASE)  # a hangs (a long pause, a slow disk) and misses its renewals
    await tick(b)  # b takes the lease over
    await processes.queue(6)
    await tick(a)  # a comes back: it is no longer the sender
    assert sent_by(a) == 0
    await tick(b)
    assert sent_by(b) == 6 and set(processes.received().values()) == {1}


async def test_many_takers_at_once_one_wins(processes: Processes) -> None:
    await processes.start()
    now = processes.clock.now()
    sessions = processes.sessions

    async def take(name: str) -> bool:
        async with sessions.begin() as session:
            return await workers.hold_send_lease(session, bot_id=BOT_ID + 1, holder=name, now=now)

    taken = await asyncio.gather(*(take(f"host:{n}:aa") for n in range(5)))
    assert sorted(taken) == [False] * 4 + [True]  # the row was new: one insert wins
    later = now + LEASE
    async with sessions.begin() as session:  # once it has run out, the next one takes it
        assert await workers.hold_send_lease(session, bot_id=BOT_ID + 1, holder="host:9:bb", now=later)
    async with sessions() as session:
        assert (await session.get(SendLease, BOT_ID + 1)).holder == "host:9:bb"  # type: ignore[union-attr]
    assert not await take("host:0:aa")  # a live lease is not taken
