"""Every family in its own language: a group that reads Dutch and Arabic, a grandmother abroad who
reads Turkish, a neighbour who reads Ukrainian — each gets everything in their own language."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.i18n import FSI, PDI, gettext, use_language
from sandbox.harness import Sandbox, label_in
from tests.journey import GROUP_ID, confirm_join, invite, make_agreement, set_up_circle
from tests.test_rhythm import run_hours

NYC = ZoneInfo("America/New_York")


def in_language(code: str, dutch: str, **values: str) -> str:
    with use_language(code):
        return gettext(dutch).format(**values)


async def test_a_group_in_dutch_and_arabic_a_turkish_grandmother_abroad_and_a_ukrainian_neighbour(
    sandbox: Sandbox,
) -> None:
    c = await set_up_circle(sandbox)
    telegram = sandbox.telegram
    (question,) = await c.fatima.send("/language", chat=c.group)  # the family chooses the group's languages
    await c.fatima.press(question, "✓ Nederlands")
    await c.fatima.press(question, next(b for b in question.button_texts() if b.startswith("العربية")))
    assert question.text == "Goed. In deze groep schrijf ik in het Nederlands en in het Arabisch."

    (question,) = await c.ayse.send("/language")  # grandmother reads Turkish (and lives in New York)
    await c.ayse.press(question, next(b for b in question.button_texts() if b.startswith("Türkçe")))

    token, _ = await invite(c.fatima, "Olena")  # a neighbour whose Telegram is in Ukrainian
    olena = sandbox.user(5, "Olena", language_code="uk")
    (invitation,) = await olena.send(f"/start {token}")
    await olena.press(invitation, label_in("uk", "Ja, ik doe mee"))
    await confirm_join(c.fatima, "✅ Ja, dit is Olena")

    await make_agreement(c.fatima, "Oma Ayşe", "Bellen met Sam")  # Wednesdays 15:00 in Amsterdam
    await c.ayse.press(telegram.messages_in(3)[-1], label_in("tr", "Ja, dat doe ik"))
    (question,) = await c.ayse.send("/timezone")
    assert question.text == in_language(
        "tr", "Waar woon je? Dan komen herinneringen op jouw tijd. Kies de plaats met dezelfde tijd als bij jou."
    )
    await c.ayse.press(question, next(b for b in question.button_texts() if "New York" in b))
    await make_agreement(c.fatima, "Olena", "Huiswerk met Sam", when=("Elke week", "donderdag", "16:00"))
    await olena.press(telegram.messages_in(5)[-1], label_in("uk", "Ja, dat doe ik"))

    (question,) = await c.fatima.send("/checkin", chat=c.group)
    await c.fatima.press(question, "Nu een check-in")
    checkin = telegram.messages_in(GROUP_ID)[-1]
    ask = "Hoe gaat het met jullie? Iedereen van het gezin kan zelf antwoorden."
    assert ask in checkin.text and in_language("ar", ask) in checkin.text  # Dutch first, then Arabic
    assert checkin.button_texts()[0] == "😊 Goed · " + label_in("ar", "Goed")
    await c.omar.press(checkin, "😊 Goed")
    nudge = next(m for _, m in await run_hours(sandbox, 30, GROUP_ID) if m.text.startswith("Nog even over gisteren"))
    assert f"{FSI}Fatima{PDI}" in nudge.text.split("\n\n", 1)[1]  # a Dutch name stays whole in the Arabic part
    assert f"{FSI}Fatima" not in nudge.text.split("\n\n", 1)[0]  # (and Dutch needs no marks)

    arrived = [(at, m) for at, m in await run_hours(sandbox, 48, 3) if m.text.startswith("⏰")]
    ((at, reminder),) = arrived
    assert at.astimezone(NYC).strftime("%a %H:%M") == "Wed 08:00"  # her own morning
    assert reminder.text.splitlines()[0] == "⏰ " + in_language("tr", "Herinnering: {what}", what="Bellen met Sam")
    assert reminder.button_texts() == [label_in("tr", "Gedaan"), label_in("tr", "Lukt deze keer niet")]

    plan = "\n".join(m.text for m in await olena.send("/plan"))
    assert in_language("uk", "Het plan van {circle}", circle="Gezin Jansen") in plan and "Huiswerk met Sam" in plan
    assert ('{"type": "default"}', "uk") in telegram.commands  # the menu, registered per language


async def test_regional_codes_fall_back_to_the_base_language_or_dutch(sandbox: Sandbox) -> None:
    moroccan = sandbox.user(31, "Yasmina", language_code="ar-MA")
    (reply,) = await moroccan.send("/start")
    assert reply.text.startswith(
        in_language("ar", "Hallo! Ik ben Kring. Na de hulp help ik een gezin met de afspraken: wie doet wat?")
    )
    brazilian = sandbox.user(32, "Ana", language_code="pt-BR")
    (reply,) = await brazilian.send("/start")
    assert reply.text.startswith("Hallo! Ik ben Kring.")
