"""The plan to look at: a picture of the circle, the printable A4 plan, calendar entries and a
picture of how it went — end to end over the fake Bot API, rendered for real (WeasyPrint, PDFium)
and read back with independent readers: pdfminer for the PDF's text layer and fonts, Pillow for
the pictures, recurring-ical-events for the calendar's recurrence."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import unicodedata
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import recurring_ical_events
from babel.messages.pofile import read_po
from icalendar import Calendar
from pdfminer.high_level import extract_pages
from pdfminer.layout import LTChar, LTItem
from PIL import Image

from bot.db.models import (
    Agreement,
    AgreementOccurrence,
    AgreementStatus,
    CheckinAnswerKind,
    Circle,
    Frequency,
    Member,
    MemberRole,
    PlanStep,
    Schedule,
    StepKind,
    SupportKind,
    WarningSign,
)
from bot.handlers import plan_pictures
from bot.handlers.flood import FloodGuard
from bot.i18n import _, available_languages, locales_dir, use_language
from bot.plan_files import calendar, fonts, layout, render
from bot.services import authz, how_it_went, people
from bot.services.agreements import AgreementView
from bot.services.authz import Action, Role
from bot.services.occurrences import occurrences_between, rhythm_of
from bot.services.plan_view import PlanView, plan_for
from bot.services.safety_plan import SafetyPlan, StepView
from bot.texts import not_an_emergency_service
from sandbox.demo import pass_time
from sandbox.fake_telegram import FakeUser, SentMessage
from sandbox.harness import Sandbox
from scheduler.planner import reminder_time
from tests.journey import (
    GROUP_ID,
    STALE,
    family_group,
    join_household,
    join_network,
    make_agreement,
    new_circle,
    set_up_circle,
)

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
PICTURE = "🖼 Als plaatje"
PRINT = "🖨 Om te printen"
CALENDAR = "📅 In mijn agenda"
HOW_IT_WENT = "📈 Hoe ging het?"


# -- independent readers ------------------------------------------------------------------------


def _chars(item: LTItem) -> Iterator[LTChar]:
    if isinstance(item, LTChar):
        yield item
    elif hasattr(item, "__iter__"):
        for child in item:  # type: ignore[attr-defined]
            yield from _chars(child)


def read_pdf(content: bytes) -> tuple[str, int, list[tuple[str, str]]]:
    """(all text, number of pages, (character, font name) of every glyph), read by pdfminer."""
    pages = list(extract_pages(io.BytesIO(content)))
    glyphs = [(char.get_text(), char.fontname) for page in pages for char in _chars(page)]
    return "".join(text for text, _font in glyphs), len(pages), glyphs


def family_of(pdf_font_name: str) -> str | None:
    """WeasyPrint names an embedded font "ABCDEF+Noto-Sans-Arabic" (a subset of that family)."""
    name = pdf_font_name.split("+", 1)[-1].replace("-", " ")
    matches = [family for family in fonts.FAMILIES if name == family or name.startswith(family + " ")]
    return max(matches, key=len) if matches else None


def assert_every_glyph_covered(glyphs: list[tuple[str, str]]) -> None:
    """Each character was drawn with one of Kring's fonts, and that font has it: no boxes."""
    files = fonts.font_files()
    for text, font_name in glyphs:
        family = family_of(font_name)
        assert family is not None, f"{text!r} drawn with a font that is not ours: {font_name}"
        for char in text:
            if not char.isspace():
                assert ord(char) in fonts.characters_of(files[family]), f"{char!r} (U+{ord(char):04X}) not in {family}"


#: Lam and alef: Arabic draws "لا" / "لأ" as one glyph, whose two letters a reader may give back in
#: either order; they are left out when comparing.
LAM_ALEF = set("لاأإآ")


def plain(text: str) -> str:
    """Text as comparable in a PDF's text layer: without spaces, joiners, direction marks and
    combining marks (none of which are glyphs of their own), without punctuation (which a reader
    puts on either side of a right-to-left word), and without lam and alef."""
    return "".join(c for c in text if not c.isspace() and unicodedata.category(c)[0] not in "CMP" and c not in LAM_ALEF)


def assert_contains(text: str, *names: str) -> None:
    """Every word of each name is in the text layer; pdfminer gives right-to-left words in the order
    they are drawn (reversed), so such a word may be found backwards."""
    flat = plain(text)
    for name in names:
        for word in filter(None, map(plain, name.split())):
            assert word in flat or word[::-1] in flat, (name, word)


