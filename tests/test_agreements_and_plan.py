"""Agreements, the "als het misgaat" plan and /plan, end to end — and who sees what."""

from __future__ import annotations

from sqlalchemy import select

from bot.db.models import Agreement, AgreementStatus, Member, MemberStatus
from bot.plan_text import split_messages
from sandbox.harness import Sandbox
from tests.journey import GROUP_ID, STALE, make_agreement, set_up_circle


def _texts(sandbox: Sandbox, chat_id: int) -> list[str]:
    return [m.text for m in sandbox.telegram.messages_in(chat_id)]


async def _status(sandbox: Sandbox, what: str) -> AgreementStatus:
    async with sandbox.runtime.sessions() as session:
        agreement = await session.scalar(select(Agreement).where(Agreement.what == what))
        assert agreement is not None
        return agreement.status


async def test_an_agreement_is_proposed_accepted_and_shown_to_whom_it_may_concern(sandbox: Sandbox) -> None:
    c = await set_up_circle(sandbox)
    done = await make_agreement(
        c.fatima, "Oma Ayşe", "Oppassen", for_whom="Sam", visibility="family", when=("Elke week", "woensdag", "15:00")
    )
    assert done.text == "Bewaard. Ik vraag Oma Ayşe of dat goed is."
    ask = sandbox.telegram.messages_in(3)[-1]
    assert ask.text.startswith("Oma Ayşe, Fatima vraagt of jij dit wilt doen:")
    assert "Oppassen (voor Sam)" in ask.text and "elke woensdag om 15:00" in ask.text
    assert await _status(sandbox, "Oppassen") == AgreementStatus.PROPOSED
    await c.ayse.press(ask, "Ja, dat doe ik")
    assert await _status(sandbox, "Oppassen") == AgreementStatus.ACTIVE
    told = _texts(sandbox, GROUP_ID)[-1]  # the group reads along: a family-only agreement is not named there
    assert told.startswith("Oma Ayşe zegt ja: een afspraak die alleen voor het gezin is") and "Oppassen" not in told

    family_plan = "\n".join(m.text for m in await c.fatima.send("/plan"))
    assert (
        "• Oma Ayşe: Oppassen (voor Sam)" in family_plan and "🛠 praktische hulp · elke woensdag om 15:00" in family_plan
    )
    assert "112" in family_plan
    doer_plan = "\n".join(m.text for m in await c.ayse.send("/plan"))
    assert "Oppassen" in doer_plan
    other_plan = "\n".join(m.text for m in await c.kees.send("/plan"))
    assert "Oppassen" not in other_plan and "112" in other_plan
    group_plan = "\n".join(m.text for m in await c.fatima.send("/plan", chat=c.group))
    assert "Oppassen" not in group_plan and "alleen voor het gezin" in group_plan
    professional_plan = "\n".join(m.text for m in await c.anna.send("/plan"))
    assert "Oppassen" not in professional_plan and "de hulpverlener ziet het niet" in professional_plan


async def test_a_doer_declines_with_a_reason_and_the_family_hears_it(sandbox: Sandbox) -> None:
    c = await set_up_circle(sandbox)
    await make_agreement(c.fatima, "Buurman Kees", "Boodschappen", when=("Elke maand", "5", "10:00"))
    ask = sandbox.telegram.messages_in(4)[-1]
    assert "elke maand op dag 5 om 10:00" in ask.text
    yes = ask.callback_data("Ja, dat doe ik")
    await c.kees.press(ask, "Liever anders")
    (thanks,) = await c.kees.send("Ik werk dan")
    assert thanks.text.startswith("Dank je wel voor je eerlijke antwoord.")
    assert await _status(sandbox, "Boodschappen") == AgreementStatus.DECLINED
    told = _texts(sandbox, GROUP_ID)[-1]
    assert told.startswith("Buurman Kees doet dit liever anders: Boodschappen.") and "Waarom: Ik werk dan" in told
    assert (await c.kees.press(ask, "", data=yes))["text"] == STALE  # an answered question stays answered


