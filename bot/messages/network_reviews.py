"""The network asked too at a review moment: the family's choice, each member's private
questions, and what the family sees when a member shares their answers."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callbacks
from bot.db.models import Delivery, StillWorks
from bot.i18n import _, pgettext
from bot.services import network_reviews
from scheduler.sender import Rendered

CHOOSE = "nra"  # nra:round_id:yes|no — whoever runs the circle chooses to ask the network
ANSWER = "nrv"  # nrv:review_id:field:value — the member's answers


def works_labels() -> dict[StillWorks, str]:
    return {
        StillWorks.YES: pgettext("button", "Ja"),
        StillWorks.SOMEWHAT: pgettext("button", "Een beetje"),
        StillWorks.NO: pgettext("button", "Nee"),
    }


def works_words(name: str, works: StillWorks) -> str:
    """What the family reads about a member's part."""
    return {
        StillWorks.YES: _("{name} zegt: mijn deel past nog goed."),
        StillWorks.SOMEWHAT: _("{name} zegt: mijn deel past maar een beetje."),
        StillWorks.NO: _("{name} zegt: mijn deel past niet meer goed."),
    }[works].format(name=name)


def choose_buttons(round_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    pgettext("button", "Ja, vraag het ze"), callback_data=callbacks.encode(CHOOSE, round_id, "yes")
                ),
                InlineKeyboardButton(
                    pgettext("button", "Nee, nu niet"), callback_data=callbacks.encode(CHOOSE, round_id, "no")
                ),
            ]
        ]
    )


def answer_button(text: str, review_id: int, field: str, value: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=callbacks.encode(ANSWER, review_id, field, value))


def skip_buttons(review_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[answer_button(pgettext("button", "Overslaan"), review_id, "skip", "1")]])


def share_buttons(review_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                answer_button(pgettext("button", "Ja, deel het"), review_id, "share", "1"),
                answer_button(pgettext("button", "Nee, alleen voor mij"), review_id, "share", "0"),
            ]
        ]
    )


def rather_question() -> str:
    return _("Wil je liever iets anders doen? Schrijf het in een kort bericht. Of tik op Overslaan.")


def share_question() -> str:
    return _("Mag het gezin je antwoord zien? Alleen als jij dat wilt.")


# -- the messages ------------------------------------------------------------------------------


async def offer_message(session: AsyncSession, delivery: Delivery) -> Rendered | None:
    found = await network_reviews.review_round(session, delivery.payload.get("round_id"))
    if found is None or await network_reviews.already_asked(session, found.id):
        return None
    if not await network_reviews.network(session, found.circle_id):
        return None
    text = "\n".join(
        [
            "👥 " + _("Zal ik ook de mensen om jullie heen vragen hoe het gaat?"),
            _("Ik vraag ieder apart of hun deel nog past."),
            _("Jullie zien alleen wat zij willen delen. Wie de kring regelt, kiest."),
        ]
    )
    return Rendered(text, choose_buttons(found.id))


async def ask_message(session: AsyncSession, delivery: Delivery) -> Rendered | None:
    found = await network_reviews.to_ask(session, delivery.payload.get("review_id"))
    if found is None:
        return None
    review, member, circle = found.review, found.member, found.circle
    lines = [
        "👥 "
        + _("{name}, {circle} kijkt terug op de afgelopen weken.").format(name=member.display_name, circle=circle.name),
        _("Ze willen ook weten hoe het voor jou gaat."),
    ]
    if member.helps_with:
        lines.append(_("Je helpt met: {what}.").format(what=member.helps_with))
    lines += [
        _("Alleen jij ziet je antwoord. Het gezin ziet het alleen als jij dat kiest."),
        "",
        _("Past jouw deel nog bij jou?"),
    ]
    buttons = [[answer_button(label, review.id, "works", kind.value) for kind, label in works_labels().items()]]
    return Rendered("\n".join(lines), InlineKeyboardMarkup(buttons))


async def shared_message(session: AsyncSession, delivery: Delivery) -> Rendered | None:
    shared = await network_reviews.shared_review(session, delivery.payload.get("review_id"))
    if shared is None:
        return None
    lines = [
        "👥 " + _("{name} keek ook terug op de afgelopen weken.").format(name=shared.name),
        works_words(shared.name, shared.still_works),
    ]
    if shared.rather_else:
        lines.append(_("{name} doet liever iets anders: “{words}”").format(name=shared.name, words=shared.rather_else))
    if shared.still_works != StillWorks.YES or shared.rather_else:
        lines.append(_("Praat er samen over, als het kan. Met /agreements pas je een afspraak aan."))
    return Rendered("\n".join(lines))
