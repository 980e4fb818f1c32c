"""The young person's own check-in, one question per screen, and what others hear of it — only
what the young person chose: the coordinators what they shared or that they have a hard time, their
trusted adult that they would like to talk."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callbacks
from bot.db.models import Delivery, Mood, TalkWish
from bot.i18n import _, ngettext, pgettext
from bot.messages.buttons import marked
from bot.services import authz, mentors, young_checkins
from bot.services.authz import Action
from bot.services.young_checkins import Own
from scheduler.sender import Rendered

ANSWER = "yc"  # yc:checkin_id:field:value — the young person's answers and choices
OWN = "ym"  # ym:circle_id:weeks — their own rhythm (0: stop)
SKIP = "-"

Reply = tuple[str, InlineKeyboardMarkup | None]


def mood_labels() -> dict[Mood, str]:
    return {
        Mood.GOOD: "🙂 " + pgettext("button", "Goed"),
        Mood.SO_SO: "😐 " + pgettext("button", "Gaat wel"),
        Mood.NOT_GOOD: "😟 " + pgettext("button", "Niet goed"),
    }


def shared_words(field: str, mood: Mood) -> str:
    """One shared answer, as the coordinators read it after "<name> deelt:" (and the young person
    on their last screen): plain words, the same for both."""
    words = {
        ("overall", Mood.GOOD): _("het gaat goed"),
        ("overall", Mood.SO_SO): _("het gaat wel"),
        ("overall", Mood.NOT_GOOD): _("het gaat niet goed"),
        ("at_home", Mood.GOOD): _("thuis gaat het goed"),
        ("at_home", Mood.SO_SO): _("thuis gaat het wel"),
        ("at_home", Mood.NOT_GOOD): _("thuis gaat het niet goed"),
        ("at_school", Mood.GOOD): _("op school of werk gaat het goed"),
        ("at_school", Mood.SO_SO): _("op school of werk gaat het wel"),
        ("at_school", Mood.NOT_GOOD): _("op school of werk gaat het niet goed"),
    }
    return words[field, mood]


def _button(text: str, checkin_id: int, field: str, value: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=callbacks.encode(ANSWER, checkin_id, field, value))


def _moods(checkin_id: int, field: str, *, skip: bool = False) -> InlineKeyboardMarkup:
    rows = [[_button(label, checkin_id, field, mood.value)] for mood, label in mood_labels().items()]
    if skip:
        rows.append([_button(pgettext("button", "Overslaan"), checkin_id, field, SKIP)])
    return InlineKeyboardMarkup(rows)


def first_question(checkin_id: int, name: str) -> Reply:
    text = "\n".join(
        [
            "🌱 " + pgettext("jongere", "Hoi {name}! Hoe gaat het met je?").format(name=name),
            pgettext("jongere", "Je antwoorden zijn van jou."),
        ]
    )
    return text, _moods(checkin_id, "overall")


def next_screen(found: Own, field: str) -> Reply:
    """The screen after answering ``field``."""
    checkin_id = found.checkin.id
    if field == "overall":
        return pgettext("jongere", "En thuis?"), _moods(checkin_id, "at_home")
    if field == "at_home":
        return pgettext("jongere", "En op school of werk?"), _moods(checkin_id, "at_school", skip=True)
    if field == "at_school":
        rows = []
        if found.mentor is not None:
            rows.append(
                [
                    _button(
                        pgettext("button", "Met {name}").format(name=found.mentor.display_name),
                        checkin_id,
                        "talk",
                        TalkWish.MENTOR.value,
                    )
                ]
            )
        rows += [
            [_button(pgettext("button", "Met iemand anders"), checkin_id, "talk", TalkWish.SOMEONE_ELSE.value)],
            [_button(pgettext("button", "Nee, nu niet"), checkin_id, "talk", TalkWish.NOBODY.value)],
        ]
        return pgettext("jongere", "Wil je met iemand praten?"), InlineKeyboardMarkup(rows)
    return share_screen(found)


def _topic(field: str) -> str:
    return {
        "overall": pgettext("button", "Hoe het gaat"),
        "at_home": pgettext("button", "Thuis"),
        "at_school": pgettext("button", "School of werk"),
    }[field]


def share_screen(found: Own) -> Reply:
    """Private unless they choose: one toggle per answer (✓ on what is chosen now)."""
    checkin = found.checkin
    rows = []
    for field, mood in found.answers():
        chosen = getattr(checkin, f"shared_{field}")
        label = f"{_topic(field)}: {mood_labels()[mood]}"
        rows.append([_button(marked(label, chosen=chosen), checkin.id, "share", field)])
    rows.append(
        [
            _button(pgettext("button", "Klaar"), checkin.id, "done", "1"),
            _button(pgettext("button", "Niets delen"), checkin.id, "done", "0"),
        ]
    )
    text = "\n".join(
        [
            pgettext("jongere", "Dank je! Dit blijft van jou. Mag je ouder iets zien?"),
            pgettext("jongere", "Tik aan wat mag. Of deel niets."),
        ]
    )
    return text, InlineKeyboardMarkup(rows)


def young_helplines() -> str:
    """Their own help, short: the Kindertelefoon first (for children and young people)."""
    return "\n".join(
        [
            pgettext("jongere", "Kindertelefoon: 0800-0432 (gratis, ook chat: kindertelefoon.nl)"),
            pgettext("jongere", "Denk je aan zelfmoord? Bel of chat met 113: 0800-0113."),
            pgettext("jongere", "Gevaar? Bel 112."),
        ]
    )


def done_screen(found: Own) -> Reply:
    """After sharing (or not): what the parent sees, and their own help when it is not good."""
    checkin, member = found.checkin, found.member
    shared = found.shared()
    if shared:
        lines = [
            pgettext("jongere", "Je ouder ziet: {what}.").format(
                what=", ".join(shared_words(field, mood) for field, mood in shared)
            )
        ]
    else:
        lines = [pgettext("jongere", "Je ouder ziet niets. Het blijft van jou.")]
    rows: list[list[InlineKeyboardButton]] = []
    if found.needs_help:
        lines += [
            pgettext("jongere", "Fijn dat je het zegt. Je hoeft het niet alleen te doen."),
            young_helplines(),
        ]
        if found.mentor is not None:
            if checkin.mentor_told_at is None:
                label = pgettext("button", "Vertel het {name}").format(name=found.mentor.display_name)
                rows.append([_button("💬 " + label, checkin.id, "mentor", "1")])
            else:
                lines.append(
                    pgettext("jongere", "{name} weet dat je graag wilt praten.").format(name=found.mentor.display_name)
                )
        if checkin.parent_told_at is None:
            rows.append([_button("📣 " + pgettext("button", "Laat mijn ouder het weten"), checkin.id, "parent", "1")])
        else:
            lines.append(pgettext("jongere", "Je ouder weet dat je het moeilijk hebt."))
    lines.append(pgettext("jongere", "Tot de volgende keer, {name}!").format(name=member.display_name))
    return "\n\n".join(lines), InlineKeyboardMarkup(rows) if rows else None


def rhythm_screen(rhythm: young_checkins.Rhythm) -> Reply:
    """/mycheckin: their rhythm (✓ on what is chosen now), or start again after a stop."""
    rows = [
        [
            InlineKeyboardButton(
                marked(
                    ngettext("Elke week", "Elke {count} weken", weeks).format(count=weeks),
                    chosen=rhythm.weeks == weeks,
                    tip=weeks == young_checkins.SUGGESTED,
                ),
                callback_data=callbacks.encode(OWN, rhythm.circle_id, weeks),
            )
        ]
        for weeks in young_checkins.CHOICES
    ]
    if rhythm.weeks is not None:
        rows.append(
            [
                InlineKeyboardButton(
                    "🚫 " + pgettext("button", "Stop mijn check-in"),
                    callback_data=callbacks.encode(OWN, rhythm.circle_id, 0),
                )
            ]
        )
        text = "\n".join(
            [
                pgettext("jongere", "Je eigen check-in. Ik vraag je af en toe hoe het gaat."),
                pgettext("jongere", "Hoe vaak wil je dat?"),
            ]
        )
    else:
        text = pgettext("jongere", "Je check-in staat uit. Wil je hem weer? Kies hoe vaak.")
    return text, InlineKeyboardMarkup(rows)


# -- through the outbox ------------------------------------------------------------------------


async def checkin_message(session: AsyncSession, delivery: Delivery) -> Rendered | None:
    ask = await young_checkins.to_ask(session, delivery.payload.get("checkin_id"))
    if ask is None:
        return None
    text, buttons = first_question(ask.checkin.id, ask.member.display_name)
    return Rendered(text, buttons)


async def shared(session: AsyncSession, delivery: Delivery) -> Rendered | None:
    if not await authz.still_allowed(session, delivery.person_id, delivery.circle_id, Action.SEE_YOUNG_VIEW):
        return None  # no longer one who leads the circle (or gone): nothing of the young person's
    found = await young_checkins.shared_answers(session, delivery.payload.get("checkin_id"))
    if found is None:
        return None
    member, answers = found
    fields = set(delivery.payload.get("fields", []))  # exactly what was shared when they pressed "Klaar"
    what = ", ".join(shared_words(field, mood) for field, mood in answers if field in fields)
    if not what:
        return None
    return Rendered("🌱 " + _("{name} deelt: {what}.").format(name=member.display_name, what=what))


async def hard_time(session: AsyncSession, delivery: Delivery) -> Rendered | None:
    if not await authz.still_allowed(session, delivery.person_id, delivery.circle_id, Action.SEE_YOUNG_VIEW):
        return None  # no longer one who leads the circle (or gone): nothing of the young person's
    member = await young_checkins.find_member(session, delivery.payload.get("member_id"))
    if member is None:
        return None
    return Rendered(
        "🌱 " + _("{name} heeft het moeilijk. Praat er rustig over met {name}.").format(name=member.display_name)
    )


async def talk_to_mentor(session: AsyncSession, delivery: Delivery) -> Rendered | None:
    member = await young_checkins.find_member(session, delivery.payload.get("member_id"))
    mentor = await mentors.active_mentor(session, member) if member is not None else None
    if member is None or mentor is None or mentor.person_id != delivery.person_id:
        return None  # no longer their trusted adult
    return Rendered("🌱 " + _("{name} wil graag met je praten.").format(name=member.display_name))
