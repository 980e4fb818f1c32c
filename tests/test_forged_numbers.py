"""Forged numbers in button data: ids past 32 bits, past anything we hand out, and days past the
calendar. On both databases each is a stale button — never a database error, an overflow, a
traceback or "Sorry" — and changes nothing."""

from __future__ import annotations

import logging
import re

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.base import Base
from bot.db.models import Circle
from bot.services import professionals
from sandbox.fake_telegram import FakeUser, SentMessage
from sandbox.harness import Sandbox
from tests.conftest import START
from tests.journey import STALE, make_agreement, set_up_circle

pytestmark = pytest.mark.both_databases  # 32-bit ids overflowed on PostgreSQL only

#: Numbers a forger might put where our ids, counts and days go: just past 32 bits, at and past
#: 64 bits, the longest id ``callbacks`` lets through, and past the last day ``date`` knows.
HUGE = ("2147483648", "4294967296", "9223372036854775807", "9223372036854775808", "999999999999999999", "3652060")


async def _everything(sandbox: Sandbox) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table (sealed values as stored): what a press must leave unchanged."""
    async with sandbox.runtime.sessions() as session:
        return {
            table.name: sorted((await session.execute(select(table))).all(), key=repr)
            for table in Base.metadata.sorted_tables
            if table.name != "workers"  # (the scheduler's heartbeat)
        }


def _sorry(sandbox: Sandbox) -> list[str]:
    return [m.text for m in sandbox.telegram.messages.values() if m.text.startswith("Sorry, er ging bij mij iets mis")]


async def test_forged_ids_and_days_are_stale_buttons(sandbox: Sandbox, caplog: pytest.LogCaptureFixture) -> None:
    """The probe's presses (and their like) by the family's coordinator, on the plan she asked for."""
    c = await set_up_circle(sandbox)
    (plan,) = await c.fatima.send("/plan")
    caplog.set_level(logging.WARNING)
    forged = [f"pp:{number}" for number in HUGE] + [f"pp:{'9' * 17}{digit}" for digit in "0189"]  # 18 digits
    async with sandbox.runtime.sessions() as session:
        circle = await session.scalar(select(Circle.id))
    forged += [
        f"fu:{circle}:99999999999:1",
        f"fu:{circle}:99999999999:0",
        f"fu:{circle}:999999999999999999:1",
        f"fu:{circle}:3652059:1",  # the last day there is (a month later there is none)
        f"fu:{circle}:3652060:1",
        f"fu:{circle}:0:1",
        "fu:2147483648:739000:1",
        "fu:999999999999999999:99999999999:1",
    ]
    before = await _everything(sandbox)
    messages = {chat: len(sandbox.telegram.messages_in(chat)) for chat in sandbox.telegram.chats}
    for data in forged:
        assert (await c.fatima.press(plan, "?", data=data)).get("text") == STALE, data
    assert await _everything(sandbox) == before
    for chat, count in messages.items():  # no "Sorry, er ging bij mij iets mis", nothing new
        assert [m.text for m in sandbox.telegram.messages_in(chat)[count:]] == [], chat
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []


async def test_every_number_of_every_button_forged(sandbox: Sandbox, caplog: pytest.LogCaptureFixture) -> None:
    """Each real button of a set-up circle, with each number in it replaced by a huge one, pressed
    by the person it was sent to: answered, never "Sorry" nor an error. (A number a button does not
    use, such as the value on a menu button, may go through.)"""
    c = await set_up_circle(sandbox)
    await make_agreement(c.fatima, "Buurman Kees", "Boodschappen doen")
    for person, command in ((c.fatima, "/members"), (c.fatima, "/checkin"), (c.fatima, "/safetyplan")):
        await person.send(command)
    people = {p.id: p for p in (c.anna, c.fatima, c.omar, c.ayse, c.kees)}
    caplog.set_level(logging.WARNING)
    presses: list[tuple[FakeUser, SentMessage, str]] = []
    shapes: set[str] = set()
    for message in list(sandbox.telegram.messages.values()):
        person = people.get(message.chat_id, c.fatima)
        for row in message.buttons:
            for button in row:
                parts = str(button.get("callback_data", "")).split(":")
                for position, part in enumerate(parts):
                    shape = re.sub(r"\d+", "N", ":".join([*parts[:position], "*", *parts[position + 1 :]]))
                    if not part.isdigit() or shape in shapes:
                        continue
                    shapes.add(shape)
                    forged = ":".join([*parts[:position], "999999999999999999", *parts[position + 1 :]])
                    presses.append((person, message, forged))
    assert len(shapes) > 20  # (the journey made many kinds of buttons)
    for person, message, data in presses:
        assert await person.press(message, "?", data=data), data  # answered (mostly: stale)
    assert _sorry(sandbox) == []
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []


async def test_an_administrator_typing_a_huge_number_finds_no_professional(session: AsyncSession) -> None:
    """``kring professional remove 99999999999999999999``: "no professional with that number"."""
    for number in (2**31, 2**63 - 1, 2**63, 10**30, 0, -1):
        with pytest.raises(professionals.NotFound):
            await professionals.remove(session, number, now=START)