@pytest.fixture
def rendered(monkeypatch: pytest.MonkeyPatch) -> list[render.Pdf]:
    """Every PDF Kring renders, also the one each picture is drawn from (to read its text)."""
    made: list[render.Pdf] = []
    real = render.write

    def keep(laid: render.Laid, *, scale: float = 1.0) -> render.Pdf:
        result = real(laid, scale=scale)
        made.append(result)
        return result

    monkeypatch.setattr(render, "write", keep)
    return made


async def press_under_plan(user: FakeUser, button: str, *, chat_id: int | None = None) -> SentMessage:
    chat = user.telegram.chats[chat_id] if chat_id is not None else None
    plan = (await user.send("/plan", chat=chat))[-1]
    seen = len(user.telegram.messages_in(plan.chat_id))
    await user.press(plan, button)
    (made,) = user.telegram.messages_in(plan.chat_id)[seen:]
    return made


def open_picture(message: SentMessage) -> Image.Image:
    assert message.photo is not None, message.text
    image = Image.open(io.BytesIO(message.photo))
    image.load()
    assert image.format == "PNG" and image.width == render.PICTURE_WIDTH * render.PICTURE_SCALE
    return image


# -- end to end ---------------------------------------------------------------------------------


async def _circle_with_a_plan(sandbox: Sandbox):  # type: ignore[no-untyped-def]
    c = await set_up_circle(sandbox)
    await make_agreement(c.fatima, "Buurman Kees", "Fietsen maken", kind="💡 advies")
    await c.kees.press(sandbox.telegram.messages_in(4)[-1], "Ja, dat doe ik")
    await make_agreement(c.fatima, "Oma Ayşe", "Boodschappen", backup="Omar")
    await c.ayse.press(sandbox.telegram.messages_in(3)[-1], "Ja, dat doe ik")
    await make_agreement(
        c.fatima, "Oma Ayşe", "Meegaan naar de dokter", when=("Als het nodig is",), visibility="family"
    )
    await c.ayse.press(sandbox.telegram.messages_in(3)[-1], "Ja, dat doe ik")
    await add_someone_to_ask(c.fatima, "Meester Bram", "06 12345678")
    return c


async def add_someone_to_ask(coordinator: FakeUser, name: str, phone: str) -> None:
    """In "als het misgaat": someone outside the circle to ask, with a phone number."""
    (menu,) = await coordinator.send("/safetyplan")
    await coordinator.press(menu, "Wie we vragen")
    await coordinator.press(menu, "Iemand anders")
    await coordinator.send(name)
    await coordinator.send(phone)
    await coordinator.press(coordinator.telegram.messages_in(coordinator.id)[-1], "Klaar")


async def test_a_coordinator_gets_the_picture_and_the_printable_plan(
    sandbox: Sandbox, rendered: list[render.Pdf]
) -> None:
    c = await _circle_with_a_plan(sandbox)

    picture = await press_under_plan(c.fatima, PICTURE)
    image = open_picture(picture)
    assert image.height > 1000 and picture.text == "Het plan als plaatje. Bewaar het op je telefoon."
    text, pages, glyphs = read_pdf(rendered[-1].content)
    assert_contains(
        text,
        "Gezin Jansen",
        "Fatima",
        "Omar",
        "Oma Ayşe",
        "Buurman Kees",
        "Fietsen maken",
        "Boodschappen",
        "Meegaan naar de dokter",
        "Meester Bram",
        "06 12345678",
        "112",
        "0800-0113",
    )
    assert_every_glyph_covered(glyphs)

    printable = await press_under_plan(c.fatima, PRINT)
    assert printable.document is not None and printable.document[0] == "kring-plan-2026-11-23.pdf"
    text, pages, glyphs = read_pdf(printable.document[1])
    assert pages == 1
    assert_contains(
        text, "Gezin Jansen", "Oma Ayşe", "Buurman Kees", "Fietsen maken", "Meester Bram", "06 12345678", "112"
    )
    assert_every_glyph_covered(glyphs)


