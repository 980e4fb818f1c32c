"""Felt support: the short question set at a review moment, one question per screen (each an edit
of the same private message). The young person gets their own wording (``jongere``)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callbacks
from bot.db.models import Delivery, FeltSupport, SupportKind
from bot.i18n import npgettext, pgettext
from bot.messages.buttons import marked
from bot.plan_text import SUPPORT_ICONS
from bot.services import checkins, support
from bot.services.support import Own
from scheduler.sender import Rendered

ANSWER = "fs"  # fs:round_id:kind:field:value — felt, often, src (a toggle), next
Reply = tuple[str, InlineKeyboardMarkup | None]


def kind_words(kind: SupportKind, *, young: bool) -> str:
    if young:
        return {
            SupportKind.EMOTIONAL: pgettext("jongere", "iemand die naar je luistert"),
            SupportKind.PRACTICAL: pgettext("jongere", "hulp bij praktische dingen"),
            SupportKind.ADVICE: pgettext("jongere", "goede tips en advies"),
            SupportKind.COMPANY: pgettext("jongere", "samen iets doen, of iemand die op je let"),
        }[kind]
    return {
        SupportKind.EMOTIONAL: pgettext("support", "iemand die luistert"),
        SupportKind.PRACTICAL: pgettext("support", "praktische hulp"),
        SupportKind.ADVICE: pgettext("support", "advies"),
        SupportKind.COMPANY: pgettext("support", "gezelschap of een oogje in het zeil"),
    }[kind]


def felt_labels() -> dict[FeltSupport, str]:
    return {
        FeltSupport.YES: pgettext("button", "Ja"),
        FeltSupport.SOMEWHAT: pgettext("button", "Een beetje"),
        FeltSupport.NO: pgettext("button", "Nee"),
    }


def how_often_labels() -> dict[str, str]:
    return {
        "never": pgettext("button", "Nooit"),
        "once": pgettext("button", "Eén keer"),
        "weekly": pgettext("button", "Elke week"),
        "more": pgettext("button", "Vaker"),
    }


def source_labels() -> dict[str, str]:
    return {
        "family": pgettext("button", "Familie"),
        "friends": pgettext("button", "Vrienden"),
        "neighbours": pgettext("button", "Buren"),
        "network": pgettext("button", "Iemand uit de kring"),
        "professional": pgettext("button", "De hulpverlener"),
    }


def _button(text: str, own: Own, kind: SupportKind, name: str, value: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=callbacks.encode(ANSWER, own.round_id, kind.value, name, value))


def first_screen(own: Own) -> Reply:
    """The opening: what this is, who sees what, then the first question."""
    if own.young:
        intro = [
            "🤝 "
            + pgettext("jongere", "Hoi {name}! Ik heb een paar korte vragen over steun.").format(
                name=own.member.display_name
            ),
            pgettext("jongere", "Je gezin ziet alleen een optelling. Niet wat jij koos."),
        ]
    else:
        intro = [
            "🤝 " + pgettext("support", "Ik heb een paar korte vragen over steun. Alleen voor jou."),
            pgettext("support", "Het gezin ziet alleen een optelling, zonder namen."),
        ]
    text, buttons = felt_screen(own, support.ASKED[0])
    return "\n".join(intro) + "\n\n" + text, buttons


def felt_screen(own: Own, kind: SupportKind) -> Reply:
    number = support.ASKED.index(kind) + 1
    head = f"{SUPPORT_ICONS[kind]} {number}/{len(support.ASKED)}: {kind_words(kind, young=own.young)}"
    if own.young:
        question = npgettext(
            "jongere",
            "Voelde je je de afgelopen week hierin gesteund?",
            "Voelde je je de afgelopen {count} weken hierin gesteund?",
            own.weeks,
        )
    else:
        question = npgettext(
            "support",
            "Voelde je je de afgelopen week hierin gesteund?",
            "Voelde je je de afgelopen {count} weken hierin gesteund?",
            own.weeks,
        )
    row = [_button(label, own, kind, "felt", felt.value) for felt, label in felt_labels().items()]
    return f"{head}\n{question.format(count=own.weeks)}", InlineKeyboardMarkup([row])


def often_screen(own: Own, kind: SupportKind) -> Reply:
    question = (
        pgettext("jongere", "Hoe vaak kreeg je dit?") if own.young else pgettext("support", "Hoe vaak kreeg je dit?")
    )
    buttons = [_button(label, own, kind, "often", value) for value, label in how_often_labels().items()]
    return question, InlineKeyboardMarkup([buttons[:2], buttons[2:]])


def sources_screen(own: Own, kind: SupportKind) -> Reply:
    """Tap several: ✓ on what is chosen now."""
    chosen = set(own.answers[kind].sources or []) if kind in own.answers else set()
    question = (
        pgettext("jongere", "Van wie kreeg je het? Kies er één of meer.")
        if own.young
        else pgettext("support", "Van wie kreeg je het? Kies er één of meer.")
    )
    rows = [
        [_button(marked(label, chosen=value in chosen), own, kind, "src", value)]
        for value, label in source_labels().items()
    ]
    rows.append([_button(pgettext("button", "Klaar"), own, kind, "next", "1")])
    return question, InlineKeyboardMarkup(rows)


def done_screen(own: Own) -> Reply:
    if own.young:
        return "🙏 " + pgettext("jongere", "Dank je wel voor je antwoorden!"), None
    return "🙏 " + pgettext("support", "Dank je wel. Je antwoorden tellen mee in 'Hoe ging het?'."), None


def next_screen(own: Own, kind: SupportKind, field: str) -> Reply:
    """The screen after a tap on ``field`` of ``kind``."""
    if field == "felt":
        return often_screen(own, kind)
    if field == "src" or (field == "often" and own.answers[kind].how_often != "never"):
        return sources_screen(own, kind)
    following = own.after(kind)
    return felt_screen(own, following) if following is not None else done_screen(own)


async def ask_message(session: AsyncSession, delivery: Delivery) -> Rendered | None:
    """The question set, privately; nothing when the review or the member is gone, or when it
    reached someone else's account."""
    if await checkins.current_round(session, delivery.payload.get("round_id")) is None:
        return None
    own = await support.to_ask(session, delivery.payload.get("round_id"), delivery.payload.get("member_id"))
    if own is None or own.member.person_id != delivery.person_id:
        return None
    return Rendered(*first_screen(own))
