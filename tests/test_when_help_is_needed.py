"""When help is needed: the family's own plan first, a named person asked only on a tap, the
former professional only on request (and never lost), the pulse exactly as the family sees it,
and the end of the follow-up period after which the circle goes on."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.config import Settings, load_settings
from bot.services.contact import add_working_hours
from sandbox.fake_telegram import FakeUser, SentMessage
from sandbox.harness import Sandbox
from tests.conftest import TEST_KEY
from tests.journey import GROUP_ID, STALE, make_agreement, set_up_circle
from tests.test_rhythm import run_hours

AMS = ZoneInfo("Europe/Amsterdam")
ANNA = 900
ORGANISATION = "Jeugdteam Noord: 020 123 45 67 (ma-vr 9-17 uur)"


@pytest.fixture
def settings(database_url: str) -> Settings:
    return load_settings(
        {"KRING_DATABASE_URL": database_url, "KRING_ORGANISATION_CONTACT": ORGANISATION, "KRING_SECRET_KEY": TEST_KEY}
    )


def last(sandbox: Sandbox, chat_id: int) -> SentMessage:
    return sandbox.telegram.messages_in(chat_id)[-1]


async def name_grandmother_in_the_plan(fatima: FakeUser) -> None:
    (menu,) = await fatima.send("/safetyplan")
    await fatima.press(menu, "Wie we vragen")
    await fatima.press(menu, "Oma Ayşe")
    await fatima.press(menu, "Klaar")


async def test_not_good_leads_to_the_familys_steps_and_a_named_person_answers(sandbox: Sandbox) -> None:
    c = await set_up_circle(sandbox)
    await name_grandmother_in_the_plan(c.fatima)
    (question,) = await c.fatima.send("/checkin", chat=c.group)
    await c.fatima.press(question, "Nu een check-in")
    outside = {chat: len(sandbox.telegram.messages_in(chat)) for chat in (3, 4, ANNA)}
    await c.omar.press(last(sandbox, GROUP_ID), "😟 Niet goed")
    assert last(sandbox, GROUP_ID).text == "Dank je wel, Omar. Ik stuur je privé wat je nu kunt doen."
    help_ = last(sandbox, 2)  # the help goes to Omar only
    assert help_.button_texts() == ["🆘 Hulp vragen", "☎️ Hulplijnen"]
    await c.omar.press(help_, "🆘 Hulp vragen")
    view = last(sandbox, 2)
    assert "Ik stuur niemand een bericht, tenzij jij op een knop drukt." in view.text and "Bel 112" in view.text
    assert view.button_texts() == ["🙋 Vraag Oma Ayşe", "📞 Contact met Anna de Vries"]
    assert {chat: len(sandbox.telegram.messages_in(chat)) for chat in (3, 4, ANNA)} == outside  # nobody asked yet

    group_before = len(sandbox.telegram.messages_in(GROUP_ID))
    await c.omar.press(view, "🙋 Vraag Oma Ayşe")
    assert last(sandbox, 2).text == "Ik heb Oma Ayşe gevraagd. Je ziet hier wat Oma Ayşe antwoordt."
    ask = last(sandbox, 3)
    assert ask.text == "🙋 Omar van Gezin Jansen vraagt je om hulp. Het gaat nu niet goed. Kun je bellen of langskomen?"
    assert (await c.kees.press(ask, "", data=ask.callback_data("📞 Ik bel")))["text"] == STALE  # only the one asked
    await c.ayse.press(ask, "📞 Ik bel")
    assert ask.text == "Dank je wel. Het gezin weet het nu."
    assert last(sandbox, 2).text == "📞 Oma Ayşe belt Omar zo."  # asked privately: it stays private
    assert len(sandbox.telegram.messages_in(GROUP_ID)) == group_before
    assert {chat: len(sandbox.telegram.messages_in(chat)) for chat in (4, ANNA)} == {4: outside[4], ANNA: outside[ANNA]}


async def test_without_anyone_named_kring_helps_to_think_of_someone(sandbox: Sandbox) -> None:
    c = await set_up_circle(sandbox)
    (view,) = await c.omar.send("/askhelp")
    assert "Wie kun je vandaag bellen of appen?" in view.text and "Kindertelefoon" in view.text
    assert view.button_texts() == ["📞 Contact met Anna de Vries"]
    for person in (c.ayse, c.anna):
        (refusal,) = await person.send("/askhelp")
        assert refusal.text.startswith("Hulp vragen via Kring kan alleen het gezin.") and "112" in refusal.text


async def test_a_private_contact_request_is_answered_and_stays_private(sandbox: Sandbox) -> None:
    c = await set_up_circle(sandbox)
    before = len(sandbox.telegram.messages_in(ANNA))
    group_before = len(sandbox.telegram.messages_in(GROUP_ID))
    (question,) = await c.omar.send("/contact")
    assert question.text.startswith(
        "Je vraagt Anna de Vries om contact. Anna de Vries krijgt je vraag pas als je op 'Versturen' drukt."
    )
    await c.omar.press(question, "Vandaag")
    (confirm,) = await c.omar.send("Kunt u bellen over school?")
    assert confirm.text == "Klopt dit?\nAan: Anna de Vries\nHoe snel: Vandaag\nBericht: Kunt u bellen over school?"
    assert len(sandbox.telegram.messages_in(ANNA)) == before  # nothing before the confirmation
    await c.omar.press(confirm, "✉️ Versturen")
    assert confirm.text.startswith(
        "Verstuurd. Anna de Vries weet nu dat je contact wilt. Heb je voor maandag 23 november 14:00"
    )

    request = last(sandbox, ANNA)
    assert request.text.splitlines()[:4] == [
        "📞 Vraag om contact: Gezin Jansen",
        "Van: Omar",
        "Hoe snel: Vandaag",
        "Bericht: Kunt u bellen over school?",
    ]
    assert (await c.fatima.press(request, "", data=request.callback_data("Ik bel vandaag")))["text"] == STALE
    await c.anna.press(request, "Ik bel vandaag")
    assert last(sandbox, 2).text == "📞 Anna de Vries antwoordt Omar: Ik bel je vandaag."
    (sent,) = await c.anna.send("Ik bel om 14:00.")
    assert sent.text == "Verstuurd."
    assert last(sandbox, 2).text == "📞 Anna de Vries schrijft: Ik bel om 14:00."
    await run_hours(sandbox, 24 * 3, 2)
    assert "nog niet gereageerd" not in last(sandbox, 2).text  # answered: no time-out
    assert len(sandbox.telegram.messages_in(GROUP_ID)) == group_before  # a private request stays private


async def test_an_unanswered_request_is_never_lost(sandbox: Sandbox) -> None:
    c = await set_up_circle(sandbox)
    (question,) = await c.fatima.send("/contact", chat=c.group)
    await c.fatima.press(question, "Deze week")
    await c.fatima.press(question, "Overslaan")
    await c.fatima.press(question, "✉️ Versturen")
    arrived = [(at, m) for at, m in await run_hours(sandbox, 24 * 4, GROUP_ID) if "nog niet gereageerd" in m.text]
    ((at, told),) = arrived
    assert at.astimezone(AMS).strftime("%a %d %b %H:%M") == "Wed 25 Nov 10:00"  # two working days later
    assert ORGANISATION in told.text and told.button_texts() == ["☎️ Hulplijnen"]
    (listing,) = await c.anna.send("/overview")
    assert "Gezin Jansen: je kijkt mee tot en met 23 februari 2027; cijfers uit; open vragen: 0" in listing.text


def test_working_hours_skip_evenings_and_weekends() -> None:
    friday = datetime(2026, 11, 27, 15, 0, tzinfo=AMS)
    assert add_working_hours(friday, timedelta(hours=4), AMS) == datetime(2026, 11, 30, 11, 0, tzinfo=AMS)
    saturday = datetime(2026, 11, 28, 23, 0, tzinfo=UTC)
    assert add_working_hours(saturday, timedelta(hours=16), AMS) == datetime(2026, 12, 1, 17, 0, tzinfo=AMS)


async def test_kring_never_contacts_the_professional_on_its_own(sandbox: Sandbox) -> None:
    c = await set_up_circle(sandbox)
    await name_grandmother_in_the_plan(c.fatima)
    await make_agreement(c.fatima, "Buurman Kees", "Boodschappen doen")
    await c.kees.press(last(sandbox, 4), "Ja, dat doe ik")
    (question,) = await c.fatima.send("/checkin", chat=c.group)
    for button in ("Hoe vaak vraag ik hoe het gaat?", "Elke week", "zondag", "19:00"):
        await c.fatima.press(question, button)
    before = len(sandbox.telegram.messages_in(ANNA))
    for _week in range(4):  # "not good" every week, agreements missed, silence
        arrived = await run_hours(sandbox, 24 * 7, GROUP_ID)
        checkin = next(m for _, m in arrived if "Hoe gaat het met jullie?" in m.text)
        await c.omar.press(checkin, "😟 Niet goed")
        await c.fatima.press(checkin, "💬 Ik wil erover praten")
        await c.kees.press(last(sandbox, 4), "Lukt deze keer niet")
    assert len(sandbox.telegram.messages_in(ANNA)) == before


async def test_network_members_are_pointed_to_the_family_and_veilig_thuis(sandbox: Sandbox) -> None:
    c = await set_up_circle(sandbox)
    (refusal,) = await c.ayse.send("/contact")
    assert refusal.text.startswith("Contact met de hulpverlener via Kring kan alleen het gezin.")
    assert "Veilig Thuis: 0800-2000" in refusal.text
    (help_text,) = await c.ayse.send("/help")
    assert "/contact" not in help_text.text and "Veilig Thuis" in help_text.text


async def test_the_pulse_is_exactly_what_the_family_sees_and_can_be_switched_off(sandbox: Sandbox) -> None:
    c = await set_up_circle(sandbox)
    (choice,) = await c.omar.send("/pulse")
    assert choice.text == "Alleen wie de kring regelt, kiest of de hulpverlener de cijfers krijgt."
    (choice,) = await c.fatima.send("/pulse")
    assert "Nooit wat jullie schrijven, alleen dit:" in choice.text
    assert choice.button_texts() == ["Elke 2 weken (tip)", "Elke 4 weken", "✓ Uit"]
    await c.fatima.press(choice, "Elke 2 weken (tip)")
    assert last(sandbox, ANNA).text == "Gezin Jansen laat je om de paar weken de cijfers zien. Nooit wat ze schrijven."
    (choice,) = await c.fatima.send("/pulse")
    assert choice.button_texts() == ["✓ Elke 2 weken", "Elke 4 weken", "Uit"]
    await make_agreement(c.fatima, "Buurman Kees", "Boodschappen doen")
    await c.kees.press(last(sandbox, 4), "Ja, dat doe ik")
    (question,) = await c.fatima.send("/checkin", chat=c.group)
    await c.fatima.press(question, "Nu een check-in")
    checkin = last(sandbox, GROUP_ID)
    await c.omar.press(checkin, "😐 Zo-zo")
    await c.omar.send("Geheim: Sam spijbelt.", chat=c.group, reply_to=last(sandbox, GROUP_ID))
    await c.fatima.press(checkin, "😟 Niet goed")
    (reminder,) = [m for _, m in await run_hours(sandbox, 48, 4) if m.text.startswith("⏰")]
    await c.kees.press(reminder, "Gedaan")

    arrived = [m for _, m in await run_hours(sandbox, 24 * 14, ANNA) if m.text.startswith("🫶")]
    (sent,) = arrived
    shown = [
        m for m in sandbox.telegram.messages_in(GROUP_ID) if m.text.startswith("🫶 Dit ziet Anna de Vries vandaag:")
    ]
    assert len(shown) == 1
    counts = [
        "Check-ins: 1 gevraagd, 1 beantwoord.",
        "Antwoorden: goed 0, zo-zo 1, niet goed 1, wil erover praten 0.",
        "Afspraken: 1 gelukt, 0 niet gelukt, 1 zonder antwoord.",  # silence is not failure
    ]
    assert sent.text.splitlines()[1:4] == counts == shown[0].text.splitlines()[1:4]
    assert "Sam" not in sent.text and "Omar" not in sent.text and "Boodschappen" not in sent.text

    (choice,) = await c.fatima.send("/pulse")
    await c.fatima.press(choice, "Uit")
    assert last(sandbox, ANNA).text == "Gezin Jansen heeft de cijfers uitgezet. Je krijgt ze niet meer."
    assert not [m for _, m in await run_hours(sandbox, 24 * 28, ANNA) if m.text.startswith("🫶")]


async def test_the_end_of_follow_up_detaches_the_professional_and_the_circle_goes_on(sandbox: Sandbox) -> None:
    c = await set_up_circle(sandbox)  # three months: until 23 February 2027
    (choice,) = await c.fatima.send("/pulse")
    await c.fatima.press(choice, "Elke 4 weken")
    sandbox.clock.set(datetime(2027, 2, 16, 8, 0, tzinfo=AMS))
    arrived = await run_hours(sandbox, 24, GROUP_ID)
    ((at, ask),) = [
        (at, m) for at, m in arrived if m.text.startswith("Anna de Vries kijkt nog mee tot 23 februari 2027.")
    ]
    assert at.astimezone(AMS).strftime("%d %b %H:%M") == "16 Feb 10:00"
    assert (await c.omar.press(ask, "Nee, het is goed zo"))["text"] == STALE  # the coordinators choose
    extend = ask.callback_data("Ja, een maand langer")
    await c.fatima.press(ask, "Ja, een maand langer")
    assert ask.text == "Goed. De hulpverlener kijkt nu mee tot en met 23 maart 2027, en weet het."
    assert last(sandbox, ANNA).text == "Gezin Jansen wil dat je een maand langer meekijkt, tot en met 23 maart 2027."
    assert (await c.fatima.press(ask, "", data=extend))["text"] == STALE  # once

    sandbox.clock.set(datetime(2027, 3, 16, 8, 0, tzinfo=AMS))
    (ask,) = [
        m
        for _, m in await run_hours(sandbox, 24, GROUP_ID)
        if m.text.startswith("Anna de Vries kijkt nog mee tot 23 maart 2027.")
    ]
    await c.fatima.press(ask, "Nee, het is goed zo")
    assert last(sandbox, ANNA).text == "Gezin Jansen vindt het goed zo. Je kijkt mee tot 23 maart 2027."
    to_anna = [m.text for _, m in await run_hours(sandbox, 24 * 10, ANNA)]
    assert any(t.startswith("🫶 De cijfers van Gezin Jansen") for t in to_anna)  # the last pulse, as agreed
    assert to_anna[-1].startswith("Je kijkt niet meer mee met Gezin Jansen.")
    handover = [m.text for m in sandbox.telegram.messages_in(GROUP_ID) if m.text.startswith("🌱")]
    assert len(handover) == 1 and "Vanaf nu doen jullie het samen" in handover[0] and ORGANISATION in handover[0]

    (listing,) = await c.anna.send("/overview")
    assert listing.text == "Dit overzicht is voor hulpverleners met een kring."
    (ended,) = await c.omar.send("/contact")
    assert ended.text.startswith("De hulpverlener kijkt niet meer mee.") and ORGANISATION in ended.text
    (question,) = await c.fatima.send("/checkin", chat=c.group)  # the circle goes on
    await c.fatima.press(question, "Nu een check-in")
    assert "Hoe gaat het met jullie?" in last(sandbox, GROUP_ID).text


async def test_a_pulse_queued_before_it_was_switched_off_is_not_sent(sandbox: Sandbox) -> None:
    c = await set_up_circle(sandbox)
    (choice,) = await c.fatima.send("/pulse")
    await c.fatima.press(choice, "Elke 2 weken (tip)")
    await run_hours(sandbox, 24 * 13, ANNA)  # the pulse of 7 December is queued by now
    (choice,) = await c.fatima.send("/pulse")
    await c.fatima.press(choice, "Uit")
    assert not [m for _, m in await run_hours(sandbox, 24 * 3, ANNA) if m.text.startswith("🫶")]
    assert not [m for m in sandbox.telegram.messages_in(GROUP_ID) if m.text.startswith("🫶")]


async def test_asking_privately_stays_private_and_a_second_tap_asks_nobody_twice(sandbox: Sandbox) -> None:
    c = await set_up_circle(sandbox)
    (menu,) = await c.fatima.send("/safetyplan")
    for button in ("Wie we vragen", "Omar", "Wie we vragen", "Buurman Kees", "Klaar"):
        await c.fatima.press(menu, button)
    (pause,) = await c.kees.send("/pause")
    await c.kees.press(pause, "7 dagen")
    group_before = len(sandbox.telegram.messages_in(GROUP_ID))
    (view,) = await c.fatima.send("/askhelp")  # privately
    assert "🙋 Vraag Omar" in view.button_texts() and "🙋 Vraag Buurman Kees" not in view.button_texts()  # Kees pauses
    await c.fatima.press(view, "🙋 Vraag Omar")
    assert (await c.fatima.press(view, "🙋 Vraag Omar"))["text"] == "Omar is al gevraagd."
    (ask,) = [m for m in sandbox.telegram.messages_in(2) if m.text.startswith("🙋")]  # Omar privately, once
    await c.omar.press(ask, "🚶 Ik kom langs")
    assert last(sandbox, 1).text == "🚶 Omar komt langs bij Fatima."
    assert len(sandbox.telegram.messages_in(GROUP_ID)) == group_before  # nothing in the group

    sandbox.clock.set(datetime(2026, 11, 23, 23, 0, tzinfo=AMS))  # late in the evening
    await c.fatima.press(view, "🙋 Vraag Omar")
    assert (
        "Omar wil nu geen berichten. Mijn bericht komt om 08:00 aan. Is het nu nodig? Bel dan zelf."
        in last(sandbox, 1).text
    )


async def test_a_reply_to_kring_in_the_group_gets_the_help_buttons_and_goes_nowhere_else(sandbox: Sandbox) -> None:
    c = await set_up_circle(sandbox)
    outside = {chat: len(sandbox.telegram.messages_in(chat)) for chat in (1, 2, 3, 4, 900)}
    (reply,) = await c.omar.send("👍", chat=c.group, reply_to=last(sandbox, GROUP_ID))
    assert "112" not in reply.text and len(reply.text.split()) < 40
    assert reply.button_texts() == ["🆘 Hulp vragen", "☎️ Hulplijnen"]
    assert {chat: len(sandbox.telegram.messages_in(chat)) for chat in (1, 2, 3, 4, 900)} == outside
