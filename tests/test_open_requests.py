"""Open requests (issue 22, point 3), end to end over the fake Bot API: the family asks the circle
for something, each person asked answers privately, the first yes takes it and the others hear only
that it is taken, nobody hears who said no, a yes becomes an agreement with one tap, and a request
nobody takes ends by itself."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.db.models import Agreement, AgreementStatus, AuditEvent, OpenRequest, OpenRequestStatus, Visibility
from sandbox.fake_telegram import FakeUser, SentMessage
from sandbox.harness import Sandbox
from tests.journey import GROUP_ID, STALE, set_up_circle

YES, NO = "🙋 Ik doe het", "Deze keer niet"
MAKE = "📌 Maak er een afspraak van"


async def post(fatima: FakeUser, what: str, *, to: tuple[str, ...] = (), lasts: str = "3 dagen (tip)") -> SentMessage:
    """Walk /ask privately: what, to whom (everyone when ``to`` is empty), how long; then send."""
    (question,) = await fatima.send("/ask")
    assert question.text.startswith("Wat kan iemand voor jullie doen?")
    (question,) = await fatima.send(what)
    assert question.text.startswith("Aan wie vraag ik het?")
    if to:
        for name in to:
            await fatima.press(question, name)
        await fatima.press(question, "Verder")
    else:
        await fatima.press(question, "👥 Iedereen")
    await fatima.press(question, lasts)
    assert question.text.startswith("Klopt dit?") and f"Hulpvraag: {what}" in question.text
    await fatima.press(question, "📣 Vraag het")
    return question


def last_ask(sandbox: Sandbox, user: FakeUser) -> SentMessage:
    return next(m for m in reversed(sandbox.telegram.messages_in(user.id)) if YES in m.button_texts())


async def test_the_second_person_asked_takes_it_the_first_hears_it_is_taken_and_nobody_sees_a_no(
    sandbox: Sandbox,
) -> None:
    c = await set_up_circle(sandbox)
    group_before = len(sandbox.telegram.messages_in(GROUP_ID))
    sent = await post(c.fatima, "Wie kan zaterdag de boodschappen doen?")
    assert sent.text == "Ik heb het aan 3 mensen gevraagd. Ik laat je weten wie het doet."
    assert len(sandbox.telegram.messages_in(GROUP_ID)) == group_before  # asked privately, never in the group

    asks = {user.id: last_ask(sandbox, user) for user in (c.omar, c.ayse, c.kees)}
    assert asks[c.ayse.id].text.startswith("Fatima vraagt of iemand dit kan doen:")
    assert "Wie kan zaterdag de boodschappen doen?" in asks[c.ayse.id].text
    assert "Niemand ziet het als je nee zegt." in asks[c.ayse.id].text
    assert asks[c.ayse.id].button_texts() == [YES, NO]

    kees_yes = asks[c.kees.id].callback_data(YES)
    assert (await c.ayse.press(asks[c.ayse.id], YES, data=kees_yes))["text"] == STALE  # only the one asked
    await c.ayse.press(asks[c.ayse.id], NO)
    assert "Niemand hoort dat je nee zei." in asks[c.ayse.id].text and not asks[c.ayse.id].buttons
    assert len(sandbox.telegram.messages_in(GROUP_ID)) == group_before  # a no is told nobody

    await c.kees.press(asks[c.kees.id], YES)
    assert "✅ Dank je wel! Ik laat Fatima weten dat jij het doet." in asks[c.kees.id].text
    taken = sandbox.telegram.messages_in(GROUP_ID)[-1]
    assert taken.text.startswith("✅ Buurman Kees doet het:")
    assert "Oma" not in taken.text and "Ayşe" not in taken.text
    assert taken.button_texts() == [MAKE]
    for other in (c.ayse, c.omar):
        told = sandbox.telegram.messages_in(other.id)[-1]
        assert told.text.startswith("Iemand anders doet dit al:") and "Kees" not in told.text

    omar_ask = asks[c.omar.id]
    await c.omar.press(omar_ask, YES)  # too late: the first yes took it
    assert "Iemand anders doet dit al." in omar_ask.text
    async with sandbox.runtime.sessions() as session:
        (request,) = await session.scalars(select(OpenRequest))
    assert request.status == OpenRequestStatus.TAKEN

    make = taken.callback_data(MAKE)
    assert (await c.kees.press(taken, MAKE, data=make))["text"] == STALE  # only whoever leads the circle
    await c.fatima.press(taken, MAKE)
    assert "📌 Dit is nu een afspraak" in taken.text
    assert (await c.fatima.press(taken, MAKE, data=make))["text"] == STALE  # one agreement, once
    async with sandbox.runtime.sessions() as session:
        (agreement,) = [a for a in await session.scalars(select(Agreement)) if "boodschappen" in a.what]
        events = list(await session.scalars(select(AuditEvent).where(AuditEvent.action.like("request.%"))))
    assert agreement.status == AgreementStatus.ACTIVE and agreement.visibility == Visibility.FAMILY_AND_DOER
    assert "boodschappen" in "\n".join(m.text for m in await c.kees.send("/agreements"))
    assert [e.action for e in events] == ["request.posted", "request.taken", "request.agreement"]
    assert all("boodschappen" not in str(e.detail) for e in events)


async def test_chosen_people_only_and_a_request_nobody_takes_ends_by_itself(sandbox: Sandbox) -> None:
    c = await set_up_circle(sandbox)
    (refused,) = await c.kees.send("/ask")
    assert refused.text.startswith("Alleen wie de kring regelt, kan de kring iets vragen")
    (in_group,) = await c.fatima.send("/ask", chat=c.group)
    assert in_group.text.startswith("Dit doe je in een privégesprek met mij.")

    kees_before = len(sandbox.telegram.messages_in(c.kees.id))
    sent = await post(c.fatima, "Wie kan Sam naar voetbal brengen?", to=("Oma Ayşe",), lasts="1 dag")
    assert sent.text.startswith("Ik heb het aan 1 persoon gevraagd.")
    assert len(sandbox.telegram.messages_in(c.kees.id)) == kees_before  # not chosen: nothing
    ask = last_ask(sandbox, c.ayse)

    sandbox.clock.advance(timedelta(days=1, minutes=1))
    await sandbox.tick()
    ended = sandbox.telegram.messages_in(c.fatima.id)[-1]
    assert ended.text.startswith("Niemand kon dit deze keer doen:") and "/ask" in ended.text
    await c.ayse.press(ask, YES)
    assert "Deze hulpvraag staat niet meer open." in ask.text
    async with sandbox.runtime.sessions() as session:
        (request,) = await session.scalars(select(OpenRequest))
        agreements = [a for a in await session.scalars(select(Agreement)) if "voetbal" in a.what]
    assert request.status == OpenRequestStatus.EXPIRED and request.taken_by_member_id is None
    assert agreements == []
