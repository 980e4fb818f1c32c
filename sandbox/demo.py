"""``kring demo``: the product's shop window.

The real application (handlers, database, migrations) runs against the fake Telegram on
loopback with a simulated clock, and a scripted story is printed as people would see it on their
phones. Nothing goes over the internet, and only a temporary folder is used.
"""

from __future__ import annotations

import re
import sys
import tempfile
import textwrap
import time
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import TextIO

from bot.clock import SimulatedClock
from bot.config import Settings
from bot.db import crypto
from bot.flows.new_circle import deep_link
from bot.i18n import _, format_datetime, language_name, language_name_here, ngettext
from bot.services import professionals
from sandbox.fake_telegram import Event, FakeTelegram, FakeUser, SentMessage
from sandbox.harness import Sandbox, label_in

LINK = re.compile(r"https://t\.me/\w+\?(start|startgroup)=([A-Za-z0-9_-]+)")
#: The story starts on a Monday morning in Amsterdam.
STORY_START = datetime.fromisoformat("2026-11-23T10:00:00+01:00")
WIDTH = 72
DEMO_ORGANISATION = "Jeugdteam Noord, 020 123 45 67 (ma-vr 9-17 uur)"


class Transcript:
    """Prints the conversation from the fake Telegram's point of view: who wrote what, where."""

    def __init__(self, telegram: FakeTelegram, clock: SimulatedClock, settings: Settings, out: TextIO) -> None:
        self.telegram = telegram
        self.clock = clock
        self.settings = settings
        self.out = out
        self.names: dict[int, str] = {}
        self.skipped = 0  # messages not printed while time flies
        self.flying = False
        self.pending: str | None = None
        telegram.on_event = self.show

    def note(self, text: str) -> None:
        self._heading()
        self.out.write("\n" + "\n".join(f"  {line}" for line in text.splitlines()) + "\n")

    def chapter(self, title: str) -> None:
        """The heading is written with the first thing that happens in the chapter, stamped with
        that moment: a check-in sent at 19:00 is headed 19:00, however the clock got there."""
        self._heading()
        self.pending = title

    def _heading(self) -> None:
        if self.pending is not None:
            stamp = format_datetime(self.clock.now(), self.settings.timezone, format="EEEE d MMMM HH:mm")
            self.out.write(f"\n== {self.pending} ({stamp})\n")
            self.pending = None

    def show(self, event: Event) -> None:
        if self.flying:
            self.skipped += event.kind == "bot"
            return
        self._heading()
        where = self.names.get(event.chat_id, str(event.chat_id))
        if event.kind == "user":
            self.out.write(f"\n  {event.actor} → Kring ({where}): {event.text}\n")
        elif event.kind == "press":
            self.out.write("\n  " + _("{name} drukt op [{button}]").format(name=event.actor, button=event.text) + "\n")
        elif event.kind == "toast":
            self.out.write("  (" + _("melding: {text}").format(text=event.text) + ")\n")
        else:
            label = _("Kring past een bericht aan") if event.kind == "edit" else "Kring"
            self.out.write(f"  {label} → {where}:\n")
            for line in event.text.splitlines() or [""]:
                wrapped = textwrap.wrap(line, WIDTH - 6, break_long_words=False, break_on_hyphens=False) or [""]
                self.out.writelines(f"    {part}\n" for part in wrapped)
            if event.buttons:
                self.out.write("    " + " ".join(f"[{b}]" for b in event.buttons) + "\n")