async def test_a_family_member_without_a_private_chat_is_asked_in_the_group(sandbox: Sandbox) -> None:
    c = await set_up_circle(sandbox)
    await make_agreement(c.fatima, "Omar", "Koken", when=("Eén keer", "24-12", "17:30"), backup="Oma Ayşe")
    ask = sandbox.telegram.messages_in(GROUP_ID)[-1]
    assert ask.text.startswith("Omar, Fatima vraagt of jij dit wilt doen:") and "op 24 december om 17:30" in ask.text
    assert "Als het niet lukt: Oma Ayşe" in ask.text
    assert (await c.fatima.press(ask, "Ja, dat doe ik"))["text"] == STALE  # only Omar can answer
    await c.omar.press(ask, "Ja, dat doe ik")
    assert await _status(sandbox, "Koken") == AgreementStatus.ACTIVE


async def test_a_coordinators_own_agreement_is_active_at_once_and_the_family_can_do_it_alone(sandbox: Sandbox) -> None:
    c = await set_up_circle(sandbox)
    done = await make_agreement(c.fatima, "Fatima", "Elke dag wandelen", when=("Als het nodig is",))
    assert done.text.startswith("Bewaard. De afspraak staat nu in het plan.")
    assert await _status(sandbox, "Elke dag wandelen") == AgreementStatus.ACTIVE
    plan = "\n".join(m.text for m in await c.fatima.send("/plan"))
    assert "als het nodig is" in plan


async def test_the_professional_suggests_and_a_coordinator_confirms(sandbox: Sandbox) -> None:
    c = await set_up_circle(sandbox)
    done = await make_agreement(c.anna, "Oma Ayşe", "Mee naar school", when=("Om de week", "maandag", "8.30"))
    assert done.text.startswith("Bewaard als voorstel.")
    suggestion = sandbox.telegram.messages_in(GROUP_ID)[-1]
    assert (
        suggestion.text.startswith("Anna de Vries stelt deze afspraak voor.")
        and "om de week op maandag om 08:30" in suggestion.text
    )
    assert (await c.omar.press(suggestion, "Goedkeuren"))["text"] == STALE  # Omar does not run the circle
    await c.fatima.press(suggestion, "Goedkeuren")
    assert await _status(sandbox, "Mee naar school") == AgreementStatus.PROPOSED
    assert sandbox.telegram.messages_in(3)[-1].text.startswith("Oma Ayşe, Anna de Vries vraagt of jij dit wilt doen:")
    (invite_refused,) = await c.anna.send("/invite")
    assert invite_refused.text == "Alleen wie de kring regelt, kan mensen uitnodigen."


async def test_coordinators_pause_resume_and_end_and_doers_step_back(sandbox: Sandbox) -> None:
    c = await set_up_circle(sandbox)
    await make_agreement(c.fatima, "Buurman Kees", "Fietsen maken")
    await c.kees.press(sandbox.telegram.messages_in(4)[-1], "Ja, dat doe ik")
    await make_agreement(c.fatima, "Oma Ayşe", "Voorlezen")
    await c.ayse.press(sandbox.telegram.messages_in(3)[-1], "Ja, dat doe ik")

    listed = await c.fatima.send("/agreements")
    bike = next(m for m in listed if "Fietsen maken" in m.text)
    await c.fatima.press(bike, "⏸ Pauzeren")
    assert await _status(sandbox, "Fietsen maken") == AgreementStatus.PAUSED and "(staat even stil)" in bike.text
    assert _texts(sandbox, 4)[-1] == "Deze afspraak staat even stil: Fietsen maken"
    await c.fatima.press(bike, "Weer starten")
    assert await _status(sandbox, "Fietsen maken") == AgreementStatus.ACTIVE
    assert (await c.kees.press(bike, "Stoppen"))["text"] == STALE  # the doer cannot end it for the family
    await c.fatima.press(bike, "Stoppen")
    assert await _status(sandbox, "Fietsen maken") == AgreementStatus.ENDED

    (reading,) = await c.ayse.send("/agreements")
    assert reading.button_texts() == ["Ik stop hiermee"]
    await c.ayse.press(reading, "Ik stop hiermee")
    assert await _status(sandbox, "Voorlezen") == AgreementStatus.ENDED
    assert _texts(sandbox, GROUP_ID)[-1].startswith("Oma Ayşe stopt met: Voorlezen.")


