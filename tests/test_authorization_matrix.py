"""The authorisation matrix, end to end: every button and command × every role (coordinator,
family, network, the young person, professional, a coordinator of another circle, a stranger). Buttons are pressed
with their real data from circle A, forged into each person's own chat; denials must answer
"Deze knop werkt niet meer", change nothing and reveal nothing."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from bot.db.models import (
    Agreement,
    AgreementStatus,
    Circle,
    ContactRequest,
    Draft,
    HelpAsk,
    Invitation,
    Member,
    NetworkCheckin,
    OpenRequest,
    OpenRequestAsk,
    Schedule,
    WhoName,
    YoungOpinion,
    YoungWish,
)
from bot.services import network_checkins
from sandbox.fake_telegram import FakeUser
from sandbox.harness import Sandbox
from tests import snapshots
from tests.journey import (
    HOUSEHOLD,
    STALE,
    choose_network_checkin,
    family_group,
    invite,
    join_network,
    join_young,
    make_agreement,
    new_circle,
    set_up_circle,
)

ROLES = ("coordinator", "family", "network", "young", "professional", "other_circle", "stranger")


async def _world(sandbox: Sandbox) -> tuple[dict[str, FakeUser], dict[str, str]]:
    """Circle A with something of every kind to press, and circle B; built once, then copied."""
    return await snapshots.cached(sandbox, "authorisation world", _play_world)


async def _play_world(sandbox: Sandbox) -> tuple[dict[str, FakeUser], dict[str, str]]:
    c = await set_up_circle(sandbox)
    links_b = await new_circle(c.anna, "Gezin Bakker")
    bert, _ = await family_group(sandbox, links_b, user_id=80, name="Bert", group_id=-200)
    sam = await join_young(sandbox, c.fatima, 7, "Sam", "Sam")
    people = {
        "coordinator": c.fatima,
        "family": c.omar,
        "network": c.ayse,
        "young": sam,
        "professional": c.anna,
        "other_circle": bert,
        "stranger": sandbox.user(70, "Vreemde"),
    }
    for person in people.values():
        await person.send("/start")

    _, link_message = await invite(c.fatima, "Nog iemand")
    els = await join_network(sandbox, c.fatima, 6, "Els", "Tante Els")
    await els.send("/start")
    (members,) = await c.fatima.send("/members")
    await c.fatima.press(members, "Tante Els")
    await c.fatima.press(members, "🚪 Uit de kring halen")
    await c.fatima.press(members, "Ja, haal Tante Els uit de kring")
    do_not_invite = members.callback_data("🚫 Niet opnieuw uitnodigen")
    (members,) = await c.fatima.send("/members")
    member_card = members.callback_data("Omar")
    await c.fatima.press(members, "Omar")
    make_coordinator = members.callback_data("Omar laten meeregelen")
    remove_ask = members.callback_data("🚪 Uit de kring halen")
    await c.fatima.press(members, "⬅️ Terug")
    await c.fatima.press(members, "Buurman Kees")
    await c.fatima.press(members, "🚪 Uit de kring halen")
    remove_yes = members.callback_data("Ja, haal Buurman Kees uit de kring")
    (members,) = await c.fatima.send("/members")
    await c.fatima.press(members, "Nog iemand")
    new_link = members.callback_data("🔗 Nieuwe link voor Nog iemand")
    member_list = members.callback_data("⬅️ Terug")
    await sandbox.user(75, "Nicht").press(sandbox.telegram.messages_in(-100)[0], HOUSEHOLD)
    join_question = sandbox.telegram.messages_in(-100)[-1]
    await make_agreement(c.fatima, "Buurman Kees", "Fietsen maken")
    ask = sandbox.telegram.messages_in(4)[-1]
    await c.kees.press(ask, "Ja, dat doe ik")
    (listed,) = await c.fatima.send("/agreements")
    await make_agreement(c.fatima, "Buurman Kees", "Boodschappen")
    pending_ask = sandbox.telegram.messages_in(4)[-1]
    await make_agreement(c.anna, "Oma Ayşe", "Voorlezen")
    suggestion = sandbox.telegram.messages_in(-100)[-1]
    (pause,) = await c.fatima.send("/pause")
    greeting = sandbox.telegram.messages_in(-100)[0]
    (menu,) = await c.fatima.send("/safetyplan")
    for button in ("Wie we vragen", "Oma Ayşe", "Klaar"):
        await c.fatima.press(menu, button)
    (help_view,) = await c.fatima.send("/askhelp")
    await c.fatima.press(help_view, "🙋 Vraag Oma Ayşe")
    help_ask = sandbox.telegram.messages_in(3)[-1]
    (pulse,) = await c.fatima.send("/pulse")
    (question,) = await c.omar.send("/contact")
    await c.omar.press(question, "Deze week")
    await c.omar.press(question, "Overslaan")
    await c.omar.press(question, "✉️ Versturen")
    contact_request = sandbox.telegram.messages_in(900)[-1]
    await choose_network_checkin(c.fatima, "Oma Ayşe")
    async with sandbox.runtime.sessions.begin() as session:  # her first check-in, queued now
        schedule = await network_checkins.current(session, 3)
        assert schedule is not None
        await network_checkins.plan(session, schedule, [sandbox.clock.now()], now=sandbox.clock.now())
    await sandbox.tick()
    own_checkin = sandbox.telegram.messages_in(3)[-1]
    # the young person's own buttons: a trusted adult agreed (its link), a second one proposed, a say
    for name, reason in (("Juf Mies", "Zij helpt me"), ("Trainer Bas", "Hij luistert")):
        await sam.send("/mentor")
        await sam.send(name)
        (proposal,) = await sam.send(reason)
        await sam.press(proposal, "✅ Vraag het mijn ouders")
        await sandbox.tick()
        if name == "Juf Mies":
            await c.fatima.press(sandbox.telegram.messages_in(c.fatima.id)[-1], "✅ Ja, dat is goed")
            await sandbox.tick()
            mentor_link = sandbox.telegram.messages_in(sam.id)[-1].callback_data("🔗 Maak de link")
    mentor_decide = sandbox.telegram.messages_in(c.fatima.id)[-1].callback_data("✅ Ja, dat is goed")
    *_others, bikes = await sam.send("/agreements")
    assert "Fietsen maken" in bikes.text
    await sam.press(bikes, "💬 Wat vind jij ervan?")
    young_opinion = sandbox.telegram.messages_in(sam.id)[-1].callback_data("👍 Dit helpt")
    (people_list,) = await sam.send("/people")
    await sam.press(people_list, "Oma Ayşe")
    young_wish = people_list.callback_data("👍 Ja, graag")
    # issue 22: a name from the who-questions to invite; two open requests to Ayşe (one taken)
    for name in ("/who", "Tante Nora", "Oom Sem", "Nicht Lien"):
        await c.fatima.send(name)
    who_list = sandbox.telegram.messages_in(c.fatima.id)[-1]
    who_invite = who_list.callback_data("Nodig Tante Nora uit")
    for what in ("Boodschappen", "Fiets maken"):
        (question,) = await c.fatima.send("/ask")
        (question,) = await c.fatima.send(what)
        for button in ("Oma Ayşe", "Verder", "3 dagen (tip)", "📣 Vraag het"):
            await c.fatima.press(question, button)
        await sandbox.tick()
    first_ask, second_ask = [m for m in sandbox.telegram.messages_in(c.ayse.id) if "🙋 Ik doe het" in m.button_texts()]
    await c.ayse.press(first_ask, "🙋 Ik doe het")
    await sandbox.tick()
    request_to_agreement = sandbox.telegram.messages_in(-100)[-1].callback_data("📌 Maak er een afspraak van")
    answer_request = second_ask.callback_data("🙋 Ik doe het")
    await sam.send("/start")  # his own last message: any earlier one will do for the presses below
    (forget,) = await c.fatima.send("/forget")
    async with sandbox.runtime.sessions() as session:
        circle_a = await session.get_one(Circle, 1)
        ends_on = circle_a.follow_up_ends_on
    assert ends_on is not None
    buttons = {
        "make_coordinator": make_coordinator,
        "member_card": member_card,
        "member_list": member_list,
        "remove_member_ask": remove_ask,
        "remove_member": remove_yes,
        "do_not_invite": do_not_invite,
        "new_link": new_link,
        "confirm_join": join_question.callback_data("✅ Ja, woont bij ons"),
        "refuse_join": join_question.callback_data("Nee"),
        "revoke_invitation": link_message.callback_data("Link intrekken"),
        "pause_agreement": listed.callback_data("⏸ Pauzeren"),
        "change_agreement": listed.callback_data("Aanpassen"),
        "confirm_suggestion": suggestion.callback_data("Niet doen"),
        "answer_as_doer": pending_ask.callback_data("Ja, dat doe ik"),
        "pause_self": pause.callback_data("7 dagen"),
        "join_from_elsewhere": greeting.callback_data(HOUSEHOLD),
        "ask_help": help_view.callback_data("🙋 Vraag Oma Ayşe"),
        "answer_help": help_ask.callback_data("📞 Ik bel"),
        "contact_from_help": help_view.callback_data("📞 Contact met Anna de Vries"),
        "choose_pulse": pulse.callback_data("Elke 2 weken (tip)"),
        "answer_contact": contact_request.callback_data("Ik bel vandaag"),
        "extend_follow_up": f"fu:1:{ends_on.toordinal()}:1",
        "group_language": "glang:1:2:en",
        "answer_network_checkin": own_checkin.callback_data("Ja"),
        "pause_network_checkins": own_checkin.callback_data("⏸ 4 weken pauze"),
        "keep_network_answers_private": own_checkin.callback_data("🙈 Het gezin hoeft dit niet te zien"),
        "dissolve_circle": forget.callback_data("🗑 Kring Gezin Jansen opheffen"),
        "decide_mentor": mentor_decide,
        "mentor_link": mentor_link,
        "young_opinion": young_opinion,
        "young_wish": young_wish,
        "who_invite": who_invite,
        "request_to_agreement": request_to_agreement,
        "answer_request": answer_request,
    }
    return people, buttons


#: Who may press which button of circle A. Everybody else is refused.
ALLOWED_BUTTONS: dict[str, set[str]] = {
    "make_coordinator": {"coordinator"},
    "member_card": {"coordinator"},
    "member_list": {"coordinator", "family"},
    "remove_member_ask": {"coordinator"},
    "remove_member": {"coordinator"},
    "do_not_invite": {"coordinator"},
    "new_link": {"coordinator"},
    "confirm_join": {"coordinator"},
    "refuse_join": {"coordinator"},
    "revoke_invitation": {"coordinator"},
    "pause_agreement": {"coordinator"},
    "change_agreement": {"coordinator"},
    "confirm_suggestion": {"coordinator"},
    "answer_as_doer": set(),  # only Kees, the doer, who is not one of the roles above
    "pause_self": {"coordinator", "family", "network", "young"},
    "join_from_elsewhere": set(),  # only inside the family's own group
    "ask_help": {"coordinator", "family"},
    "answer_help": {"network"},  # only Ayşe, the one asked
    "contact_from_help": {"coordinator", "family", "young"},  # the young person: privately
    "choose_pulse": {"coordinator"},
    "answer_contact": {"professional"},
    "extend_follow_up": {"coordinator"},
    "group_language": {"coordinator"},
    "answer_network_checkin": {"network"},  # only Ayşe, whose check-in it is
    "pause_network_checkins": {"network"},  # (a network member's own; Ayşe is the one with check-ins)
    "keep_network_answers_private": {"network"},
    "dissolve_circle": {"coordinator"},  # (its first step; the second needs another "yes")
    "decide_mentor": {"coordinator"},  # the parents decide about the young person's trusted adult
    "mentor_link": {"young"},  # the young person makes the link, once the parents said yes
    "young_opinion": {"young"},
    "young_wish": {"young"},
    "who_invite": {"coordinator"},  # (the family's own list: a coordinator's)
    "request_to_agreement": {"coordinator"},
    "answer_request": {"network"},  # only Ayşe, the one asked
}


#: Buttons that only show something (a screen of /members, the question before a removal).
ONLY_SHOW = {"member_card", "member_list", "remove_member_ask"}


async def _snapshot(sandbox: Sandbox) -> list[Any]:
    async with sandbox.runtime.sessions() as session:
        members = [
            (
                m.id,
                m.status,
                m.is_coordinator,
                m.do_not_invite,
                m.paused_until,
                m.checkin_paused_until,
                m.checkin_shared,
            )
            for m in await session.scalars(select(Member))
        ]
        agreements = [(a.id, a.status) for a in await session.scalars(select(Agreement))]
        invitations = [(i.id, i.used_at, i.revoked_at) for i in await session.scalars(select(Invitation))]
        drafts = [(d.id, d.person_id, d.flow, d.step) for d in await session.scalars(select(Draft))]
        circles = [
            (c.id, c.follow_up_ends_on, c.professional_id, c.language, c.second_language)
            for c in await session.scalars(select(Circle))
        ]
        schedules = [(s.id, s.purpose, s.active) for s in await session.scalars(select(Schedule))]
        asks = [(h.id, h.answer) for h in await session.scalars(select(HelpAsk))]
        requests = [(r.id, r.status) for r in await session.scalars(select(ContactRequest))]
        answers = [(n.id, n.had_contact, n.feeling) for n in await session.scalars(select(NetworkCheckin))]
        growing = (
            [(r.id, r.status, r.taken_by_member_id, r.agreement_id) for r in await session.scalars(select(OpenRequest))]
            + [(a.id, a.answer) for a in await session.scalars(select(OpenRequestAsk))]
            + [(w.id, w.invited_member_id) for w in await session.scalars(select(WhoName))]
        )
        says = [(o.id, o.opinion) for o in await session.scalars(select(YoungOpinion))] + [
            (w.id, w.wish) for w in await session.scalars(select(YoungWish))
        ]
    return [
        sorted(members),
        sorted(agreements),
        sorted(invitations),
        sorted(drafts),
        sorted(circles),
        sorted(schedules),
        sorted(asks),
        sorted(requests),
        sorted(answers),
        sorted(says),
        sorted(growing, key=repr),
    ]


@pytest.mark.parametrize("button", sorted(ALLOWED_BUTTONS))
async def test_every_button_for_every_role(sandbox: Sandbox, button: str) -> None:
    people, buttons = await _world(sandbox)
    data = buttons[button]
    before = await _snapshot(sandbox)
    for role in ROLES:
        if role in ALLOWED_BUTTONS[button]:
            continue
        person = people[role]
        own_message = sandbox.telegram.messages_in(person.id)[-1]
        seen = len(sandbox.telegram.messages_in(person.id))
        answer = await person.press(own_message, "", data=data)
        assert answer["text"] == STALE, (button, role)
        assert sandbox.telegram.messages_in(person.id)[seen:] == []  # nothing new said, nothing revealed
    assert await _snapshot(sandbox) == before, f"a refused press of {button} changed something"
    for role in ALLOWED_BUTTONS[button]:
        person = people[role]
        answer = await person.press(sandbox.telegram.messages_in(person.id)[-1], "", data=data)
        assert answer.get("text") != STALE, (button, role)
    if ALLOWED_BUTTONS[button] and button not in ONLY_SHOW:
        assert await _snapshot(sandbox) != before, f"an allowed press of {button} changed nothing"


#: What each role may start with each command, in a private chat.
COMMANDS: dict[str, tuple[set[str], str]] = {
    "/invite": ({"coordinator"}, "Alleen wie de kring regelt, kan mensen uitnodigen."),
    "/newagreement": ({"coordinator", "professional"}, "Alleen wie de kring regelt, kan afspraken maken."),
    "/safetyplan": ({"coordinator"}, "Alleen wie de kring regelt, kan dit plan aanpassen."),
    "/members": ({"coordinator", "family"}, "Dit kan alleen iemand van het gezin in een kring."),
    "/plan": ({"coordinator", "family", "network", "young"}, "Je doet nog niet mee in een kring."),
    "/agreements": ({"coordinator", "family", "network", "young"}, "Je doet nog niet mee in een kring."),
    "/pause": ({"coordinator", "family", "network", "young"}, "Je doet nog niet mee in een kring."),
    "/leave": ({"coordinator", "family", "network", "young"}, "Je doet nog niet mee in een kring."),
    "/new": ({"professional"}, "Alleen een hulpverlener kan een kring starten."),
    "/askhelp": ({"coordinator", "family"}, "Hulp vragen via Kring kan alleen het gezin."),
    "/contact": ({"coordinator", "family", "young"}, "Contact met de hulpverlener via Kring kan alleen het gezin."),
    "/pulse": ({"coordinator"}, "Alleen wie de kring regelt, kiest of de hulpverlener de cijfers krijgt."),
    "/overview": ({"professional"}, "Dit overzicht is voor hulpverleners met een kring."),
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
async def test_every_command_for_every_role(sandbox: Sandbox, command: str) -> None:
    people, _ = await _world(sandbox)
    allowed, refusal = COMMANDS[command]
    for role in ROLES:
        if role == "other_circle" and command in (
            "/plan",
            "/agreements",
            "/pause",
            "/leave",
            "/members",
            "/invite",
            "/newagreement",
            "/safetyplan",
            "/askhelp",
            "/contact",
            "/pulse",
        ):
            continue  # Bert is allowed these in his own circle; that he sees nothing of circle A is checked below
        replies = await people[role].send(command)
        text = "\n".join(m.text for m in replies)
        if role in allowed:
            assert not text.startswith(refusal), (command, role)
        else:
            assert text.startswith(refusal), (command, role, text)
            assert "Jansen" not in text
    replies = await people["other_circle"].send(command)
    assert all("Jansen" not in m.text and "Fietsen" not in m.text for m in replies), command
    await people["coordinator"].send("/cancel")


async def test_professional_sees_nothing_of_the_family_and_strangers_learn_nothing(sandbox: Sandbox) -> None:
    c = await set_up_circle(sandbox)
    await make_agreement(c.fatima, "Fatima", "Geheime afspraak", visibility="family")
    for person in (c.anna, sandbox.user(70, "Vreemde")):
        for command in ("/plan", "/agreements", "/members", "/start", "/help"):
            for reply in await person.send(command):
                assert "Geheime afspraak" not in reply.text and "Fatima" not in reply.text
    async with sandbox.runtime.sessions() as session:
        statuses = [a.status for a in await session.scalars(select(Agreement))]
    assert statuses == [AgreementStatus.ACTIVE]


async def test_my_data_and_forget_for_every_role(sandbox: Sandbox) -> None:
    """Everyone may ask for their own data and erase themselves; only their own data comes back,
    and only a coordinator is offered to dissolve a circle — their own."""
    people, _ = await _world(sandbox)
    for role, person in people.items():
        _intro, *documents = await person.send("/mydata")
        contents = "".join(d.document[1].decode() for d in documents if d.document)
        assert len(documents) == 2 and contents, role
        assert ("Gezin Jansen" in contents) == (role in ("coordinator", "family", "network", "young")), role
        assert "Fietsen maken" not in contents and "Boodschappen" not in contents, role  # Kees's agreements
        (question,) = await person.send("/forget")
        dissolvable = [b for b in question.button_texts() if b.startswith("🗑 Kring")]
        expected = {"coordinator": ["🗑 Kring Gezin Jansen opheffen"], "other_circle": ["🗑 Kring Gezin Bakker opheffen"]}
        assert dissolvable == expected.get(role, []), role
        await person.press(question, "Nee, toch niet")