async def run_demo(
    settings: Settings,
    *,
    keep: str | None = None,
    out: TextIO | None = None,
    language: str | None = None,
    out_folder: str | Path,
) -> int:
    out = out or sys.stdout
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="kring-demo-") as scratch:
        folder = Path(keep) if keep else Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        demo_settings = settings.with_overrides(
            database_url=f"sqlite+aiosqlite:///{folder / 'demo.sqlite3'}",
            organisation_contact=settings.organisation_contact or DEMO_ORGANISATION,
            secret_key=crypto.new_key(),
        )  # a key for this run only: the demo leaves no key file behind
        clock = SimulatedClock(STORY_START)
        async with Sandbox(demo_settings, clock) as sandbox:
            transcript = Transcript(sandbox.telegram, clock, settings, out)
            out.write(_("Kring demo: de echte bot, een nep-Telegram op deze computer en een versnelde klok.") + "\n")
            await play_story(sandbox, transcript, language, Path(out_folder))
    seconds = time.monotonic() - started
    out.write("\n" + _("Klaar. De demo duurde {seconds} seconden.").format(seconds=f"{seconds:.1f}") + "\n")
    return 0


async def play_story(sandbox: Sandbox, transcript: Transcript, language: str | None, out_folder: Path) -> None:
    """The story. With ``language``, Omar's Telegram is in that language, the family's group reads
    it next to Dutch, and the pictures Omar asks for are in it; the grandmother always reads Turkish.
    The family's picture, printable plan, picture of how it went and the grandmother's calendar file
    are written to ``out_folder``."""
    clock = sandbox.clock
    telegram = sandbox.telegram
    anna = sandbox.user(900, "Anna", language_code="nl")
    fatima = sandbox.user(101, "Fatima", language_code="nl")
    family = language or "nl"
    omar = sandbox.user(102, "Omar", language_code=family)
    ayse = sandbox.user(103, "Ayşe", language_code="tr")
    daniel = sandbox.user(104, "Daniel", language_code="en-GB")
    rob = sandbox.user(105, "Rob", language_code="nl")
    karel = sandbox.user(106, "Karel", language_code="nl")
    sam = sandbox.user(107, "Sam", language_code="nl")
    bas = sandbox.user(108, "Bas", language_code="nl")
    group = telegram.group(-1001, "Familie Jansen")
    for person in (anna, fatima, omar, ayse, daniel, rob, karel, sam, bas):
        transcript.names[person.id] = _("privé met {name}").format(name=person.name)
    transcript.names[group.id] = _("groep {name}").format(name=group.title)

    looked_at: dict[int, int] = {}  # per chat: how many messages were seen already

    async def life_goes_on() -> None:
        """While weeks fly by: oma and Omar do what they promised, and Fatima answers the check-ins."""
        if looked_at.get(0) == len(telegram.messages):
            return  # nothing new was sent
        looked_at[0] = len(telegram.messages)
        fresh: dict[int, list[SentMessage]] = {}
        for chat in (ayse.id, group.id):
            messages = telegram.messages_in(chat)
            fresh[chat], looked_at[chat] = messages[looked_at.get(chat, len(messages)) :], len(messages)
        for person, chat, label in (
            (ayse, ayse.id, label_in("tr", "Gedaan")),
            (omar, group.id, "Gedaan"),
            (fatima, group.id, "😊 Goed"),
        ):
            for message in fresh[chat]:
                if _has_button(message, label):
                    await person.press(message, label)

    transcript.chapter(_("De beheerder meldt hulpverlener Anna aan"))
    async with sandbox.runtime.sessions.begin() as session:
        _professional, token = await professionals.invite(session, "Anna de Vries", now=clock.now())
    transcript.note(f'$ kring professional invite "Anna de Vries"\n{deep_link(telegram.bot_username, token)}')
    await anna.send(f"/start {token}")

    clock.advance(timedelta(days=3))
    transcript.chapter(_("Het laatste gesprek: Anna start de kring van het gezin. De hulp was voor Sam (15)"))
    await anna.send("/new")
    (question,) = await anna.send("Gezin Jansen")
    await anna.press(question, "Nederlands")
    await anna.press(question, "3 maanden (tip)")
    (question,) = await anna.send("Sam")
    await anna.press(question, "Maak de kring")
    links = dict(LINK.findall(question.text))
    sam_link = LINK.findall(question.text.split("Sam zelf")[1])[0][1]

    clock.advance(timedelta(minutes=10))
    transcript.chapter(_("Fatima voegt Kring toe aan de groep van het gezin. Zij regelt de kring"))
    (greeting,) = await fatima.add_bot_to_group(group, links["startgroup"])
    clock.advance(timedelta(minutes=5))
    transcript.chapter(_("Omar woont ook in huis. Hij drukt op de knop. Fatima zegt ja, en laat hem meeregelen"))
    await omar.press(greeting, "🏠 Ik woon in dit huis")
    await fatima.press(telegram.messages_in(group.id)[-1], "✅ Ja, woont bij ons")
    (members,) = await fatima.send("/members")
    await fatima.press(members, "Omar")
    await fatima.press(members, "Omar laten meeregelen")
    await omar.send("/start")  # his own chat with Kring: for what only those who lead the circle hear
    if family != "nl":
        clock.advance(timedelta(minutes=5))
        transcript.chapter(
            _("Omar leest liever {language}. Fatima zet die taal erbij in de groep").format(
                language=language_name_here(family)
            )
        )
        (question,) = await fatima.send("/language", chat=group)
        await fatima.press(question, "✓ Nederlands")
        await fatima.press(question, next(b for b in question.button_texts() if b.startswith(language_name(family))))

    clock.advance(timedelta(hours=1))
    transcript.chapter(_("Sam opent zijn eigen link. Fatima zegt ja: Sam doet mee, met een eigen stem"))
    (invitation,) = await sam.send(f"/start {sam_link}")
    await sam.press(invitation, "Ja, ik doe mee")
    await fatima.press(telegram.messages_in(group.id)[-1], "✅ Ja, dit is Sam")

    clock.advance(timedelta(minutes=30))
    transcript.chapter(_("Wie is er om jullie heen? Fatima schrijft namen op. Niemand krijgt een bericht"))
    await fatima.send("/who")
    for names in ("Oma Ayşe", "Buurman Kees", "Tante Nora, Trainer Bas"):
        await fatima.send(names)

    clock.advance(timedelta(minutes=30))
    transcript.chapter(_("Fatima nodigt oma Ayşe uit. Alleen het gezin nodigt mensen uit"))
    (question,) = await fatima.send("/invite")
    await fatima.press(question, "Iemand om het gezin heen")
    await fatima.send("Oma Ayşe")
    (link_message,) = await fatima.send("Oppassen op Sam")
    invitation_token = dict(LINK.findall(link_message.text))["start"]
    clock.advance(timedelta(hours=5))
    (invitation,) = await ayse.send(f"/start {invitation_token}")
    await ayse.press(invitation, label_in("tr", "Ja, ik doe mee"))  # the grandmother reads Turkish
    clock.advance(timedelta(minutes=15))
    await fatima.press(telegram.messages_in(group.id)[-1], "✅ Ja, dit is Oma Ayşe")

    clock.advance(timedelta(hours=1))
    transcript.chapter(_("Wie doet wat? Fatima maakt een afspraak, oma zegt ja"))
    (current,) = await fatima.send("/newagreement")
    await fatima.press(current, "Oma Ayşe")
    (current,) = await fatima.send("Oppassen")
    await fatima.press(current, "Elke week")
    await fatima.press(current, "woensdag")
    await fatima.press(current, "15:00")
    await fatima.press(current, "Wie springt in?")  # one default changed in the summary
    await fatima.press(current, "Omar")
    await fatima.press(current, "✅ Opslaan")
    await ayse.press(telegram.messages_in(ayse.id)[-1], label_in("tr", "Ja, dat doe ik"))

    clock.advance(timedelta(minutes=5))
    transcript.chapter(_("Nog een afspraak, in vijf keer drukken"))
    (current,) = await fatima.send("/newagreement")
    await fatima.press(current, "Omar")
    (current,) = await fatima.send("Sam naar voetbal brengen")
    await fatima.press(current, "Elke week")
    await fatima.press(current, "zaterdag")
    await fatima.press(current, "09:00")
    await fatima.press(current, "✅ Opslaan")
    await omar.press(telegram.messages_in(group.id)[-1], "Ja, dat doe ik")

    clock.advance(timedelta(minutes=20))
    transcript.chapter(_("Sam kiest zelf iemand die hij vertrouwt: trainer Bas. Fatima vindt het goed"))
    (question,) = await sam.send("/mentor")
    await sam.send("Trainer Bas")
    (question,) = await sam.send("Hij luistert echt naar me")
    await sam.press(question, "✅ Vraag het mijn ouders")
    clock.advance(timedelta(minutes=20))
    await fatima.press(telegram.messages_in(fatima.id)[-1], "✅ Ja, dat is goed")
    clock.advance(timedelta(minutes=10))
    await sam.press(telegram.messages_in(sam.id)[-1], "🔗 Maak de link")
    bas_token = dict(LINK.findall(telegram.messages_in(sam.id)[-1].text))["start"]
    clock.advance(timedelta(minutes=30))
    (invitation,) = await bas.send(f"/start {bas_token}")
    await bas.press(invitation, "Ja, ik doe mee")
    await fatima.press(telegram.messages_in(group.id)[-1], "✅ Ja, dit is Trainer Bas")

    clock.advance(timedelta(minutes=10))
    transcript.chapter(_("Sam zegt wat hij van een afspraak vindt. Alleen wie de kring regelt, ziet het"))
    *_others, football = await sam.send("/agreements")
    await sam.press(football, "💬 Wat vind jij ervan?")
    await sam.press(telegram.messages_in(sam.id)[-1], "👍 Dit helpt")

    clock.advance(timedelta(minutes=10))
    transcript.chapter(_("Oma gaat vroeg slapen: zij kiest haar eigen tijd zonder berichten"))
    (question,) = await ayse.send("/quiet")
    await ayse.press(question, question.button_texts()[1])  # 21:00–07:00

    clock.advance(timedelta(minutes=30))
    transcript.chapter(_("Als het misgaat: het gezin schrijft op wat het dan doet"))
    (menu,) = await fatima.send("/safetyplan")
    await fatima.press(menu, "Waaraan merk je het?")
    (menu,) = await fatima.send("Sam gaat niet meer naar school")
    await fatima.press(menu, "Wie we vragen")
    await fatima.press(menu, "Oma Ayşe")
    await fatima.press(menu, "Wanneer we de hulpverlener vragen")
    (menu,) = await fatima.send("Als het na twee weken niet beter gaat")
    await fatima.press(menu, "Klaar")

    clock.advance(timedelta(minutes=5))
    transcript.chapter(_("Fatima kiest wanneer Kring vraagt hoe het gaat"))
    (question,) = await fatima.send("/checkin", chat=group)
    await fatima.press(question, "Hoe vaak vraag ik hoe het gaat?")
    await fatima.press(question, "Om de week (tip)")
    await fatima.press(question, "zondag")
    await fatima.press(question, "19:00")
    clock.advance(timedelta(minutes=2))  # then, once, the figures for Anna: every other week
    await fatima.press(question, "Elke 2 weken (tip)")

    clock.advance(timedelta(minutes=5))
    transcript.chapter(_("Oma doet veel. Fatima vraagt Kring om ook haar af en toe te vragen hoe het gaat"))
    (question,) = await fatima.send("/checkin")
    await fatima.press(question, "🌱 Check-ins voor de mensen om jullie heen")
    await fatima.press(question, question.button_texts()[0])  # Oma Ayşe · uit
    await fatima.press(question, "Elke 3 weken (tip)")
    await pass_time(sandbox, clock.now() + timedelta(minutes=1))

    clock.advance(timedelta(days=1))
    transcript.chapter(_("Het plan: het gezin ziet alles, oma ziet haar deel"))
    plan = (await omar.send("/plan"))[-1]  # in Omar's language: the pictures below are too
    own_plan = (await ayse.send("/plan"))[-1]

    clock.advance(timedelta(minutes=5))
    transcript.chapter(_("Om naar te kijken: het plan als plaatje, op één A4 voor de koelkast, en in oma's agenda"))
    saved = [
        await _press_and_keep(omar, plan, label_in(family, "🖼 Als plaatje"), out_folder / "plan.png"),
        await _press_and_keep(omar, plan, label_in(family, "🖨 Om te printen"), out_folder / "koelkastplan.pdf"),
        await _press_and_keep(ayse, own_plan, label_in("tr", "📅 In mijn agenda"), out_folder / "oma-ayse.ics"),
    ]
    _tell_where(transcript, saved)

    clock.advance(timedelta(hours=1))
    transcript.chapter(_("Daniel, een vriend, heeft Telegram in het Engels"))
    await daniel.send("/start")
    choice = await daniel.send("/language")
    await daniel.press(choice[0], "Nederlands")

    clock.advance(timedelta(minutes=30))
    transcript.chapter(_("Wat Kring doet als het iets niet begrijpt"))
    await daniel.send("/wiedoetwat")
    await omar.send("Het gaat vandaag niet goed")  # in his own words, privately

    await pass_time(sandbox, datetime.fromisoformat("2026-11-28T10:00:00+01:00"))
    transcript.chapter(_("Fatima nodigt oom Karel uit. Iemand anders opent de link eerst. Fatima zegt nee"))
    (question,) = await fatima.send("/invite")
    await fatima.press(question, "Iemand om het gezin heen")
    (skip,) = await fatima.send("Oom Karel")
    await fatima.press(skip, "Overslaan")
    karel_link = dict(LINK.findall(skip.text))["start"]
    clock.advance(timedelta(minutes=20))
    (invitation,) = await rob.send(f"/start {karel_link}")  # the link was passed on by mistake
    await rob.press(invitation, "Ja, ik doe mee")
    clock.advance(timedelta(minutes=5))
    question = telegram.messages_in(group.id)[-1]
    await fatima.press(question, "Nee, iemand anders")
    await fatima.press(question, "🔗 Nieuwe link voor Oom Karel")
    clock.advance(timedelta(minutes=20))
    (invitation,) = await karel.send(f"/start {dict(LINK.findall(question.text))['start']}")
    await karel.press(invitation, "Ja, ik doe mee")
    clock.advance(timedelta(minutes=5))
    await fatima.press(telegram.messages_in(group.id)[-1], "✅ Ja, dit is Oom Karel")

    await pass_time(sandbox, datetime.fromisoformat("2026-11-29T18:30:00+01:00"))
    transcript.chapter(_("Zondagavond: de eerste check-in in de groep"))
    await pass_time(sandbox, datetime.fromisoformat("2026-11-29T19:05:00+01:00"))
    checkin = telegram.messages_in(group.id)[-1]
    await fatima.press(checkin, "😊 Goed")
    clock.advance(timedelta(minutes=10))
    await omar.press(checkin, "😟 Niet goed")
    await omar.press(telegram.messages_in(group.id)[-1], label_in(family, "✍️ Iets erbij schrijven"))
    prompt = telegram.messages_in(group.id)[-1]  # Telegram opens a reply to this for Omar
    await omar.send("Sam slaapt slecht en ik maak me zorgen.", chat=group, reply_to=prompt)

    await pass_time(sandbox, datetime.fromisoformat("2026-12-02T07:30:00+01:00"))
    transcript.chapter(_("Een week later: oma krijgt 's ochtends een herinnering"))
    await pass_time(sandbox, datetime.fromisoformat("2026-12-02T08:30:00+01:00"))
    clock.advance(timedelta(hours=8))
    await ayse.press(telegram.messages_in(ayse.id)[-1], label_in("tr", "Gedaan"))
    clock.advance(timedelta(minutes=20))
    await fatima.press(telegram.messages_in(group.id)[-1], "Bedankt!")

    clock.advance(timedelta(minutes=10))
    transcript.chapter(_("Fatima vraagt de kring om hulp. Niemand hoort wie nee zegt"))
    (question,) = await fatima.send("/ask")
    (question,) = await fatima.send("Wie kan zaterdag de boodschappen doen?")
    for button in ("Oma Ayşe", "Trainer Bas", "Verder", "3 dagen (tip)", "📣 Vraag het"):
        await fatima.press(question, button)
    await pass_time(sandbox, clock.now() + timedelta(minutes=20))
    await ayse.press(telegram.messages_in(ayse.id)[-1], label_in("tr", "Deze keer niet"))
    clock.advance(timedelta(minutes=40))
    await bas.press(telegram.messages_in(bas.id)[-1], "🙋 Ik doe het")
    await pass_time(sandbox, clock.now() + timedelta(minutes=1))

    await pass_time(sandbox, datetime.fromisoformat("2026-12-03T16:55:00+01:00"))
    transcript.chapter(_("Sam krijgt zijn eigen check-in, privé. Hij kiest zelf wat zijn ouders zien"))
    await pass_time(sandbox, datetime.fromisoformat("2026-12-03T17:05:00+01:00"))
    own_checkin = telegram.messages_in(sam.id)[-1]
    for answer in ("🙂 Goed", "😟 Niet goed", "🙂 Goed", "Met Trainer Bas", "School of werk: 🙂 Goed", "Klaar"):
        await sam.press(own_checkin, answer)
    await sam.press(own_checkin, "💬 Vertel het Trainer Bas")
    await pass_time(sandbox, clock.now() + timedelta(minutes=1))

    await pass_time(sandbox, datetime.fromisoformat("2026-12-03T18:30:00+01:00"))
    transcript.chapter(_("Donderdagavond: oma krijgt haar eigen check-in. Zij kiest wat het gezin ziet"))
    await pass_time(sandbox, datetime.fromisoformat("2026-12-03T19:05:00+01:00"))
    own_checkin = telegram.messages_in(ayse.id)[-1]
    await ayse.press(own_checkin, label_in("tr", "Ja"))
    await ayse.press(own_checkin, label_in("tr", "💬 Ik wil met het gezin praten"))
    await ayse.press(own_checkin, label_in("tr", "📣 Ja, laat het gezin weten"))
    (question,) = await ayse.send("Seve seve yapıyorum ama haftada iki kez bazen çok.")
    await ayse.press(question, label_in("tr", "Nee, alleen voor mij"))
    await pass_time(sandbox, clock.now() + timedelta(minutes=1))

    await pass_time(sandbox, datetime.fromisoformat("2026-12-09T07:30:00+01:00"))
    transcript.chapter(_("Nog een week later: het lukt oma niet, Omar springt in"))
    await pass_time(sandbox, datetime.fromisoformat("2026-12-09T08:30:00+01:00"))
    clock.advance(timedelta(hours=1))
    await ayse.press(telegram.messages_in(ayse.id)[-1], label_in("tr", "Lukt deze keer niet"))
    clock.advance(timedelta(minutes=30))
    await omar.press(telegram.messages_in(group.id)[-1], "Ik doe het")

    await pass_time(sandbox, datetime.fromisoformat("2026-12-13T18:30:00+01:00"))
    transcript.chapter(_("De volgende check-in kijkt eerst terug"))
    await pass_time(sandbox, datetime.fromisoformat("2026-12-13T19:05:00+01:00"))
    await fatima.press(telegram.messages_in(group.id)[-1], "😐 Zo-zo")

    clock.advance(timedelta(minutes=5))
    transcript.chapter(_("Fatima wil elke vier weken samen naar het plan kijken"))
    (question,) = await fatima.send("/checkin", chat=group)
    await fatima.press(question, "🔄 Samen naar het plan kijken")
    await fatima.press(question, "4 weken")

    await fly(sandbox, transcript, datetime.fromisoformat("2026-12-27T18:30:00+01:00"))
    transcript.chapter(_("Vier weken na de eerste check-in: past het plan nog?"))
    await pass_time(sandbox, datetime.fromisoformat("2026-12-27T19:05:00+01:00"))
    review = next(m for m in reversed(telegram.messages_in(group.id)) if _has_button(m, "🔄 Samen terugkijken"))
    await fatima.press(review, "🔄 Samen terugkijken")
    await fatima.send("Oma past elke week op. Dat helpt echt.")
    (screen,) = await fatima.send("Sam gaat weer elke dag naar school.")
    await fatima.press(screen, "Overslaan")
    while _has_button(screen, "Houden"):
        await fatima.press(screen, "Houden")
    await fatima.send("Een avond rust in de week.")
    offer = next(m for m in reversed(telegram.messages_in(group.id)) if _has_button(m, "Ja, vraag het ze"))
    await fatima.press(offer, "Ja, vraag het ze")
    await pass_time(sandbox, clock.now() + timedelta(minutes=5))
    asked = telegram.messages_in(ayse.id)[-1]
    for label in ("Ja", "Overslaan", "Ja, deel het"):
        await ayse.press(asked, label_in("tr", label))
    felt = next(m for m in reversed(telegram.messages_in(fatima.id)) if _has_button(m, "Een beetje"))
    for _kind in range(4):  # four kinds of support, one screen at a time
        for label in ("Ja", "Elke week", "Familie", "Klaar"):
            if _has_button(felt, label):
                await fatima.press(felt, label)
    await pass_time(sandbox, clock.now() + timedelta(minutes=5))
    saved = [await _press_and_keep(omar, plan, label_in(family, "📈 Hoe ging het?"), out_folder / "hoe-ging-het.png")]
    _tell_where(transcript, saved)

    await pass_time(sandbox, datetime.fromisoformat("2026-12-29T16:00:00+01:00"))
    transcript.chapter(_("Een zware week: Omar vraagt hulp uit het eigen plan"))
    (view,) = await omar.send("/askhelp", chat=group)
    await omar.press(view, view.button_texts()[0])  # 🙋 Oma Ayşe, in Omar's own language
    clock.advance(timedelta(minutes=10))
    await ayse.press(telegram.messages_in(ayse.id)[-1], label_in("tr", "🚶 Ik kom langs"))

    clock.advance(timedelta(hours=18))
    transcript.chapter(_("Het gaat nog steeds niet goed. Fatima vraagt zelf om contact met Anna"))
    (question,) = await fatima.send("/contact")
    await fatima.press(question, "Vandaag")
    (confirm,) = await fatima.send("Sam wil niet meer naar school. Kunt u bellen?")
    await fatima.press(confirm, "✉️ Versturen")
    clock.advance(timedelta(hours=1))
    await anna.press(telegram.messages_in(anna.id)[-1], "Ik bel vandaag")
    await anna.send("Ik bel je om 15:00.")

    clock.advance(timedelta(days=2))
    transcript.chapter(_("Het contact met oom Karel is niet goed. Fatima haalt hem uit de kring"))
    (members,) = await fatima.send("/members")
    await fatima.press(members, "Oom Karel")
    await fatima.press(members, "🚪 Uit de kring halen")
    await fatima.press(members, "Ja, haal Oom Karel uit de kring")
    await fatima.press(members, "🚫 Niet opnieuw uitnodigen")
    await karel.send("/plan")

    clock.advance(timedelta(hours=2))
    transcript.chapter(_("Wat bewaart Kring over mij? Oma krijgt het als bestand"))
    _intro, readable, _machine = await ayse.send("/mydata")
    assert readable.document is not None
    transcript.note(
        _("Het eerste stuk van het bestand om te lezen:")
        + "\n"
        + "\n".join("  " + line for line in readable.document[1].decode().splitlines()[:14])
        + "\n  …"
    )

    clock.advance(timedelta(minutes=30))
    transcript.chapter(_("Daniel doet niet mee. Hij laat alles over zichzelf wissen"))
    (question,) = await daniel.send("/forget")
    await daniel.press(question, "🗑 Alles over mij wissen")
    await daniel.press(question, "Ja, wis alles over mij")

    await fly(sandbox, transcript, datetime.fromisoformat("2027-02-19T09:30:00+01:00"), life_goes_on)
    transcript.chapter(_("Een week voor het einde: kijkt Anna langer mee?"))
    await pass_time(sandbox, datetime.fromisoformat("2027-02-19T10:05:00+01:00"))
    await fatima.press(telegram.messages_in(group.id)[-1], "Nee, het is goed zo")

    await pass_time(sandbox, datetime.fromisoformat("2027-02-21T18:30:00+01:00"))
    transcript.chapter(_("Het gaat beter. Het gezin zegt het in de check-in"))
    await pass_time(sandbox, datetime.fromisoformat("2027-02-21T19:05:00+01:00"))
    checkin = next(m for m in reversed(telegram.messages_in(group.id)) if _has_button(m, "😊 Goed"))
    await fatima.press(checkin, "😊 Goed")
    clock.advance(timedelta(minutes=10))
    await omar.press(checkin, "😊 Goed")

    await fly(sandbox, transcript, datetime.fromisoformat("2027-02-27T09:30:00+01:00"), life_goes_on)
    transcript.chapter(_("Anna kijkt niet meer mee. De kring gaat door"))
    await pass_time(sandbox, datetime.fromisoformat("2027-02-27T10:05:00+01:00"))


