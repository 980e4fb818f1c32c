"""/new: a professional starts a circle at the end of care: its name, the group's language, how
long the follow-up lasts, for whom the care was (the young person gets a link of their own), then
the links."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import InlineKeyboardMarkup

from bot import callbacks
from bot.flows.flow import Flow, Reply, Step, Turn, rows, say
from bot.i18n import _, available_languages, format_date, is_reviewed, language_name, ngettext, pgettext
from bot.messages.buttons import marked
from bot.services import circles


@dataclass(frozen=True)
class NewCircleDraft:
    name: str = ""
    language: str | None = None
    months: int | None = None
    young: str | None = None  # the young person's first name, if the professional gives it


NewCircle = Turn[NewCircleDraft]


def deep_link(bot_username: str, token: str, *, group: bool = False) -> str:
    return f"https://t.me/{bot_username}?{'startgroup' if group else 'start'}={token}"


def _language_label(code: str) -> str:
    """As on /language: the language's own name; a * when no native speaker has checked it yet."""
    return language_name(code) + ("" if is_reviewed(code) else " *")


def _months_label(months: int) -> str:
    text = ngettext("{count} maand", "{count} maanden", months).format(count=months)
    return marked(text, tip=months == circles.DEFAULT_FOLLOW_UP_MONTHS)


async def _ask(turn: NewCircle) -> Reply:
    match turn.step:
        case "name":
            return say(
                _(
                    "We maken een nieuwe kring. Hoe heet de kring? Kies een naam die het gezin herkent, zoals 'Gezin Jansen'."
                )
                + "\n\n"
                + _("Stoppen? Stuur /cancel.")
            )
        case "language":
            return _("In welke taal schrijf ik in de groep van het gezin?"), rows(
                [turn.button(_language_label(code), "lang", code) for code in available_languages()]
            )
        case "follow_up":
            buttons = [turn.button(_months_label(m), "months", m) for m in circles.FOLLOW_UP_MONTHS]
            return _("Hoe lang kijk je na het einde van de hulp nog mee?"), InlineKeyboardMarkup([buttons])
        case "young":
            return _(
                "Voor welk kind of welke jongere was de hulp? Schrijf de voornaam. "
                "Dan krijgt die een eigen link. Of druk op 'Overslaan'."
            ), turn.skip_button()
    return _summary(turn), InlineKeyboardMarkup(
        [
            [
                turn.button(pgettext("button", "Maak de kring"), "ok", 1),
                turn.button(pgettext("button", "Stop"), "stop", 1),
            ]
        ]
    )


def _summary(turn: NewCircle) -> str:
    data = turn.data
    assert data.language is not None and data.months is not None
    return "\n".join(
        [
            _("Klopt dit?"),
            _("Naam: {name}").format(name=data.name),
            _("Taal: {language}").format(language=language_name(data.language)),
            _("Je kijkt mee tot: {date}").format(date=format_date(circles.follow_up_end(turn.today, data.months))),
        ]
        + ([_("De hulp was voor: {name}").format(name=data.young)] if data.young else [])
    )


async def _name(turn: NewCircle, text: str) -> Reply | None:
    name = circles.clean_name(text)
    if name is None:
        return say(_("Die naam is te lang. Gebruik hoogstens {count} tekens.").format(count=circles.MAX_NAME))
    turn.go("language", name=name)
    return None


async def _language(turn: NewCircle, name: str, value: str) -> Reply | None:
    if name != "lang" or value not in available_languages():
        raise callbacks.BadCallbackData(value)
    turn.go("follow_up", language=value)
    return None


async def _months(turn: NewCircle, name: str, value: str) -> Reply | None:
    months = callbacks.as_int(value)
    if name != "months" or months not in circles.FOLLOW_UP_MONTHS:
        raise callbacks.BadCallbackData(value)
    turn.go("young", months=months)
    return None


async def _young(turn: NewCircle, text: str) -> Reply | None:
    name = circles.clean_name(text)
    if name is None:
        return say(_("Die naam is te lang. Gebruik hoogstens {count} tekens.").format(count=circles.MAX_NAME))
    turn.go("confirm", young=name)
    return None


async def _no_young(turn: NewCircle, name: str, value: str) -> Reply | None:
    if name != "skip":
        raise callbacks.BadCallbackData(name)
    turn.go("confirm", young=None)
    return None


async def _create(turn: NewCircle, name: str, value: str) -> Reply | None:
    data = turn.data
    if name != "ok" or data.language is None or data.months is None:
        raise callbacks.BadCallbackData(name)
    new = await circles.create(
        turn.session,
        professional=await circles.starter(turn.session, turn.person_id),
        name=data.name,
        language=data.language,
        time_zone=str(turn.zone),
        follow_up_ends_on=circles.follow_up_end(turn.today, data.months),
        young=data.young,
        now=turn.now,
    )
    turn.finish()
    return say(_links_text(new, turn.bot_username))


def _links_text(new: circles.NewCircle, bot_username: str) -> str:
    young = (
        [
            _("3. Voor {name} zelf:").format(name=new.young.display_name)
            + "\n"
            + deep_link(bot_username, new.young_token)
        ]
        if new.young is not None and new.young_token is not None
        else []
    )
    return "\n\n".join(
        [
            _("De kring {name} is klaar.").format(name=new.circle.name),
            _("1. Voeg mij toe aan de groep van het gezin met deze link:")
            + "\n"
            + deep_link(bot_username, new.group_token, group=True),
            _("2. Geen groep, of wil een ouder apart met mij praten? Geef deze link:")
            + "\n"
            + deep_link(bot_username, new.family_token),
            *young,
            _("Elke link werkt één keer, 30 dagen lang."),
            _("Daarna beslist het gezin wie meedoet. Jij nodigt niemand uit."),
        ]
    )


async def _may_start(turn: NewCircle) -> None:
    await circles.starter(turn.session, turn.person_id)


def refusal() -> str:
    return _("Alleen een hulpverlener kan een kring starten. Wil je meedoen in een kring? Vraag dan om een link.")


NEW = Flow(
    "new_circle",
    NewCircleDraft,
    action="new",
    check=_may_start,
    gone=refusal,
    stopped=lambda: _("Gestopt. Er is geen kring gemaakt."),
    steps={
        "name": Step(_ask, typed=_name),
        "language": Step(_ask, pressed=_language),
        "follow_up": Step(_ask, pressed=_months),
        "young": Step(_ask, typed=_young, pressed=_no_young),
        "confirm": Step(_ask, pressed=_create),
    },
)