async def test_the_als_het_misgaat_plan(sandbox: Sandbox) -> None:
    c = await set_up_circle(sandbox)
    (menu,) = await c.fatima.send("/safetyplan")
    await c.fatima.press(menu, "Waaraan merk je het?")
    (menu,) = await c.fatima.send("Mama slaapt niet meer")
    await c.fatima.press(menu, "Wat we zelf doen")
    (menu,) = await c.fatima.send("We bellen elkaar en gaan wandelen")
    await c.fatima.press(menu, "Wie we vragen")
    await c.fatima.press(menu, "Oma Ayşe")
    await c.fatima.press(menu, "Wie we vragen")
    await c.fatima.press(menu, "Iemand anders")
    await c.fatima.send("Tante Maria")
    (wrong_phone,) = await c.fatima.send("bel maar")
    assert wrong_phone.text.startswith("Dat is geen telefoonnummer")
    (menu,) = await c.fatima.send("06 12345678")
    await c.fatima.press(menu, "Wanneer we de hulpverlener vragen")
    (menu,) = await c.fatima.send("Als het na een week niet beter gaat")
    assert "4. Vraag de hulpverlener: Als het na een week niet beter gaat" in menu.text
    await c.fatima.press(menu, "Klaar")

    family = "\n".join(m.text for m in await c.fatima.send("/plan"))
    for line in (
        "• Mama slaapt niet meer",
        "1. Zelf: We bellen elkaar en gaan wandelen",
        "2. Vraag Oma Ayşe",
        "3. Vraag Tante Maria (06 12345678)",
        "Bel 112",
        "0800-2000",
    ):
        assert line in family
    grandmother = "\n".join(m.text for m in await c.ayse.send("/plan"))
    assert "Als het misgaat, kan het gezin jou om hulp vragen." in grandmother and "slaapt" not in grandmother
    neighbour = "\n".join(m.text for m in await c.kees.send("/plan"))
    assert "kan het gezin jou" not in neighbour and "Tante Maria" not in neighbour
    group = "\n".join(m.text for m in await c.fatima.send("/plan", chat=c.group))
    assert "slaapt" not in group and "Tante Maria" in group
    (refused,) = await c.omar.send("/safetyplan")
    assert refused.text == "Alleen wie de kring regelt, kan dit plan aanpassen."


async def test_pause_and_leave(sandbox: Sandbox) -> None:
    c = await set_up_circle(sandbox)
    await make_agreement(c.fatima, "Buurman Kees", "Gras maaien")
    await c.kees.press(sandbox.telegram.messages_in(4)[-1], "Ja, dat doe ik")
    (pause,) = await c.kees.send("/pause")
    await c.kees.press(pause, "14 dagen")
    assert pause.text == "Goed. Tot en met 7 december 2026 stuur ik je niets. Daarna gaat het vanzelf weer door."
    (leave,) = await c.kees.send("/leave")
    await c.kees.press(leave, "Ja, ik stop")
    assert await _status(sandbox, "Gras maaien") == AgreementStatus.ENDED
    assert _texts(sandbox, GROUP_ID)[-1].startswith("Buurman Kees doet niet meer mee in de kring.")
    (after,) = await c.kees.send("/plan")
    assert after.text.startswith("Je doet nog niet mee in een kring.")


async def test_the_last_coordinator_hands_over_before_leaving(sandbox: Sandbox) -> None:
    c = await set_up_circle(sandbox)
    (refused,) = await c.fatima.send("/leave")
    assert refused.text.startswith("Jij bent de enige die de kring regelt.") and not refused.buttons
    (members,) = await c.fatima.send("/members")
    await c.fatima.press(members, "Fatima")
    assert "Niet meer laten regelen" not in members.button_texts()  # she is the only one
    await c.fatima.press(members, "⬅️ Terug")
    await c.fatima.press(members, "Omar")
    await c.fatima.press(members, "Omar laten meeregelen")
    (leave,) = await c.fatima.send("/leave")
    await c.fatima.press(leave, "Ja, ik stop")
    async with sandbox.runtime.sessions() as session:
        coordinators = [
            m.display_name
            for m in await session.scalars(
                select(Member).where(Member.is_coordinator, Member.status == MemberStatus.ACTIVE)
            )
        ]
    assert coordinators == ["Omar"]