def _has_button(message: SentMessage, label: str) -> bool:
    """(In a group that reads two languages, "Goed" is the start of "Goed · جيد".)"""
    return any(text.split(" · ")[0] == label for text in message.button_texts())


async def _press_and_keep(user: FakeUser, message: SentMessage, button: str, path: Path) -> Path | None:
    """Press a button that sends a file, and save what came (nothing when it came as text)."""
    seen = len(user.telegram.messages_in(message.chat_id))
    await user.press(message, button)
    for sent in user.telegram.messages_in(message.chat_id)[seen:]:
        content = sent.photo if sent.photo is not None else sent.document[1] if sent.document else None
        if content is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
            return path
    return None


def _tell_where(transcript: Transcript, saved: list[Path | None]) -> None:
    files = [path for path in saved if path is not None]
    if files:
        transcript.note(
            _("Zelf bekijken? Deze bestanden staan nu op deze computer:")
            + "\n"
            + "\n".join(f"  {path.resolve()}" for path in files)
        )
    else:
        transcript.note(_("Plaatjes en PDF's maken lukt op deze computer niet; zie de README (lettertypen)."))


async def pass_time(sandbox: Sandbox, until: datetime, meanwhile: Callable[[], Awaitable[None]] | None = None) -> None:
    """Let the hours pass as the scheduler sees them: move the clock to each moment something is
    due (so messages are sent, and stamped, on time), and tick there; ``meanwhile`` is what people
    do after each step."""
    clock = sandbox.clock
    await sandbox.tick_if_due()
    while clock.now() < until:
        wake = sandbox.next_wake
        step = min(until, clock.now() + timedelta(hours=1), wake if wake > clock.now() else until)
        clock.advance(step - clock.now())
        await sandbox.tick_if_due()
        if meanwhile is not None:
            await meanwhile()


async def fly(
    sandbox: Sandbox, transcript: Transcript, until: datetime, meanwhile: Callable[[], Awaitable[None]] | None = None
) -> None:
    """Let days pass without printing each message; say how many there were."""
    transcript.flying, transcript.skipped = True, 0
    await pass_time(sandbox, until, meanwhile)
    transcript.flying = False
    transcript.note(
        ngettext(
            "… de tijd gaat door: {count} bericht van Kring, zoals gepland …",
            "… de tijd gaat door: {count} berichten van Kring, zoals gepland …",
            transcript.skipped,
        ).format(count=transcript.skipped)
    )