async def test_a_network_member_sees_only_their_own_part_and_gets_a_calendar(
    sandbox: Sandbox, rendered: list[render.Pdf]
) -> None:
    c = await _circle_with_a_plan(sandbox)

    open_picture(await press_under_plan(c.ayse, PICTURE))
    text, _pages, glyphs = read_pdf(rendered[-1].content)
    assert_contains(text, "Oma Ayşe", "Boodschappen", "Meegaan naar de dokter", "112")
    for not_hers in ("Buurman Kees", "Fietsen maken", "Meester Bram", "12345678", "Fatima"):
        assert plain(not_hers) not in plain(text), not_hers
    assert_every_glyph_covered(glyphs)

    entries = await press_under_plan(c.ayse, CALENDAR)
    assert entries.document is not None and entries.document[0] == "kring-afspraken.ics"
    calendar = Calendar.from_ical(entries.document[1])
    events = list(calendar.walk("VEVENT"))
    assert [str(e["SUMMARY"]) for e in events] == ["Boodschappen"]  # "when needed" has no moment
    assert "Omar" not in entries.document[1].decode() and "Jansen" not in entries.document[1].decode()
    start, end = sandbox.clock.now(), sandbox.clock.now() + timedelta(weeks=9)
    from_calendar = [o.start for o in recurring_ical_events.of(calendar).between(start, end)]
    assert [o.astimezone(AMSTERDAM).strftime("%a %H:%M") for o in from_calendar] == ["Wed 15:00"] * 9
    (alarm,) = events[0].walk("VALARM")
    assert alarm.decoded("TRIGGER") == -timedelta(hours=7)  # Kring reminds at 08:00 that morning

    # and the calendar's moments are Kring's own: the reminders come for exactly those
    await pass_time(sandbox, end)
    async with sandbox.runtime.sessions() as session:
        from sqlalchemy import select

        planned = sorted(
            o.occurs_at
            for o in await session.scalars(select(AgreementOccurrence).where(AgreementOccurrence.agreement_id == 2))
        )
    assert [p.replace(tzinfo=from_calendar[0].tzinfo) if p.tzinfo is None else p for p in planned][:9] == from_calendar


async def _how_it_went(sandbox: Sandbox) -> how_it_went.HowItWent:
    async with sandbox.runtime.sessions() as session:
        fatima = await people.find(session, 1)
        assert fatima is not None
        access = await authz.authorize(session, fatima.id, 1, Action.VIEW_HOW_IT_WENT)
        return await how_it_went.collect(session, access, sandbox.clock.now())


async def test_only_coordinators_see_how_it_went(sandbox: Sandbox, rendered: list[render.Pdf]) -> None:
    c = await _circle_with_a_plan(sandbox)
    checkin = (await c.fatima.send("/checkin", chat=c.group))[0]
    await c.fatima.press(checkin, "Nu een check-in")
    await sandbox.tick()
    await c.omar.press(sandbox.telegram.messages_in(GROUP_ID)[-1], "😟 Niet goed")
    asked_at = sandbox.clock.now()
    assert (await _how_it_went(sandbox)).rounds[0].no_answer == 0  # Fatima may still answer today

    await pass_time(sandbox, datetime(2026, 11, 25, 7, 5, tzinfo=UTC))  # Wednesday 08:05 in Amsterdam
    reminder = sandbox.telegram.messages_in(c.ayse.id)[-1]
    await c.ayse.press(reminder, "Gedaan")  # Boodschappen; Kees says nothing about Fietsen maken
    await pass_time(sandbox, datetime(2026, 11, 27, 12, 0, tzinfo=UTC))
    went = await _how_it_went(sandbox)
    assert [(r.occurs_at, dict(r.answers), r.no_answer) for r in went.rounds] == [
        (asked_at, {CheckinAnswerKind.NOT_GOOD: 1}, 1)
    ]
    assert [(a.doer, a.what, a.done, a.by_backup, a.not_done, a.unknown) for a in went.agreements] == [
        ("Buurman Kees", "Fietsen maken", 0, 0, 0, 1),
        ("Oma Ayşe", "Boodschappen", 1, 0, 0, 0),
    ]

    picture = await press_under_plan(c.fatima, HOW_IT_WENT)
    open_picture(picture)
    assert picture.text.startswith("Zo ging het de laatste drie maanden.")
    text, _pages, _glyphs = read_pdf(rendered[-1].content)
    assert_contains(text, "Hoe ging het? Gezin Jansen", "Buurman Kees", "Fietsen maken", "Oma Ayşe", "Boodschappen")
    assert "Omar" not in text  # counts, not who answered what
    plan = (await c.omar.send("/plan"))[-1]
    assert HOW_IT_WENT not in plan.button_texts()
    answer = await c.omar.press(plan, "", data="pw:1")
    assert answer["text"] == STALE


async def test_in_the_group_only_what_the_whole_circle_may_see(sandbox: Sandbox, rendered: list[render.Pdf]) -> None:
    c = await _circle_with_a_plan(sandbox)
    plan = (await c.fatima.send("/plan", chat=c.group))[-1]
    assert CALENDAR not in plan.button_texts() and HOW_IT_WENT not in plan.button_texts()
    await c.fatima.press(plan, PICTURE)
    open_picture(sandbox.telegram.messages_in(GROUP_ID)[-1])
    text, _pages, _glyphs = read_pdf(rendered[-1].content)
    assert_contains(text, "Boodschappen", "Fietsen maken")
    assert plain("Meegaan naar de dokter") not in plain(text)  # only for the family and Ayşe


