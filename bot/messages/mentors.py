"""The young person's trusted adult: the parents' question, and what the young person hears back.
Renderers for the outbox, and the screens the mentor handlers show."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callbacks
from bot.db.models import Delivery, MemberStatus
from bot.i18n import _, pgettext
from bot.messages.buttons import choices
from bot.services import authz, mentors, notices
from bot.services.authz import Action
from scheduler.sender import Rendered

#: A coordinator's yes or no to the young person's choice: ``mtd:member_id:yes|no``.
DECIDE = "mtd"
#: The young person's link for the mentor the parents agreed to: ``mtl:member_id``.
LINK = "mtl"


async def proposed(session: AsyncSession, delivery: Delivery) -> Rendered | None:
    if not await authz.still_allowed(session, delivery.person_id, delivery.circle_id, Action.DECIDE_MENTOR):
        return None  # no longer one who leads the circle (or gone)
    mentor = await notices.member(session, delivery.payload.get("member_id"))
    if mentor is None or mentor.status != MemberStatus.PROPOSED:
        return None  # decided in the meantime
    young = await notices.member(session, mentor.mentor_of_member_id)
    if young is None or young.status != MemberStatus.ACTIVE:
        return None
    lines = [
        _("{young} wil graag {name} als vertrouwenspersoon.").format(young=young.display_name, name=mentor.display_name)
    ]
    if mentor.proposal_reason:
        lines.append(_("Waarom: {reason}").format(reason=mentor.proposal_reason))
    lines.append(
        _("{name} ziet dan wat jullie met de hele kring delen. {name} hoort niets voordat jullie ja zeggen.").format(
            name=mentor.display_name
        )
    )
    lines.append(_("Vinden jullie dat goed?"))
    return Rendered(
        "\n\n".join(lines),
        choices(
            DECIDE, mentor.id, (pgettext("button", "✅ Ja, dat is goed"), "yes"), (pgettext("button", "Nee"), "no")
        ),
    )


def link_button(member_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(pgettext("button", "🔗 Maak de link"), callback_data=callbacks.encode(LINK, member_id))]]
    )


async def agreed(session: AsyncSession, delivery: Delivery) -> Rendered | None:
    mentor = await notices.member(session, delivery.payload.get("member_id"))
    if mentor is None or mentor.status != MemberStatus.INVITED:
        return None
    return Rendered(
        pgettext(
            "jongere",
            "Goed nieuws! Je ouders vinden {name} een goede vertrouwenspersoon. "
            "Maak nu een link en stuur die aan {name}.",
        ).format(name=mentor.display_name),
        link_button(mentor.id),
    )


async def refused(session: AsyncSession, delivery: Delivery) -> Rendered | None:
    mentor = await notices.member(session, delivery.payload.get("member_id"))
    if mentor is None or mentor.status != MemberStatus.REFUSED:
        return None  # (two parents at once: the yes won)
    return Rendered(
        pgettext(
            "jongere",
            "Je vroeg of {name} je vertrouwenspersoon mag zijn. Je ouders willen liever iemand anders. "
            "Dat is niet erg. Wie vertrouw je nog meer? Kies /mentor.",
        ).format(name=mentor.display_name)
    )


# -- the screens of the mentor handlers --------------------------------------------------------


def decided_text(decided: mentors.Decided) -> str:
    """Said under the parents' question once one of them answered."""
    young, name = decided.young.display_name, decided.mentor.display_name
    if decided.agreed:
        return "✅ " + _(
            "Ik vertel het {young}. {young} stuurt {name} zelf een link. Daarna vraag ik jullie: is dit echt {name}?"
        ).format(young=young, name=name)
    return _("Ik vertel {young} dat jullie liever iemand anders willen. {name} hoort hier niets van.").format(
        young=young, name=name
    )


def link_text(name: str, link: str) -> str:
    """The young person's link to pass on to their mentor."""
    return "\n\n".join(
        [
            pgettext("jongere", "Stuur deze link aan {name}, bijvoorbeeld via WhatsApp:").format(name=name)
            + "\n"
            + link,
            pgettext(
                "jongere",
                "De link werkt één keer, 14 dagen lang. Doet {name} mee? Dan kijken je ouders nog even of het klopt.",
            ).format(name=name),
        ]
    )


def waiting_text(name: str) -> str:
    return pgettext(
        "jongere", "Je ouders kiezen nog over {name}. Wil je toch iemand anders kiezen? Dat mag. Dan vervalt die vraag."
    ).format(name=name)


def current_text(name: str) -> str:
    return pgettext("jongere", "Je vertrouwenspersoon is nu {name}. Wil je iemand anders kiezen? Dat mag.").format(
        name=name
    )


def refusal() -> str:
    return _("Een vertrouwenspersoon kiest de jongere zelf, met /mentor.")


def private_only() -> str:
    return pgettext("jongere", "Dit doe je in een privégesprek met mij. Stuur mij daar /mentor.")


def asked_text(name: str) -> str:
    return pgettext("jongere", "Ik heb het je ouders gevraagd. Ik laat je weten wat ze van {name} vinden.").format(
        name=name
    )
