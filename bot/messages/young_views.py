"""The young person's say, on screen: the question about an agreement and about a person, their
buttons (✓ marks the current answer), and the coordinators' private message about an opinion."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callbacks
from bot.db.models import AgreementOpinion, Delivery, PersonWish
from bot.i18n import _, bidi, pgettext
from bot.messages.buttons import marked
from bot.plan_text import opinion_words
from bot.services import authz, young_views
from bot.services.authz import Action
from scheduler.sender import Rendered

OPINION = "yo"  # yo:agreement_id:ask|<AgreementOpinion>
WISH = "yw"  # yw:member_id:ask|<PersonWish>|none
PEOPLE = "ywl"  # ywl:circle_id — back to the list
ASK = "ask"
NO_WISH = "none"  # "I don't know": clears the mark


def opinion_labels() -> dict[AgreementOpinion, str]:
    return {
        AgreementOpinion.HELPS: pgettext("button", "👍 Dit helpt"),
        AgreementOpinion.DOES_NOT_HELP: pgettext("button", "👎 Dit helpt niet"),
        AgreementOpinion.RATHER_ELSE: pgettext("button", "💡 Liever iets anders"),
    }


def ask_button(agreement_id: int, label: str | None = None) -> InlineKeyboardButton:
    """Under an agreement the young person sees."""
    return InlineKeyboardButton(
        label or pgettext("button", "💬 Wat vind jij ervan?"),
        callback_data=callbacks.encode(OPINION, agreement_id, ASK),
    )


def opinion_question(
    agreement_id: int, what: str, current: AgreementOpinion | None, *, thanks: bool = False
) -> tuple[str, InlineKeyboardMarkup]:
    lines: list[str] = [pgettext("jongere", "Dank je! Ik laat het weten aan wie de kring regelt.")] if thanks else []
    lines += [
        pgettext("jongere", "Wat vind jij van deze afspraak?"),
        f"“{bidi(what)}”",
        pgettext("jongere", "Alleen wie de kring regelt, ziet je antwoord. Je kunt het altijd veranderen."),
    ]
    rows = [
        [
            InlineKeyboardButton(
                marked(label, chosen=opinion == current),
                callback_data=callbacks.encode(OPINION, agreement_id, opinion.value),
            )
        ]
        for opinion, label in opinion_labels().items()
    ]
    return "\n".join(lines), InlineKeyboardMarkup(rows)


async def opinion_told(session: AsyncSession, delivery: Delivery) -> Rendered | None:
    """To each coordinator, privately."""
    if not await authz.still_allowed(session, delivery.person_id, delivery.circle_id, Action.SEE_YOUNG_VIEW):
        return None  # no longer one who leads the circle (or gone): nothing of the young person's
    payload = delivery.payload
    found = await young_views.opinion_notice(
        session, payload.get("opinion_id"), payload.get("opinion"), payload.get("at")
    )
    if found is None:
        return None
    return Rendered(
        "💬 "
        + _("{young} over '{what}': {opinion}.").format(
            young=bidi(found.young.display_name), what=bidi(found.agreement.what), opinion=opinion_words(found.opinion)
        )
        + "\n"
        + _("Alleen wie de kring regelt, ziet dit. Je vindt het ook in /plan.")
    )


# -- whom they would want in the circle -----------------------------------------------------


def wish_icon(wish: PersonWish | None) -> str:
    return {PersonWish.WANT: "👍", PersonWish.RATHER_NOT: "🙅"}.get(wish, "") if wish else ""


def people_view(listed: young_views.PeopleView, *, noted: bool = False) -> tuple[str, InlineKeyboardMarkup | None]:
    lines: list[str] = [pgettext("jongere", "Genoteerd.")] if noted else []
    if not listed.people:
        return "\n".join([*lines, pgettext("jongere", "Er doet nog niemand anders mee.")]), None
    lines += [
        pgettext("jongere", "Wie wil jij erbij? Kies een naam."),
        pgettext("jongere", "Alleen wie de kring regelt, ziet wat je kiest. De mensen zelf niet."),
    ]
    buttons = [
        InlineKeyboardButton(
            f"{wish_icon(wish)} {member.display_name}".strip(), callback_data=callbacks.encode(WISH, member.id, ASK)
        )
        for member, wish in listed.people
    ]
    return "\n".join(lines), InlineKeyboardMarkup([buttons[i : i + 2] for i in range(0, len(buttons), 2)])


def wish_question(
    member_id: int, circle_id: int, name: str, current: PersonWish | None
) -> tuple[str, InlineKeyboardMarkup]:
    choices = [
        (pgettext("button", "👍 Ja, graag"), PersonWish.WANT.value, current == PersonWish.WANT),
        (pgettext("button", "🙅 Liever niet"), PersonWish.RATHER_NOT.value, current == PersonWish.RATHER_NOT),
        (pgettext("button", "🤷 Weet ik niet"), NO_WISH, current is None),
    ]
    rows = [
        [InlineKeyboardButton(marked(label, chosen=chosen), callback_data=callbacks.encode(WISH, member_id, value))]
        for label, value, chosen in choices
    ]
    rows.append(
        [InlineKeyboardButton(pgettext("button", "⬅️ Terug"), callback_data=callbacks.encode(PEOPLE, circle_id))]
    )
    return pgettext("jongere", "Wil je dat {name} meedoet?").format(name=bidi(name)), InlineKeyboardMarkup(rows)


def wish_words(young: str, wish: PersonWish) -> str:
    """What a coordinator reads by a member's name in /members."""
    if wish == PersonWish.WANT:
        return "👍 " + _("{young} wil deze persoon erbij").format(young=bidi(young))
    return "🙅 " + _("{young} wil deze persoon liever niet erbij").format(young=bidi(young))
