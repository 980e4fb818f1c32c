"""``kring demo``: the product's shop window.

The real application (handlers, database, migrations) runs against the fake Telegram on
loopback with a simulated clock, and a scripted story is printed as people would see it on their
phones. Nothing goes over the internet, and only a temporary folder is used.
"""

from __future__ import annotations

import sys
import tempfile
import textwrap
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import TextIO

from bot.clock import SimulatedClock
from bot.config import Settings
from bot.fake_telegram import Event, FakeTelegram
from bot.i18n import _, format_datetime
from bot.sandbox import Sandbox

#: The story starts on a Monday morning in Amsterdam.
STORY_START = datetime.fromisoformat("2026-11-23T10:00:00+01:00")
WIDTH = 72


class Transcript:
    """Prints the conversation from the fake Telegram's point of view: who wrote what, where."""

    def __init__(self, telegram: FakeTelegram, clock: SimulatedClock, settings: Settings, out: TextIO) -> None:
        self.telegram = telegram
        self.clock = clock
        self.settings = settings
        self.out = out
        self.names: dict[int, str] = {}
        telegram.on_event = self.show

    def chapter(self, title: str) -> None:
        stamp = format_datetime(self.clock.now(), self.settings.timezone, format="EEEE d MMMM HH:mm")
        self.out.write(f"\n== {title} ({stamp})\n")

    def show(self, event: Event) -> None:
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
                wrapped = textwrap.wrap(line, WIDTH - 6) or [""]
                self.out.writelines(f"    {part}\n" for part in wrapped)
            if event.buttons:
                self.out.write("    " + " ".join(f"[{b}]" for b in event.buttons) + "\n")


async def run_demo(settings: Settings, *, keep: str | None = None, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="kring-demo-") as scratch:
        folder = Path(keep) if keep else Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        demo_settings = settings.with_overrides(database_url=f"sqlite+aiosqlite:///{folder / 'demo.sqlite3'}")
        clock = SimulatedClock(STORY_START)
        async with Sandbox(demo_settings, clock) as sandbox:
            transcript = Transcript(sandbox.telegram, clock, settings, out)
            out.write(_("Kring demo: de echte bot, een nep-Telegram op deze computer en een versnelde klok.") + "\n")
            await play_story(sandbox, transcript)
    seconds = time.monotonic() - started
    out.write("\n" + _("Klaar. De demo duurde {seconds} seconden.").format(seconds=f"{seconds:.1f}") + "\n")
    return 0


async def play_story(sandbox: Sandbox, transcript: Transcript) -> None:
    clock = sandbox.clock
    fatima = sandbox.user(101, "Fatima", language_code="nl")
    daniel = sandbox.user(102, "Daniel", language_code="en-GB")
    ayse = sandbox.user(103, "Ayşe", language_code="tr")
    for person in (fatima, daniel, ayse):
        transcript.names[person.id] = _("privé met {name}").format(name=person.name)

    transcript.chapter(_("Fatima, de moeder, opent Kring voor het eerst"))
    await fatima.send("/start")
    clock.advance(timedelta(minutes=2))
    await fatima.send("/privacy")
    clock.advance(timedelta(minutes=1))
    await fatima.send("/help")

    clock.advance(timedelta(hours=3))
    transcript.chapter(_("Daniel, de buurman, heeft Telegram in het Engels"))
    await daniel.send("/start")
    clock.advance(timedelta(minutes=1))
    choice = await daniel.send("/language")
    await daniel.press(choice[0], "Nederlands")
    await daniel.send("/help")

    clock.advance(timedelta(days=1))
    transcript.chapter(_("Oma Ayşe heeft Telegram in het Turks. Turks komt later; tot dan krijgt ze Nederlands"))
    await ayse.send("/start")

    clock.advance(timedelta(hours=2))
    transcript.chapter(_("Wat Kring doet als het iets niet begrijpt"))
    await fatima.send("/wiedoetwat")
    await fatima.send("Het gaat vandaag niet goed")
