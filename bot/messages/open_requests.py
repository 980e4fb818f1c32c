"""Open requests: the ask each person gets privately, who took it (to the family), "it is taken"
(to the others asked), "nobody took it" (to the one who asked); and the screens of the handlers."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardMarkup

from bot.db.models import Delivery, OpenRequestStatus
from bot.i18n import _, format_datetime, ngettext, pgettext
from bot.messages.buttons import choices
from bot.services import notices, open_requests
from bot.services.open_requests import Outcome
from scheduler.sender import Rendered

#: The one asked answers: ``rqa:ask_id:yes|no``.
ANSWER = "rqa"
#: A coordinator turns the yes into an agreement: ``rqm:request_id:make``.
MAKE = "rqm"


async def ask_message(session: AsyncSession, delivery: Delivery) -> Rendered | None:
    view = await open_requests.ask_view(session, delivery.payload.get("ask_id"))
    if view is None or not open_requests.is_open(view.request, delivery.due_at):
        return None  # taken, expired or withdrawn before it could be sent
    zone = await notices.reader_zone(session, delivery.person_id, view.request.circle_id)
    until = format_datetime(view.request.expires_at, zone, "short")
    if open_requests.young(view.member):
        text = pgettext("jongere", "{name} vraagt of iemand dit kan doen:").format(name=view.poster.display_name)
        after = pgettext("jongere", "Kun jij het? Niemand ziet het als je nee zegt.")
    else:
        text = _("{name} vraagt of iemand dit kan doen:").format(name=view.poster.display_name)
        after = _("Kun jij het? Niemand ziet het als je nee zegt.")
    lines = [text, "", view.request.what, "", after, _("Deze hulpvraag staat open tot {until}.").format(until=until)]
    return Rendered(
        "\n".join(lines),
        choices(
            ANSWER,
            view.ask.id,
            (pgettext("button", "🙋 Ik doe het"), "yes"),
            (pgettext("button", "Deze keer niet"), "no"),
        ),
    )


def make_button(request_id: int) -> InlineKeyboardMarkup:
    return choices(MAKE, request_id, (pgettext("button", "📌 Maak er een afspraak van"), "make"))


async def taken(session: AsyncSession, delivery: Delivery) -> Rendered | None:
    view = await open_requests.request_view(session, delivery.payload.get("request_id"))
    if view is None or view.taker is None or view.request.status != OpenRequestStatus.TAKEN:
        return None
    text = "\n\n".join(
        [
            _("✅ {name} doet het:").format(name=view.taker.display_name) + "\n" + view.request.what,
            _("Wil je er een afspraak van maken? Dat kan met één tik."),
        ]
    )
    return Rendered(text, None if view.request.agreement_id else make_button(view.request.id))


async def gone(session: AsyncSession, delivery: Delivery) -> Rendered | None:
    view = await open_requests.ask_view(session, delivery.payload.get("ask_id"))
    if view is None or view.request.status != OpenRequestStatus.TAKEN:
        return None
    if open_requests.young(view.member):
        first = pgettext("jongere", "Iemand anders doet dit al:")
        return Rendered(first + "\n" + view.request.what + "\n\n" + pgettext("jongere", "Dank je wel!"))
    return Rendered(
        _("Iemand anders doet dit al:") + "\n" + view.request.what + "\n\n" + _("Dank je wel dat je erover dacht.")
    )


async def expired(session: AsyncSession, delivery: Delivery) -> Rendered | None:
    view = await open_requests.request_view(session, delivery.payload.get("request_id"))
    if view is None or view.request.status not in (OpenRequestStatus.OPEN, OpenRequestStatus.EXPIRED):
        return None  # taken (or withdrawn): nothing to say
    return Rendered(
        "\n\n".join(
            [
                _("Niemand kon dit deze keer doen:") + "\n" + view.request.what,
                _("Dat is jammer. Je kunt het opnieuw vragen met /ask. Of vraag iemand zelf."),
            ]
        )
    )


# -- the screens of the handlers -----------------------------------------------------------------


def answered_text(answered: open_requests.Answered) -> str:
    """Said under the ask once the person answered."""
    match answered.outcome:
        case Outcome.TAKEN_BY_YOU:
            return "✅ " + _("Dank je wel! Ik laat {name} weten dat jij het doet.").format(
                name=answered.poster.display_name
            )
        case Outcome.ALREADY_TAKEN:
            return _("Iemand anders doet dit al. Dank je wel dat je erover dacht.")
        case Outcome.NOT_THIS_TIME:
            return _("Dat is goed. Niemand hoort dat je nee zei.")
    return _("Deze hulpvraag staat niet meer open.")


def made_text(what: str) -> str:
    return "📌 " + _("Dit is nu een afspraak: {what}. Je ziet het bij /agreements.").format(what=what)


def refusal() -> str:
    return _("Alleen wie de kring regelt, kan de kring iets vragen, met /ask.")


def private_only() -> str:
    return _("Dit doe je in een privégesprek met mij. Stuur mij daar /ask.")


def nobody_text() -> str:
    return _("Er is nog niemand in de kring aan wie ik het kan vragen. Nodig eerst iemand uit met /invite.")


def sent_text(count: int) -> str:
    asked = ngettext("Ik heb het aan {count} persoon gevraagd.", "Ik heb het aan {count} mensen gevraagd.", count)
    return asked.format(count=count) + " " + _("Ik laat je weten wie het doet.")
