"""Many people at once: different chats are handled in parallel, one chat (and one person) strictly
in arrival order, the language and the person stay per update, and reads never wait for a writer.

A test-only handler (before all of Kring's) holds chosen updates until the test lets them go, so
"slow" is a fact of the test, not a matter of timing.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import select, text
from telegram import Update
from telegram.ext import TypeHandler

from bot.db.models import Person
from bot.db.session import ReadOnlySessionError
from bot.i18n import current_language
from bot.metrics import OrderedUpdateProcessor
from bot.runtime import KringContext
from sandbox.fake_telegram import FakeUser
from sandbox.harness import Sandbox
from tests.journey import GROUP_ID, set_up_circle


class Hold:
    """Notes the order in which updates reach the handlers; holds the chosen ones at the gate.
    (Installed after the circle is set up: a set-up from a snapshot starts a new application.)"""

    def __init__(self) -> None:
        self.gate = asyncio.Event()
        self.held: set[int] = set()
        self.started: list[int] = []
        self.seen: dict[int, tuple[str, int | None]] = {}  # after the gate: language, person

    def install(self, sandbox: Sandbox) -> None:
        sandbox.app.add_handler(TypeHandler(Update, self.before), group=-10)
        sandbox.app.add_handler(TypeHandler(Update, self.after), group=10)

    async def before(self, update: Update, context: KringContext) -> None:
        self.started.append(update.update_id)
        if update.update_id in self.held:
            await self.gate.wait()

    async def after(self, update: Update, context: KringContext) -> None:
        """(After Kring's own handlers: the language and person they set, kept across a wait.)"""
        if update.update_id in self.held:
            await self.gate.wait()
        self.seen[update.update_id] = (current_language(), context.person_id)


@pytest.fixture
async def holder(sandbox: Sandbox) -> AsyncIterator[Hold]:
    holding = Hold()
    try:
        yield holding
    finally:
        holding.gate.set()  # (a failed test must not leave an update held: the bot could not stop)


async def let_run(sandbox: Sandbox, update_id: int) -> None:
    """Until the processor has taken the update in and it had every chance to start."""
    assert sandbox.telegram.tracker is not None
    await sandbox.telegram.tracker.wait_admitted(update_id)
    for _ in range(20):
        await asyncio.sleep(0)


async def push(user: FakeUser, words: str, chat_id: int | None = None) -> int:
    chat = user.telegram.chats[chat_id] if chat_id is not None else user.private_chat
    if chat.type == "private":
        chat.started = True
    return await user.telegram.push_update({"message": user._message_json(chat, words, None)})


async def test_one_chats_updates_are_handled_in_arrival_order(sandbox: Sandbox, holder: Hold) -> None:
    sanne = sandbox.user(21, "Sanne")
    await sanne.send("/start")
    holder.install(sandbox)
    first = await push(sanne, "/privacy")
    holder.held.add(first)
    second = await push(sanne, "/help")
    await let_run(sandbox, second)
    assert holder.started == [first]  # /help waits for the slow /privacy of the same chat
    holder.gate.set()
    await sandbox.telegram.settle(second)
    await sandbox.telegram.settle(first)
    assert holder.started == [first, second]
    *_, privacy, help_ = sandbox.telegram.messages_in(sanne.id)
    assert privacy.text.startswith("Wat bewaar ik?") and help_.message_id > privacy.message_id


async def test_other_chats_go_on_while_one_update_is_slow(sandbox: Sandbox, holder: Hold) -> None:
    c = await set_up_circle(sandbox)
    holder.install(sandbox)
    slow = await push(c.fatima, "/privacy")
    holder.held.add(slow)
    await let_run(sandbox, slow)
    before = len(sandbox.telegram.messages_in(c.omar.id))
    quick = await push(c.omar, "/help")
    await sandbox.telegram.settle(quick)  # Omar's reply while Fatima's update still waits
    assert len(sandbox.telegram.messages_in(c.omar.id)) == before + 1
    in_the_group = await push(c.kees, "/help", GROUP_ID)
    await sandbox.telegram.settle(in_the_group)
    assert slow in holder.started and slow not in holder.seen
    holder.gate.set()
    await sandbox.telegram.settle(slow)
    assert sandbox.telegram.messages_in(c.fatima.id)[-1].text.startswith("Wat bewaar ik?")


async def test_one_persons_group_update_waits_for_their_private_chat(sandbox: Sandbox, holder: Hold) -> None:
    """The person is a key too: Fatima's /help in the group waits for her private update, and
    Omar's after hers in the same group; Anna, elsewhere, goes on."""
    c = await set_up_circle(sandbox)
    holder.install(sandbox)
    private = await push(c.fatima, "/privacy")
    holder.held.add(private)
    in_group = await push(c.fatima, "/help", GROUP_ID)
    other = await push(c.omar, "/help", GROUP_ID)
    await let_run(sandbox, other)
    elsewhere = await push(c.anna, "/help")
    await sandbox.telegram.settle(elsewhere)
    assert holder.started == [private, elsewhere]
    holder.gate.set()
    await sandbox.telegram.settle(other)
    await sandbox.telegram.settle(in_group)
    assert holder.started == [private, elsewhere, in_group, other]


async def test_language_and_person_stay_per_update_while_others_run(sandbox: Sandbox, holder: Hold) -> None:
    john = sandbox.user(31, "John", language_code="en")
    sanne = sandbox.user(32, "Sanne", language_code="nl")
    await john.send("/start")
    await sanne.send("/start")
    holder.install(sandbox)
    slow = await push(john, "/help")
    holder.held.add(slow)
    await let_run(sandbox, slow)
    quick = await push(sanne, "/help")
    await sandbox.telegram.settle(quick)
    holder.gate.set()
    await sandbox.telegram.settle(slow)
    async with sandbox.runtime.reads() as session:
        ids = {row[0]: row[1] for row in await session.execute(select(Person.telegram_user_id, Person.id))}
    assert holder.seen[quick] == ("nl", ids[sanne.id])
    assert holder.seen[slow] == ("en", ids[john.id])  # not Sanne's, who ran in between


async def test_reads_do_not_wait_for_a_held_write_lock(sandbox: Sandbox) -> None:
    c = await set_up_circle(sandbox)
    sandbox.telegram.after_update = None  # (the scheduler's tick writes: it would wait, rightly)
    async with sandbox.runtime.sessions.begin() as writer:
        await writer.execute(text("SELECT 1"))  # SQLite: BEGIN IMMEDIATE, the write lock is ours now
        (reply,) = await c.fatima.send("/help")  # a known person's /help only reads
        assert "/privacy" in reply.text
        (listed,) = await c.omar.send("/agreements", chat=c.group)  # a view, in the group
        assert listed.text.startswith("Er zijn nog geen afspraken.")


async def test_a_read_session_refuses_to_write(sandbox: Sandbox) -> None:
    sanne = sandbox.user(21, "Sanne")
    await sanne.send("/start")
    async with sandbox.runtime.reads() as session:
        person = await session.scalar(select(Person).where(Person.telegram_user_id == sanne.id))
        assert person is not None
        person.language = "en"
        with pytest.raises(ReadOnlySessionError):
            await session.flush()
    async with sandbox.runtime.reads() as session:
        with pytest.raises(ReadOnlySessionError):
            await session.execute(Person.__table__.update().values(language="en"))


def test_keys_are_the_chat_and_the_person() -> None:
    def update(**data: Any) -> Update:
        return Update.de_json({"update_id": 1, **data}, None)

    user = {"id": 5, "is_bot": False, "first_name": "A"}
    private = {"message_id": 1, "date": 0, "chat": {"id": 5, "type": "private"}, "from": user, "text": "/help"}
    group = {**private, "chat": {"id": -9, "type": "group", "title": "G"}}
    press = {"id": "1", "from": user, "chat_instance": "x", "data": "a", "message": group}
    keys = OrderedUpdateProcessor.keys_of
    assert keys(update(message=private)) == (5,)
    assert keys(update(message=group)) == (-9, 5)
    assert keys(update(callback_query=press)) == (-9, 5)
    assert keys(object()) == ()