async def test_without_fonts_the_plan_comes_as_text(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    c = await _circle_with_a_plan(sandbox)
    monkeypatch.setattr(fonts, "font_files", dict)
    render.problem.cache_clear()
    try:
        plan = (await c.fatima.send("/plan"))[-1]
        seen = len(sandbox.telegram.messages_in(1))
        await c.fatima.press(plan, PICTURE)
        sorry, *texts = sandbox.telegram.messages_in(1)[seen:]
    finally:
        render.problem.cache_clear()
    assert sorry.text == "Een plaatje of PDF maken lukt nu niet. Hier is het plan als tekst."
    assert "Fietsen maken" in texts[0].text and all(m.photo is None for m in texts)


# -- every language -----------------------------------------------------------------------------

NAMES = {
    "Тітка Олена": "Допомога з уроками",
    "ሳባ ተኽለ": "ምግቢ ምድላው",
    "زهره": "خرید کردن برای خانه",
    "خالد": "زيارة العائلة",
    "Zofia Wójcik": "Spacer z psem",
    "Oma Ayşe": "Çarşıya gitmek",
}


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_every_language_renders_with_every_glyph_and_a_matching_calendar(
    sandbox: Sandbox, rendered: list[render.Pdf]
) -> None:
    c = await set_up_circle(sandbox)
    doers = {"Oma Ayşe": c.ayse}
    for user_id, name in enumerate(NAMES, 10):
        if name not in doers:
            doers[name] = await join_network(sandbox, c.fatima, user_id, name.split()[0], name)
    weekdays = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag")
    for (name, what), weekday in zip(NAMES.items(), weekdays, strict=True):
        await make_agreement(c.fatima, name, what, when=("Om de week", weekday, "18:30"), backup="Omar")
        await doers[name].press(sandbox.telegram.messages_in(doers[name].id)[-1], "Ja, dat doe ik")
    await add_someone_to_ask(c.fatima, "عمو رضا", "06 98765432")
    now = sandbox.clock.now()
    async with sandbox.runtime.sessions() as session:
        fatima = await people.find(session, c.fatima.id)
        assert fatima is not None
        access = await authz.authorize(session, fatima.id, 1, Action.VIEW_PLAN)
        view = await plan_for(session, access, in_group=False)
        went = await how_it_went.collect(session, access, now)
    assert len(view.agreements) == 6

    for code in available_languages():
        with use_language(code):
            made = layout.printable_plan(view, now.date())
            text, pages, glyphs = read_pdf(made.content)
            assert pages == 1, code
            assert_contains(
                text,
                _("Het plan van {circle}").format(circle="Gezin Jansen"),
                "عمو رضا",
                "06 98765432",
                *NAMES,
                *NAMES.values(),
                *not_an_emergency_service().split(),
            )
            assert "&#" not in text and "&amp;" not in text  # escaped once, not twice (Turkish: "112'yi ara")
            assert_every_glyph_covered(glyphs)

            picture = layout.circle_picture(view, now.date())
            assert picture.complete and picture.fits_a_photo
            with Image.open(io.BytesIO(picture.content)) as image:
                assert image.format == "PNG" and image.size == (1080, picture.height)
            text, _pages, glyphs = read_pdf(rendered[-1].content)  # the page the picture was drawn from
            assert_contains(text, *NAMES)
            assert_every_glyph_covered(glyphs)

            layout.how_it_went_picture(went, AMSTERDAM)
            text, _pages, glyphs = read_pdf(rendered[-1].content)
            assert_contains(text, _("Hoe ging het? {circle}").format(circle="Gezin Jansen"))
            assert_every_glyph_covered(glyphs)

            entries = Calendar.from_ical(calendar.calendar_file(view.agreements, now=now, doer_tz=AMSTERDAM))
            events = {str(e["SUMMARY"]): e for e in entries.walk("VEVENT")}
            assert set(events) == set(NAMES.values())
            for agreement in view.agreements:
                assert agreement.schedule is not None
                until = now + timedelta(weeks=20)
                expected = [
                    moment for _day, moment in occurrences_between(rhythm_of(agreement.schedule), AMSTERDAM, now, until)
                ]
                single = Calendar()
                single.add_component(events[agreement.agreement.what])
                for timezone in entries.walk("VTIMEZONE"):
                    single.add_component(timezone)
                found = [o.start for o in recurring_ical_events.of(single).between(now, until)]
                assert found == expected, (code, agreement.agreement.what)


def test_every_translation_can_be_drawn() -> None:
    """Every text Kring shows, in every language, has a glyph in the fonts (no boxes)."""
    with (locales_dir() / "kring.pot").open("rb") as source:
        dutch = [m.id for m in read_po(source) if m.id]
    for code in [c for c in available_languages() if c != "nl"]:
        with (locales_dir() / code / "LC_MESSAGES" / "kring.po").open("rb") as po:
            translated = [m.string for m in read_po(po) if m.id]
        texts = [t for text in dutch + translated for t in ((text,) if isinstance(text, str) else text)]
        assert fonts.uncovered("".join(texts)) == set(), code


async def test_a_button_carried_into_another_group_shows_nothing(sandbox: Sandbox) -> None:
    c = await _circle_with_a_plan(sandbox)
    links_b = await new_circle(c.anna, "Gezin Bakker")
    bert, greeting = await family_group(sandbox, links_b, user_id=80, name="Bert", group_id=-200)
    await join_household(bert, c.fatima, greeting)  # Fatima is in both circles
    seen = len(sandbox.telegram.messages_in(-200))
    for person in (bert, c.fatima):
        answer = await person.press(sandbox.telegram.messages_in(-200)[-1], "", data="pp:1")  # circle A's picture
        assert answer["text"] == STALE
    assert all(m.photo is None for m in sandbox.telegram.messages_in(-200)[seen:])


async def test_the_picture_buttons_for_every_role(sandbox: Sandbox) -> None:
    """A forged or carried-over press by someone who may not see the plan gets the stale answer and
    no file; the professional sees no content (domain rule 6)."""
    c = await _circle_with_a_plan(sandbox)
    stranger = sandbox.user(70, "Vreemde")
    for person in (c.anna, stranger):
        await person.send("/start")
    allowed = {c.fatima: True, c.omar: True, c.ayse: True, c.kees: True, c.anna: False, stranger: False}
    for person, may in allowed.items():
        for data in ("pp:1", "pd:1"):
            seen = len(sandbox.telegram.messages_in(person.id))
            answer = await person.press(sandbox.telegram.messages_in(person.id)[-1], "", data=data)
            new = sandbox.telegram.messages_in(person.id)[seen:]
            if may:
                assert answer.get("text") != STALE and len(new) == 1, (person.name, data)
                assert (new[0].photo if data == "pp:1" else new[0].document) is not None
            else:
                assert answer["text"] == STALE and new == [], (person.name, data)
    for person in (c.anna, stranger, c.omar):  # the calendar: nobody but a doer has anything in it
        answer = await person.press(sandbox.telegram.messages_in(person.id)[-1], "", data="pc:1")
        if person is c.omar:
            assert sandbox.telegram.messages_in(person.id)[-1].text.startswith(
                "Je hebt geen afspraken met een vast moment."
            )
        else:
            assert answer["text"] == STALE


def test_the_calendar_alarm_follows_the_doers_own_clock_across_clock_changes() -> None:
    """A grandmother in Istanbul (no clock changes) with a Wednesday 15:00 agreement in Amsterdam:
    Kring reminds her at 08:00 Istanbul time, before and after Amsterdam's clock change; so does
    her calendar. The recurrence and every alarm match Kring's own occurrences and reminders."""
    istanbul = ZoneInfo("Europe/Istanbul")
    schedule = Schedule(
        frequency=Frequency.WEEKLY,
        interval=1,
        weekday=2,
        at_time=time(15, 0),
        starts_on=date(2027, 1, 4),
        time_zone="Europe/Amsterdam",
        remind_hours_before=None,
    )
    agreement = Agreement(id=7, what="Boodschappen", support_kind=SupportKind.PRACTICAL, status=AgreementStatus.ACTIVE)
    view = AgreementView(agreement, Member(display_name="Oma Ayşe"), None, schedule)
    now = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
    entries = Calendar.from_ical(calendar.calendar_file([view], now=now, doer_tz=istanbul))
    until = datetime(2027, 5, 1, tzinfo=UTC)
    kring = occurrences_between(rhythm_of(schedule), AMSTERDAM, now, until)
    found = recurring_ical_events.of(entries).between(now, until)
    assert [o.start for o in found] == [moment for _day, moment in kring]
    alarms = [o.start + o.walk("VALARM")[0].decoded("TRIGGER") for o in found]
    assert alarms == [reminder_time(moment, istanbul, None) for _day, moment in kring]
    assert {a.astimezone(istanbul).strftime("%H:%M") for a in alarms} == {"08:00"}
    assert len(list(entries.walk("VEVENT"))) > 1  # the weeks after the clock change carry their own alarm


async def test_asking_for_files_again_and_again_is_slowed_down(sandbox: Sandbox) -> None:
    """Each file is real work: four at once, then one a minute per person; the fifth press in a row
    gets a kind word and no file, and nothing else is held up."""
    c = await _circle_with_a_plan(sandbox)
    moment = [1000.0]
    sandbox.app.bot_data["file_guard"] = FloodGuard(
        clock=lambda: moment[0], capacity=plan_pictures.FILES_AT_ONCE, per_second=plan_pictures.FILES_PER_SECOND
    )
    plan = (await c.omar.send("/plan"))[-1]
    files = []
    for _press in range(5):
        seen = len(sandbox.telegram.messages_in(c.omar.id))
        answer = await c.omar.press(plan, PRINT)
        files += [m for m in sandbox.telegram.messages_in(c.omar.id)[seen:] if m.document is not None]
    assert len(files) == 4
    assert answer["text"] == "Je hebt net al een paar bestanden gekregen. Probeer het over een minuut weer."
    picture = await press_under_plan(c.fatima, PICTURE)  # someone else is not held up
    assert picture.photo is not None
    moment[0] += 60
    await c.omar.press(plan, PRINT)
    assert sandbox.telegram.messages_in(c.omar.id)[-1].document is not None


# -- what a reader sees -------------------------------------------------------------------------

#: Where the tests leave the printed plan and the picture in every language, to look at.
OUTPUT = Path(__file__).parent / "output" / "plan-pictures"
TODAY = date(2026, 11, 27)


def _member(number: int, name: str, role: MemberRole = MemberRole.NETWORK) -> Member:
    return Member(id=number, display_name=name, role=role)


def _schedule(
    frequency: Frequency, at: time, *, weekday: int | None = None, interval: int = 1, day: int | None = None
) -> Schedule:
    return Schedule(
        frequency=frequency,
        interval=interval,
        weekday=weekday,
        day_of_month=day,
        at_time=at,
        starts_on=date(2026, 11, 2),
        time_zone="Europe/Amsterdam",
        remind_hours_before=None,
    )


def a_family_plan(extra_people: int = 0) -> PlanView:
    """A realistic circle, without a database: five people around the family, names in several
    scripts, agreements for someone, with someone to step in, and when needed."""
    circle = Circle(id=1, name="Gezin Jansen", language="nl", time_zone="Europe/Amsterdam")
    fatima, omar = _member(1, "Fatima", MemberRole.FAMILY), _member(2, "Omar", MemberRole.FAMILY)
    ayse, kees, zahra, olena = (
        _member(3, "Oma Ayşe"),
        _member(4, "Buurman Kees"),
        _member(5, "زهره"),
        _member(6, "Тітка Олена"),
    )
    numbers = iter(range(1, 1000))

    def agreement(
        doer: Member,
        what: str,
        kind: SupportKind,
        schedule: Schedule | None,
        for_whom: str | None = None,
        backup: Member | None = None,
    ) -> AgreementView:
        made = Agreement(
            id=next(numbers), what=what, for_whom=for_whom, support_kind=kind, status=AgreementStatus.ACTIVE
        )
        return AgreementView(made, doer, backup, schedule)

    views = [
        agreement(
            ayse, "Oppassen", SupportKind.PRACTICAL, _schedule(Frequency.WEEKLY, time(15), weekday=2), "Sam", omar
        ),
        agreement(ayse, "Meegaan naar de dokter", SupportKind.EMOTIONAL, None, "Fatima"),
        agreement(
            kees, "Fietsen maken", SupportKind.ADVICE, _schedule(Frequency.MONTHLY, time(10), day=1), "Sam en Lina"
        ),
        agreement(
            zahra,
            "Boodschappen doen",
            SupportKind.PRACTICAL,
            _schedule(Frequency.WEEKLY, time(10, 30), weekday=5, interval=2),
        ),
        agreement(
            olena, "Huiswerk samen maken", SupportKind.COMPANY, _schedule(Frequency.WEEKLY, time(16), weekday=1), "Lina"
        ),
        agreement(omar, "Koken op vrijdag", SupportKind.PRACTICAL, _schedule(Frequency.WEEKLY, time(18), weekday=4)),
    ]
    for number in range(extra_people):
        helper = _member(10 + number, f"Buur {number + 1}")
        views += [
            agreement(
                helper,
                "Even langskomen",
                SupportKind.COMPANY,
                _schedule(Frequency.WEEKLY, time(19), weekday=number % 7),
            )
        ]
    signs = [WarningSign(text="Sam gaat niet meer naar school"), WarningSign(text="Fatima slaapt slecht")]
    steps = [
        StepView(PlanStep(kind=StepKind.ASK, phone="06 12345678"), ayse),
        StepView(PlanStep(kind=StepKind.ASK, contact_name="Meester Bram", phone="06 98765432"), None),
        StepView(PlanStep(kind=StepKind.PROFESSIONAL, text="als het na twee weken niet beter gaat"), None),
    ]
    return PlanView(circle, Role.COORDINATOR, fatima, False, views, SafetyPlan(signs, steps), [], [fatima, omar])


def legend_of(page: str) -> str:
    (legend,) = re.findall(r'<p class="legend">(.*?)</p>', page)
    return legend


def test_the_legend_lists_only_the_kinds_of_support_on_the_page() -> None:
    view = a_family_plan()
    legend = legend_of(layout.picture_page(view, TODAY))
    used = ("praktische hulp", "een luisterend oor", "advies", "samen iets leuks doen")
    assert all(label in legend for label in used) and "een oogje in het zeil" not in legend
    only_kees = PlanView(
        **{**view.__dict__, "agreements": [v for v in view.agreements if v.doer.display_name == "Buurman Kees"]}
    )
    assert re.sub(r"<[^>]+>", "", legend_of(layout.printable_page(only_kees, TODAY))) == "💡\u00a0advies"


async def test_a_card_says_for_whom_and_keeps_the_time_with_its_word(rendered: list[render.Pdf]) -> None:
    view = a_family_plan()
    page = layout.picture_page(view, TODAY)
    assert "(voor <bdi>Sam</bdi>)" in page and "(voor <bdi>Sam en Lina</bdi>)" in page
    assert "om\u00a015:00" in page and "om\u00a010:30" in page  # "om" and the time never part
    layout.circle_picture(view, TODAY)
    text, _pages, _glyphs = read_pdf(rendered[-1].content)
    assert_contains(text, "(voor Sam)", "(voor Fatima)", "(voor Lina)")


def test_cards_are_as_tall_as_their_content() -> None:
    """Each card is as tall as its lines (plus its padding and border): a card with one agreement is
    short, one with two is taller; no card is stretched to the height of its row or cell."""
    view = a_family_plan()
    laid = render.lay_out(layout.picture_page(view, TODAY))
    people = layout.people_around(view)
    heights = {
        person.name: laid.boxes[f"card-{number}"][3] - laid.boxes[f"card-{number}"][1]
        for number, person in enumerate(people)
    }
    line = layout.PHONE_TEXT["card"] * 1.3
    # Omar: his name, what, when (3 lines); Oma Ayşe: name and two agreements with backup (7 to 9)
    assert heights["Omar"] < 4 * line + 16, heights
    assert heights["Oma Ayşe"] > heights["Omar"] + 3 * line, heights
    assert heights["Oma Ayşe"] < 10 * line + 16, heights


def font_sizes(content: bytes) -> list[tuple[str, float]]:
    return [(char.get_text(), char.size) for page in extract_pages(io.BytesIO(content)) for char in _chars(page)]


def lowest_text(content: bytes) -> float:
    """How far down the first page the text goes, as a share of its height."""
    page = next(iter(extract_pages(io.BytesIO(content))))
    return 1 - min(char.y0 for char in _chars(page)) / page.height


@pytest.mark.parametrize("extra_people", [0, 12])
def test_the_printed_plan_is_never_under_12_points_and_fills_its_page(extra_people: int) -> None:
    made = layout.printable_plan(a_family_plan(extra_people), TODAY)
    sizes = font_sizes(made.content)
    small = {(text, round(size, 1)) for text, size in sizes if size < 12 - 0.01 and not text.isspace()}
    assert sizes and not small, small
    if extra_people:  # a long plan goes on to a second page, in the same size
        assert made.pages == 2 and made.scale == 1.0
    else:
        assert made.pages == 1 and lowest_text(made.content) > 0.8, lowest_text(made.content)


def test_a_short_printed_plan_is_set_larger() -> None:
    view = a_family_plan()
    short = replace(view, agreements=view.agreements[:1])
    made = layout.printable_plan(short, TODAY)
    assert made.pages == 1 and made.scale > 1.2 and lowest_text(made.content) > 0.7
    assert min(size for text, size in font_sizes(made.content) if not text.isspace()) >= 12 * made.scale - 0.01


async def test_how_it_went_starts_when_the_circle_did(sandbox: Sandbox) -> None:
    c = await set_up_circle(sandbox)
    async with sandbox.runtime.sessions() as session:
        fatima = await people.find(session, c.fatima.id)
        assert fatima is not None
        access = await authz.authorize(session, fatima.id, 1, Action.VIEW_HOW_IT_WENT)
        started = access.circle.created_at
        now = sandbox.clock.now()
        assert (await how_it_went.collect(session, access, now)).since == started  # not three months before
        later = now + timedelta(weeks=20)
        assert (await how_it_went.collect(session, access, later)).since == later - how_it_went.PERIOD
    went = how_it_went.HowItWent("Gezin Jansen", started, now + timedelta(weeks=3), [], [])
    with use_language("nl"):
        page = layout.how_it_went_page(went, AMSTERDAM)
    start = started.astimezone(AMSTERDAM)
    assert f"{start.day} november tot " in page


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(one: str, other: str) -> float:
    """WCAG 2 contrast ratio of two colours (#rrggbb)."""
    light, dark = sorted((_luminance(one), _luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_contrast_is_computed_as_wcag_says() -> None:
    assert round(contrast("#ffffff", "#000000"), 1) == 21.0
    assert round(contrast("#777777", "#ffffff"), 2) == 4.48  # the well-known grey just under AA


def test_every_mark_is_readable() -> None:
    """Every text colour on the pages against every background it stands on, and the counts in
    white on each bar (and each bar's colour as a key on the white page): at least 4.5:1."""
    went = how_it_went.HowItWent(
        "Gezin Jansen", datetime(2026, 11, 2, tzinfo=UTC), datetime(2026, 12, 27, tzinfo=UTC), [], []
    )
    pages = layout.picture_page(a_family_plan(), TODAY) + layout.how_it_went_page(went, AMSTERDAM)
    text_colours = set(re.findall(r"(?<![-\w])color:\s*(#[0-9a-fA-F]{6})", pages))
    assert {layout.INK, layout.MUTED} <= text_colours
    for colour in text_colours - {layout.ON_BAR}:
        for background in (layout.PAGE, layout.FAMILY_CARD, layout.MIDDLE):
            assert contrast(colour, background) >= 4.5, (colour, background)
    for bar in {*layout.ANSWER_COLOURS.values(), layout.NO_ANSWER, *layout.OUTCOME_COLOURS}:
        assert contrast(layout.ON_BAR, bar) >= 4.5, bar
        assert contrast(bar, layout.PAGE) >= 4.5, bar
    assert "❔" not in layout.how_it_went_page(
        how_it_went.HowItWent(
            "G", went.since, went.until, [], [how_it_went.AgreementResult("Oma", "Oppassen", 1, 1, 1, 1)]
        ),
        AMSTERDAM,
    )


def _as_png(pdf: Path) -> list[Path]:
    """The pages of a PDF as pictures: with pdftoppm where the machine has it, else with PDFium."""
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-png", "-r", "60", str(pdf), str(pdf.with_suffix(""))], check=True)
        return sorted(pdf.parent.glob(pdf.stem + "-*.png"))
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf.read_bytes())
    try:
        made = []
        for number, page in enumerate(document, 1):
            path = pdf.parent / f"{pdf.stem}-{number}.png"
            page.render(scale=60 / 72).to_pil().save(path)
            page.close()
            made.append(path)
        return made
    finally:
        document.close()


@pytest.mark.parametrize("code", available_languages())
def test_the_plan_in_every_language_for_the_output_folder(code: str) -> None:
    """The A4 plan (as PDF and as a picture of each page) and the phone picture of a realistic
    circle, in each language, left in tests/output/plan-pictures/ to look at."""
    OUTPUT.mkdir(parents=True, exist_ok=True)
    view = a_family_plan()
    with use_language(code):
        printable = layout.printable_plan(view, TODAY)
        picture = layout.circle_picture(view, TODAY)
    assert printable.pages == 1 and picture.complete and picture.fits_a_photo
    small = {
        (text, round(size, 1))
        for text, size in font_sizes(printable.content)
        if size < 12 - 0.01 and not text.isspace()
    }
    assert not small, (code, small)
    pdf = OUTPUT / f"a4-{code}.pdf"
    pdf.write_bytes(printable.content)
    (OUTPUT / f"plan-{code}.png").write_bytes(picture.content)
    pages = _as_png(pdf)
    assert pages and all(path.stat().st_size > 0 for path in pages)
    print(f"{code}: {pdf}, {', '.join(map(str, pages))}, {OUTPUT / f'plan-{code}.png'}")
