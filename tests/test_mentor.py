"""The young person's own trusted adult (issue 21, point 2), end to end over the fake Bot API: the
young person proposes someone, the parents decide, and only after their yes does the mentor get a
link (from the young person), join after the family's confirmation, and see what is shared."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.db.models import AuditEvent, Invitation, Member, MemberStatus
from sandbox.fake_telegram import FakeUser
from sandbox.harness import Sandbox
from tests.journey import GROUP_ID, STALE, confirm_join, join_young, links_in, make_agreement, set_up_circle

YES = "✅ Ja, dat is goed"


async def propose(young: FakeUser, name: str, reason: str | None) -> str:
    """Walk /mentor: the name, why (or skip), then ask the parents; returns the summary."""
    (ask_name,) = await young.send("/mentor")
    assert "Wie vertrouw je? Iemand uit je eigen omgeving" in ask_name.text
    (ask_reason,) = await young.send(name)
    assert ask_reason.text.startswith(f"Waarom vertrouw je {name}?")
    if reason is None:
        await young.press(ask_reason, "Overslaan")
        summary = ask_reason
    else:
        (summary,) = await young.send(reason)
    shown = summary.text
    assert shown.startswith("Klopt dit?") and f"Naam: {name}" in shown
    await young.press(summary, "✅ Vraag het mijn ouders")
    assert summary.text.startswith("Ik heb het je ouders gevraagd.")
    return shown


async def _mentor(sandbox: Sandbox, name: str) -> Member:
    async with sandbox.runtime.sessions() as session:
        members = [m for m in await session.scalars(select(Member)) if m.display_name == name]
    (member,) = members
    return member


async def test_the_young_person_proposes_the_parents_agree_and_the_mentor_sees_only_what_is_shared(
    sandbox: Sandbox,
) -> None:
    c = await set_up_circle(sandbox)
    sam = await join_young(sandbox, c.fatima, 5, "Sam", "Sam")
    await make_agreement(c.fatima, "Fatima", "Geheime afspraak", visibility="family")
    await make_agreement(c.fatima, "Fatima", "Samen koken")
    group_before = len(sandbox.telegram.messages_in(GROUP_ID))

    said = await propose(sam, "Oom Karim", "Hij luistert altijd.")
    assert "Waarom: Hij luistert altijd." in said
    question = sandbox.telegram.messages_in(c.fatima.id)[-1]  # privately, never in the group
    assert question.text.startswith("Sam wil graag Oom Karim als vertrouwenspersoon.")
    assert "Waarom: Hij luistert altijd." in question.text and "Vinden jullie dat goed?" in question.text
    assert question.button_texts() == [YES, "Nee"]
    assert len(sandbox.telegram.messages_in(GROUP_ID)) == group_before
    proposed = await _mentor(sandbox, "Oom Karim")
    assert proposed.status == MemberStatus.PROPOSED and proposed.proposal_reason == "Hij luistert altijd."

    yes = question.callback_data(YES)
    await c.fatima.press(question, YES)
    assert "✅ Ik vertel het Sam." in question.text and not question.buttons
    assert (await c.fatima.press(question, YES, data=yes))["text"] == STALE  # decided once
    agreed = await _mentor(sandbox, "Oom Karim")
    assert agreed.status == MemberStatus.INVITED and agreed.proposal_reason is None
    async with sandbox.runtime.sessions() as session:  # no link yet: it is made when Sam asks
        assert not await session.scalar(
            select(func.count()).select_from(Invitation).where(Invitation.member_id == agreed.id)
        )

    good_news = sandbox.telegram.messages_in(5)[-1]
    assert good_news.text.startswith("Goed nieuws! Je ouders vinden Oom Karim een goede vertrouwenspersoon.")
    await sam.press(good_news, "🔗 Maak de link")
    link_message = sandbox.telegram.messages_in(5)[-1]
    assert link_message.text.startswith("Stuur deze link aan Oom Karim")
    karim = sandbox.user(6, "Karim")
    (invitation,) = await karim.send(f"/start {links_in(link_message)['start']}")
    assert "Sam nodigt je uit voor de kring van Gezin Jansen." in invitation.text
    await karim.press(invitation, "Ja, ik doe mee")
    assert all("Jansen" not in m.text for m in await karim.send("/plan"))  # not before the family confirms
    await confirm_join(c.fatima, "✅ Ja, dit is Oom Karim")
    welcome = [m.text for m in sandbox.telegram.messages_in(6) if m.text.startswith("Welkom")]
    assert welcome == [
        "Welkom, Oom Karim! Je bent de vertrouwenspersoon van Sam. "
        "Je ziet wat Sam en het gezin met de hele kring delen. Met /plan zie je de afspraken."
    ]

    plan = "\n".join(m.text for m in await karim.send("/plan"))
    assert "Samen koken" in plan and "Geheime afspraak" not in plan
    members = "\n".join(m.text for m in await c.fatima.send("/members"))
    assert "Oom Karim (vertrouwenspersoon van de jongere)" in members
    (again,) = await sam.send("/mentor")  # a new choice is allowed; Sam hears who it is now
    assert again.text.startswith("Je vertrouwenspersoon is nu Oom Karim.")
    assert "Wie vertrouw je?" in again.text

    async with sandbox.runtime.sessions() as session:
        events = list(await session.scalars(select(AuditEvent).where(AuditEvent.action.like("mentor.%"))))
    assert [e.action for e in events] == ["mentor.proposed", "mentor.agreed", "mentor.invited"]
    assert all("Karim" not in str(e.detail) and "luistert" not in str(e.detail) for e in events)


async def test_a_no_from_the_parents_is_told_kindly_and_nothing_reaches_the_mentor(sandbox: Sandbox) -> None:
    c = await set_up_circle(sandbox)
    sam = await join_young(sandbox, c.fatima, 5, "Sam", "Sam")
    assert "Een vertrouwenspersoon kiest de jongere zelf" in (await c.kees.send("/mentor"))[0].text
    (in_group,) = await sam.send("/mentor", chat=c.group)
    assert in_group.text.startswith("Dit doe je in een privégesprek met mij.")

    said = await propose(sam, "Tante Lies", None)
    assert "Waarom" not in said
    (waiting,) = await sam.send("/mentor")  # one proposal at a time
    assert waiting.text.startswith("Je ouders kiezen nog over Tante Lies.")
    question = sandbox.telegram.messages_in(c.fatima.id)[-1]
    assert question.text.startswith("Sam wil graag Tante Lies als vertrouwenspersoon.")
    assert "Waarom" not in question.text

    yes, no = question.callback_data(YES), question.callback_data("Nee")
    for forger in (sam, c.ayse, c.omar):  # the young person, a network member, a parent who does not decide
        own = sandbox.telegram.messages_in(forger.id)[-1]
        assert (await forger.press(own, YES, data=yes))["text"] == STALE
    assert (await _mentor(sandbox, "Tante Lies")).status == MemberStatus.PROPOSED

    await c.fatima.press(question, "Nee")
    assert "Ik vertel Sam dat jullie liever iemand anders willen." in question.text and not question.buttons
    assert (await c.fatima.press(question, "Nee", data=no))["text"] == STALE
    told = sandbox.telegram.messages_in(5)[-1].text
    assert "Je ouders willen liever iemand anders. Dat is niet erg." in told and "/mentor" in told
    refused = await _mentor(sandbox, "Tante Lies")
    assert refused.status == MemberStatus.REFUSED and refused.person_id is None
    own = sandbox.telegram.messages_in(5)[-1]
    link = f"mtl:{refused.id}"
    assert (await sam.press(own, "🔗 Maak de link", data=link))["text"] == STALE
    async with sandbox.runtime.sessions() as session:
        invitations = await session.scalar(
            select(func.count()).select_from(Invitation).where(Invitation.member_id == refused.id)
        )
    assert invitations == 0  # no link was ever made for her

    (again,) = await sam.send("/mentor")  # Sam can choose someone else
    assert "Wie vertrouw je?" in again.text


async def test_whom_the_young_person_proposed_is_erased_with_them(sandbox: Sandbox) -> None:
    c = await set_up_circle(sandbox)
    sam = await join_young(sandbox, c.fatima, 5, "Sam", "Sam")
    await propose(sam, "Tante Lies", "Zij is er altijd.")
    question = sandbox.telegram.messages_in(c.fatima.id)[-1]
    (forget,) = await sam.send("/forget")
    await sam.press(forget, "🗑 Alles over mij wissen")
    await sam.press(forget, "Ja, wis alles over mij")
    assert forget.text.startswith("Klaar. Alles over jou is gewist.")
    async with sandbox.runtime.sessions() as session:
        names = [m.display_name for m in await session.scalars(select(Member))]
    assert "Tante Lies" not in names and "Sam" not in names
    assert (await c.fatima.press(question, YES))["text"] == STALE  # nothing left to decide