async def test_bad_answers_in_the_agreement_flow_get_a_kind_message_and_lose_nothing(sandbox: Sandbox) -> None:
    c = await set_up_circle(sandbox)
    (current,) = await c.fatima.send("/newagreement")
    await c.fatima.press(current, "Omar")
    (too_long,) = await c.fatima.send("x" * 300)
    assert too_long.text == "Dat is te lang. Gebruik hoogstens 200 tekens."
    (current,) = await c.fatima.send("Koken")
    (typed_instead,) = await c.fatima.send("elke week")
    assert typed_instead.text.startswith("Kies een van de knoppen hierboven.")
    await c.fatima.press(current, "Elke week")
    await c.fatima.press(current, "vrijdag")
    (bad_time,) = await c.fatima.send("straks")
    assert bad_time.text == "Dat is geen tijd die ik ken. Schrijf bijvoorbeeld 15:00."
    (current,) = await c.fatima.send("18:10")
    assert current.text.startswith("Klopt dit?") and "elke vrijdag om 18:10" in current.text
    (cancelled,) = await c.fatima.send("/cancel")
    assert cancelled.text == "Gestopt. Er is niets bewaard."
    assert (await c.fatima.press(current, "Wie springt in?"))["text"] == STALE


def test_a_long_plan_is_split_cleanly() -> None:
    blocks = [f"• Afspraak {i}: " + "woord " * 60 for i in range(40)]
    messages = split_messages(blocks)
    assert len(messages) > 1 and all(len(m) <= 4096 for m in messages)
    assert "\n\n".join(messages) == "\n\n".join(blocks)  # nothing lost, nothing cut mid-block
    assert all(len(m) <= 4096 for m in split_messages(["x" * 10_000]))


async def test_a_coordinator_changes_an_agreement_and_the_doer_is_told(sandbox: Sandbox) -> None:
    c = await set_up_circle(sandbox)
    await make_agreement(c.fatima, "Buurman Kees", "Fietsen maken")
    await c.kees.press(sandbox.telegram.messages_in(4)[-1], "Ja, dat doe ik")
    (listed,) = await c.fatima.send("/agreements")
    await c.fatima.press(listed, "Aanpassen")
    question = sandbox.telegram.messages_in(1)[-1]
    assert question.text.startswith("Je past deze afspraak aan:") and "Wat gaat Buurman Kees doen?" in question.text
    (current,) = await c.fatima.send("Fietsen repareren")
    await c.fatima.press(current, "Om de week")
    await c.fatima.press(current, "zaterdag")
    (current,) = await c.fatima.send("10:00")
    assert current.text.startswith("Klopt dit?") and "🛠 praktische hulp" in current.text  # what was agreed stays
    await c.fatima.press(current, "Soort hulp")
    await c.fatima.press(current, "💡 advies")
    await c.fatima.press(current, "Wie springt in?")
    await c.fatima.press(current, "Oma Ayşe")
    assert "💡 advies" in current.text and "Als het niet lukt: Oma Ayşe" in current.text
    await c.fatima.press(current, "✅ Opslaan")
    assert current.text.startswith("Aangepast. Zo staat het nu in het plan:")
    assert "om de week op zaterdag om 10:00" in current.text
    told = sandbox.telegram.messages_in(4)[-1].text
    assert told.startswith("Jullie afspraak is aangepast.") and "Fietsen repareren" in told
    assert await _status(sandbox, "Fietsen repareren") == AgreementStatus.ACTIVE
    assert (await c.omar.press(listed, "", data=listed.callback_data("Aanpassen")))["text"] == STALE
