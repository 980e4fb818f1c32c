"""``kring demo``: the story runs on the real application and shows what people would see."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from icalendar import Calendar
from PIL import Image

from bot.config import load_settings
from bot.i18n import gettext, use_language
from sandbox.demo import run_demo
from tests.test_plan_files import read_pdf


def turkish(dutch: str, **values: str) -> str:
    """What the grandmother, whose Telegram is in Turkish, reads."""
    with use_language("tr"):
        return gettext(dutch).format(**values)


async def test_the_demo_story_shows_the_journey_so_far(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = io.StringIO()
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))  # (another demo on this machine must not count)
    before = set(Path(tempfile.gettempdir()).glob("kring-demo-*"))
    status = await run_demo(
        load_settings({"KRING_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/unused.db"}),
        out=out,
        out_folder=tmp_path / "out",
    )
    story = out.getvalue()
    assert status == 0
    steps = (
        "Welkom, Anna de Vries. Je bent nu aangemeld als hulpverlener.",  # the professional is registered
        "De kring Gezin Jansen is klaar.",  # /new
        "Hallo allemaal! Ik ben Kring.",  # the family's group
        "Fatima regelt de kring.",  # the parent who got the links leads the circle
        "Omar wil meedoen als gezin. Woont Omar bij jullie in huis?",  # a newcomer is confirmed ...
        "Welkom, Omar! Je doet nu mee als gezin.",
        turkish(
            "{inviter} nodigt je uit voor de kring van {circle}.", inviter="Fatima", circle="Gezin Jansen"
        ),  # invited, in Turkish ...
        "Het Telegram-account Ayşe opende de link voor Oma Ayşe.",  # ... the family checks
        "✅ Oma Ayşe doet nu mee.",
        "Rob doet niet mee. De link voor Oom Karel werkt niet meer.",  # a passed-on link: refused ...
        "✅ Oom Karel doet nu mee.",  # ... and the real uncle gets a fresh one
        "Je doet niet meer mee in de kring van Gezin Jansen.",  # someone taken out hears only that
        "Zit Oom Karel ook in jullie Telegram-groep?",
        turkish(
            "{doer}, {name} vraagt of jij dit wilt doen:", doer="Oma Ayşe", name="Fatima"
        ),  # an agreement is proposed ...
        "Oma Ayşe zegt ja: Oppassen. Dank je wel!",  # ... and accepted
        "2. Vraag de hulpverlener: Als het na twee weken niet beter gaat",  # the plan for when it goes wrong
        turkish("Als het misgaat, kan het gezin jou om hulp vragen."),  # what the grandmother sees of it
        "Hello! I am Kring.",  # Daniel's app is in English
        "Klaar. Ik schrijf je vanaf nu in het Nederlands.",
        "Dat commando ken ik niet.",
        "maandag 23 november 10:00",  # the simulated clock, in Babel's Dutch
        "⏰ " + turkish("Herinnering: {what}", what="Oppassen"),  # weeks later: the reminder ...
        "💛 "
        + turkish("{name} zegt: dank je wel voor {what}!", name="Fatima", what="Oppassen"),  # ... done, and thanked
        "Omar, Oma Ayşe kan deze keer niet: Oppassen",  # can't this time: the backup is asked
        "✅ Omar springt in: Oppassen.",
        "Goed. Oma Ayşe krijgt elke 3 weken een korte check-in.",  # a check-in for the grandmother ...
        "🌱 "
        + turkish("{name}, hoe gaat het met jou in de kring van {circle}?", name="Oma Ayşe", circle="Gezin Jansen")[
            :40
        ],
        "🌱 Oma Ayşe wil graag met jullie praten over hoe het gaat.",  # ... she asked Kring to tell the family
        "🌱 Oma Ayşe: contact met het gezin: ja, wil graag met jullie praten",  # ... the shared part, looked back at
        "Dank je wel, Fatima.",  # check-ins in the group (the first one looks not back) ...
        "Dank je wel, Omar. Ik stuur je privé wat je nu kunt doen.",  # ... a hard moment: help privately
        "[🆘 Hulp vragen] [☎️ Hulplijnen]",  # privately, to Omar
        "Vorige keer: 😊 Goed: 1, 😟 Niet goed: 1",  # ... and the next one looks back
        "Afspraken sinds de vorige keer: 1 gedaan, 1 door iemand die",
        "✍️ Omar: “Sam slaapt slecht en ik maak me zorgen.”",  # a few words with an answer, read back
        turkish("Goed. Van {span} stuur ik je niets.", span=turkish("{start} tot {end}", start="21:00", end="07:00")),
        "… de tijd gaat door:",  # days pass quietly ...
        "🔄 Past het plan nog?",  # ... until the plan is looked at, four weeks after the first check-in
        "🫶 Dit ziet Anna de Vries vandaag:",  # the pulse the family chose, exactly as the professional sees it
        "🙋 "
        + turkish(
            "{name} van {circle} vraagt je om hulp. Het gaat nu niet goed. Kun je bellen of langskomen?",
            name="Omar",
            circle="Gezin Jansen",
        )[:40],  # a hard week: the family's own plan first ...
        "🚶 Oma Ayşe komt langs bij Omar.",
        "📞 Vraag om contact: Gezin Jansen",  # ... then, on request, the former professional
        "📞 Anna de Vries antwoordt Fatima: Ik bel je vandaag.",
        "Anna de Vries kijkt nog mee tot 26 februari 2027.",  # the end of the follow-up
        "🌱 Anna de Vries kijkt niet meer mee.",
        "Contact met de organisatie: Jeugdteam Noord",
        turkish("Dit is alles wat Kring over jou bewaart. Eén bestand om te lezen, en één voor een computer (JSON).")[
            :40
        ],
        "📎 kring-2027-01-01.txt",  # her data, as a file to read ...
        "📎 kring-2027-01-01.json",  # ... and one for a computer
        "🖼 Het plan als plaatje.",  # the plan to look at ...
        "📎 kring-plan-2026-11-27.pdf",  # ... to print ...
        "📎 kring-afspraken.ics",  # ... and in the grandmother's calendar
        "Zelf bekijken? Deze bestanden staan nu op deze computer:",
        str((tmp_path / "out" / "koelkastplan.pdf").resolve()),
        "🖼 Zo ging het de laatste drie maanden.",  # how it went, at the review moment
        "Dit gebeurt als je alles over jou wist:",  # Daniel erases himself, in two steps
        "Klaar. Alles over jou is gewist.",
    )
    assert [step for step in steps if step not in story] == []
    family_look_back = story.split("== De volgende check-in kijkt eerst terug")[1].split("==")[0]
    assert "Oma Ayşe: contact met het gezin" in family_look_back
    assert "Seve seve" not in family_look_back  # her words stayed hers (she sees them in her own data)
    grandmothers_plan = story.split("Ayşe → Kring (privé met Ayşe): /plan")[1].split("==")[0]
    assert "Oppassen" in grandmothers_plan and "Sam gaat niet meer naar school" not in grandmothers_plan
    assert set(Path(tempfile.gettempdir()).glob("kring-demo-*")) == before  # nothing left behind ...
    assert_demo_files(tmp_path / "out")  # ... but the files it said it wrote
    assert not (tmp_path / "unused.db").exists()  # the demo never touches the configured database
    assert_little_to_read(story)


@dataclass
class Said:
    """One message from Kring in the transcript: where, after what, on which day, and its text."""

    where: str
    after: str
    day: str
    text: str
    buttons: str


def messages(story: str) -> list[Said]:
    said: list[Said] = []
    day = after = ""
    current: Said | None = None
    for line in story.splitlines():
        if line.startswith("== "):
            day = " ".join(line.rsplit("(", 1)[1].split()[:3])  # "(zondag 29 november 19:00)"
        elif line.startswith("  ") and " → Kring (" in line:
            after, current = line.split(": ", 1)[1], None
        elif line.startswith("  Kring") and line.endswith(":") and " → " in line:
            current = Said(line.split(" → ", 1)[1][:-1], after, day, "", "")
            said.append(current)
        elif current is not None and line.startswith("    ["):
            current.buttons = line.strip()
        elif current is not None and line.startswith("    "):
            current.text += " " + line.strip()
        else:
            current = None
    return said


def assert_little_to_read(story: str) -> None:
    """Issue 20's measures, on what people see: at most 60 words in a message (except /help, /privacy
    and the plan itself), the helplines block at most once a day in the group, five taps for an
    agreement whose defaults fit."""
    said = messages(story)
    assert len(said) > 150
    long = [
        (n, m.text[:50])
        for m in said
        if (n := len(re.findall(r"[^\W\d_]+", re.sub(r"https?://\S+|/\w+", "", m.text)))) > 60
        and not m.after.startswith(("/help", "/privacy", "/plan"))
    ]
    assert long == []
    blocks = [m.day for m in said if m.where.startswith("groep") and "Bel 112" in m.text]
    assert len(blocks) == len(set(blocks)), blocks
    five = story.split("== Nog een afspraak, in vijf keer drukken")[1].split("==")[0]
    assert five.count("Fatima drukt op") == 5 and "Fatima → Kring (privé met Fatima): /newagreement" in five


def assert_demo_files(folder: Path) -> None:
    """The picture, the printable plan, the calendar and how it went: each opens with its own reader."""
    assert sorted(p.name for p in folder.iterdir()) == [
        "hoe-ging-het.png",
        "koelkastplan.pdf",
        "oma-ayse.ics",
        "plan.png",
    ]
    for picture in ("plan.png", "hoe-ging-het.png"):
        with Image.open(folder / picture) as image:
            assert image.format == "PNG" and image.width == 1080
    text, pages, _glyphs = read_pdf((folder / "koelkastplan.pdf").read_bytes())
    assert pages == 1 and "Gezin Jansen" in text and "Oma Ayşe" in text and "Oppassen" in text
    (event,) = Calendar.from_ical((folder / "oma-ayse.ics").read_bytes()).walk("VEVENT")
    assert str(event["SUMMARY"]) == "Oppassen" and event["RRULE"]["BYDAY"] == ["WE"]


async def test_the_demo_in_two_languages(tmp_path: Path) -> None:
    out = io.StringIO()
    settings = load_settings({"KRING_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/unused.db"})
    assert await run_demo(settings, out=out, language="ar", out_folder=tmp_path / "out") == 0
    story = " ".join(out.getvalue().split())  # (the transcript wraps long lines)
    assert "Goed. In deze groep schrijf ik in het Nederlands en in het Arabisch." in story
    with use_language("ar"):
        assert (
            gettext("Hoe gaat het met jullie? Iedereen van het gezin kan zelf antwoorden.") in story
        )  # the group reads Arabic too
    with use_language("tr"):
        assert gettext("Herinnering: {what}").format(what="Oppassen") in story  # the grandmother reads Turkish
    text, _pages, _glyphs = read_pdf((tmp_path / "out" / "koelkastplan.pdf").read_bytes())
    assert re.search("[\u0600-\u06ff]", text)  # Omar's plan to print is in Arabic


@pytest.mark.parametrize("args", [["demo"], []], ids=["kring demo", "kring without a token"])
def test_kring_demo_runs_as_a_command(tmp_path: Path, args: list[str]) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KRING_")}
    result = subprocess.run(
        [sys.executable, "-m", "bot", *args], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert "Klaar. De demo duurde" in result.stdout
    assert result.stderr == ""
    # no database or data folder left in the working folder: only what the demo says it wrote
    assert [p.name for p in tmp_path.iterdir()] == ["kring-demo"]
    assert_demo_files(tmp_path / "kring-demo")
