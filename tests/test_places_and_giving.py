"""Places to turn to and help both ways (issue 22, points 4 and 5), over the fake Bot API: the
organisation's places reach only a family with few people that asks for more, and never instead
of their own; the family records what they do for others, thanks go to the family, and the next
check-in looks back on both."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.cli import main
from bot.db.models import Circle, GivenBack, Member, MemberRole
from bot.services import places
from sandbox.harness import Sandbox
from tests.journey import (
    GROUP_ID,
    STALE,
    family_group,
    join_young,
    new_circle,
    register_professional,
    set_up_circle,
)
from tests.test_checkins import checkins_in
from tests.test_rhythm import run_hours

EXAMPLE = Path(__file__).resolve().parent.parent / "docs" / "places.example.json"
NEARBY = "🏡 Hulp in de buurt"


def use_places(sandbox: Sandbox, path: Path | None = EXAMPLE) -> None:
    sandbox.runtime.settings = sandbox.runtime.settings.with_overrides(places_file=path)


async def test_a_family_with_nobody_is_offered_places_after_their_own_people(sandbox: Sandbox) -> None:
    anna = sandbox.user(900, "Anna")
    await register_professional(sandbox, anna)
    fatima, _greeting = await family_group(sandbox, await new_circle(anna))

    (without,) = await fatima.send("/askhelp")  # no file: nothing new
    assert NEARBY not in without.button_texts()

    use_places(sandbox)
    (view,) = await fatima.send("/askhelp")
    assert "Wie kun je vandaag bellen of appen?" in view.text  # their own people first
    assert view.button_texts().index(NEARBY) == 0
    await fatima.press(view, NEARBY)
    shown = sandbox.telegram.messages_in(fatima.id)[-1]
    assert shown.text.startswith("Jullie eigen mensen blijven het belangrijkst.")
    for name in ("Buurtgezinnen", "Steunouder", "Home-Start"):
        assert name in shown.text
    assert "www.home-start.nl" in shown.text and "Ik stuur hun niets." in shown.text


async def test_a_circle_with_people_around_it_is_not_shown_places(sandbox: Sandbox) -> None:
    c = await set_up_circle(sandbox)  # Oma Ayşe and Buurman Kees
    use_places(sandbox)
    (view,) = await c.fatima.send("/askhelp")
    assert NEARBY not in view.button_texts()
    # a button from before (or forged) is refused, and the network never sees the list
    async with sandbox.runtime.sessions() as session:
        circle_id = await session.scalar(select(Circle.id))
    assert (await c.fatima.press(view, NEARBY, data=f"plc:{circle_id}"))["text"] == STALE
    assert (await c.kees.press(view, NEARBY, data=f"plc:{circle_id}"))["text"] == STALE


def test_places_in_each_language_fall_back_to_the_default_and_then_dutch() -> None:
    (place,) = places.parse(
        {"places": [{"name": "Buurtgezinnen", "offer": {"nl": "Hulp", "en": "Help"}, "reach": "www.example.nl"}]}
    )
    assert place.text("offer", "en") == "Help"
    assert place.text("offer", "ar") == "Hulp"  # no Arabic: Dutch
    assert place.text("offer", "ar", default_language="en") == "Help"
    assert place.text("reach", "tr") == "www.example.nl"  # one text for every language


def test_a_broken_places_file_names_every_problem() -> None:
    with pytest.raises(places.PlacesError) as raised:
        places.parse({"places": [{"name": "", "offer": {"xx": "Hulp"}, "reach": "x" * 201, "phone": "1"}]})
    problems = raised.value.problems
    assert any("onbekend veld phone" in p for p in problems)
    assert any("places[1].name" in p for p in problems)
    assert any("de taal xx ken ik niet" in p for p in problems)
    assert any("hoogstens 200 tekens" in p for p in problems)
    with pytest.raises(places.PlacesError):
        places.parse({"places": []})


def test_kring_places_check(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["places", "check", str(EXAMPLE)]) == 0
    out = capsys.readouterr().out
    assert "- Buurtgezinnen (en, nl)" in out and "Dit bestand klopt: 3 plekken." in out

    toml = tmp_path / "places.toml"
    toml.write_text(
        '[[places]]\nname = "Home-Start"\noffer = { nl = "Een ouder komt langs." }\nreach = "www.home-start.nl"\n'
    )
    assert main(["places", "check", str(toml)]) == 0
    assert "Dit bestand klopt: 1 plek." in capsys.readouterr().out

    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps({"places": [{"name": "X", "offer": "", "reach": "Y"}]}))
    assert main(["places", "check", str(broken)]) == 2
    assert "places[1].offer: de tekst is leeg." in capsys.readouterr().err


def test_kring_run_refuses_a_broken_places_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    broken = tmp_path / "places.json"
    broken.write_text("{")
    monkeypatch.setenv("KRING_PLACES_FILE", str(broken))
    monkeypatch.setenv("KRING_BOT_TOKEN", "123456:" + "A" * 35)
    assert main(["run"]) == 2
    assert capsys.readouterr().err.startswith("KRING_PLACES_FILE: Dit is geen geldige JSON of TOML")
    monkeypatch.setenv("KRING_PLACES_FILE", str(tmp_path / "missing.json"))
    assert main(["run"]) == 2
    assert "KRING_PLACES_FILE: Het bestand" in capsys.readouterr().err


async def test_help_goes_both_ways_and_the_look_back_mentions_it(sandbox: Sandbox) -> None:
    c = await set_up_circle(sandbox)
    (question,) = await c.fatima.send("/checkin", chat=c.group)
    await c.fatima.press(question, "Hoe vaak vraag ik hoe het gaat?")
    await c.fatima.press(question, "Om de week (tip)")
    await c.fatima.press(question, "zondag")
    await c.fatima.press(question, "19:00")
    assert checkins_in(await run_hours(sandbox, 24 * 7, GROUP_ID))  # the first: nothing to look back on

    # the family records what they did for someone around them, and for someone outside the circle
    (ask,) = await c.fatima.send("/given")
    assert ask.text.startswith("Hulp gaat twee kanten op. Wat deden jullie voor een ander?")
    (whom,) = await c.fatima.send("Boodschappen voor Kees")
    assert whom.text == "Voor wie was het?"
    assert whom.button_texts() == ["Oma Ayşe", "Buurman Kees", "Iemand anders", "Overslaan"]
    await c.fatima.press(whom, "Buurman Kees")
    assert whom.text == "🤝 Mooi. Ik noem het bij de volgende check-in."
    (ask,) = await c.omar.send("/given")
    (whom,) = await c.omar.send("Hond uitgelaten")
    await c.omar.press(whom, "Iemand anders")
    (saved,) = await c.omar.send("Mevrouw Bakker")
    assert saved.text.startswith("🤝 Mooi.")
    async with sandbox.runtime.sessions() as session:
        given = list(await session.scalars(select(GivenBack).order_by(GivenBack.id)))
        kees = await session.scalar(select(Member).where(Member.role == MemberRole.NETWORK).order_by(Member.id.desc()))
    assert [(g.what, g.for_member_id, g.for_name) for g in given] == [
        ("Boodschappen voor Kees", kees.id if kees else None, None),
        ("Hond uitgelaten", None, "Mevrouw Bakker"),
    ]
    (refused,) = await c.kees.send("/given")  # the people around the family do not record it
    assert refused.text == "Dit kan alleen het gezin."

    # Kees thanks the family: only after his own tap, once a day
    before = len(sandbox.telegram.messages_in(GROUP_ID))
    (offer,) = await c.kees.send("/thanks")
    assert offer.text == "Wil je het gezin bedanken? Ik stuur hun een bedankje van jou."
    await c.kees.press(offer, "💐 Stuur het bedankje")
    assert offer.text == "💐 Verstuurd. Dank je wel!"
    await run_hours(sandbox, 1, GROUP_ID)
    assert (
        sandbox.telegram.messages_in(GROUP_ID)[-1].text == "💐 Buurman Kees bedankt jullie voor alles wat jullie doen."
    )
    (again,) = await c.kees.send("/thanks")
    await c.kees.press(again, "💐 Stuur het bedankje")
    assert again.text == "Je bedankje van vandaag is al verstuurd."
    (not_family,) = await c.fatima.send("/thanks")
    assert not_family.text == "Het gezin bedanken kan iemand om het gezin heen, of de jongere."
    assert len(sandbox.telegram.messages_in(GROUP_ID)) == before + 1

    (second,) = checkins_in(await run_hours(sandbox, 24 * 14, GROUP_ID))
    assert "🤝 Jullie deden 2 keer iets voor een ander." in second[1].text
    assert "💐 Jullie kregen 1 bedankje." in second[1].text
    assert "Mevrouw Bakker" not in second[1].text and "Hond" not in second[1].text  # counts only


async def test_the_young_person_thanks_their_parents_in_their_own_words(sandbox: Sandbox) -> None:
    c = await set_up_circle(sandbox)
    sam = await join_young(sandbox, c.fatima, 5, "Sam", "Sam")
    (offer,) = await sam.send("/thanks")
    assert offer.text == "Wil je je ouders bedanken? Ik stuur ze een bedankje van jou."
    await sam.press(offer, "💐 Stuur het bedankje")
    await run_hours(sandbox, 1, GROUP_ID)
    assert sandbox.telegram.messages_in(GROUP_ID)[-1].text == "💐 Sam bedankt jullie voor alles wat jullie doen."
