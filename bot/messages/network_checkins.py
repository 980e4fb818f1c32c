"""A network member's check-in and what they hear about it (who chose it; their own pause, stop
and sharing buttons), and what the family hears: that a member stopped, or would like to talk."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callbacks
from bot.db.models import Delivery, Feeling, HadContact, Member, NetworkCheckin, Outcome
from bot.i18n import _, ngettext, pgettext
from bot.services import network_checkins
from scheduler.sender import Rendered

ANSWER = "nc"  # nc:checkin_id:field:value — the member's answers
OWN = "nm"  # nm:circle_id:what — the member's own pause, stop and sharing


def contact_labels() -> dict[HadContact, str]:
    return {
        HadContact.YES: pgettext("button", "Ja"),
        HadContact.NO: pgettext("button", "Nee"),
        HadContact.TRIED: pgettext("button", "Geprobeerd"),
    }


def contact_words() -> dict[HadContact, str]:
    return {HadContact.YES: _("ja"), HadContact.NO: _("nee"), HadContact.TRIED: _("geprobeerd")}


def feeling_labels() -> dict[Feeling, str]:
    return {
        Feeling.FINE: "🙂 " + pgettext("button", "Goed"),
        Feeling.HEAVY: "😓 " + pgettext("button", "Zwaar"),
        Feeling.WANT_TO_TALK: "💬 " + pgettext("button", "Ik wil met het gezin praten"),
    }


def answer_button(text: str, checkin_id: int, field: str, value: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=callbacks.encode(ANSWER, checkin_id, field, value))


def feeling_buttons(checkin_id: int) -> InlineKeyboardMarkup:
    """The second question, after "had je contact?"."""
    return InlineKeyboardMarkup(
        [[answer_button(label, checkin_id, "feeling", kind.value)] for kind, label in feeling_labels().items()]
    )


def tell_button(checkin_id: int) -> InlineKeyboardButton:
    return answer_button("📣 " + pgettext("button", "Ja, laat het gezin weten"), checkin_id, "tell", "1")


def share_buttons(checkin_id: int) -> InlineKeyboardMarkup:
    """May the family read the note just written?"""
    return InlineKeyboardMarkup(
        [
            [
                answer_button(pgettext("button", "Ja, deel het"), checkin_id, "share", "1"),
                answer_button(pgettext("button", "Nee, alleen voor mij"), checkin_id, "share", "0"),
            ]
        ]
    )


def own_buttons(circle_id: int, shared: bool, *, pause: bool = True) -> list[list[InlineKeyboardButton]]:
    """Withdrawing is as easy as giving: pause, stop, and what the family may see."""
    share = (
        InlineKeyboardButton(
            "🙈 " + pgettext("button", "Het gezin hoeft dit niet te zien"),
            callback_data=callbacks.encode(OWN, circle_id, "private"),
        )
        if shared
        else InlineKeyboardButton(
            "👀 " + pgettext("button", "Het gezin mag dit zien"),
            callback_data=callbacks.encode(OWN, circle_id, "shared"),
        )
    )
    rows = [[share]]
    stop = InlineKeyboardButton(
        "🚫 " + pgettext("button", "Stop deze vragen"), callback_data=callbacks.encode(OWN, circle_id, "stop")
    )
    if pause:
        rows.append(
            [
                InlineKeyboardButton(
                    "⏸ " + pgettext("button", "4 weken pauze"), callback_data=callbacks.encode(OWN, circle_id, "pause")
                ),
                stop,
            ]
        )
    else:
        rows.append([stop])
    return rows


def resume_button(circle_id: int) -> InlineKeyboardMarkup:
    """After "stop": the member can change their mind."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    "▶️ " + pgettext("button", "Toch weer aanzetten"),
                    callback_data=callbacks.encode(OWN, circle_id, "resume"),
                )
            ]
        ]
    )


def what_the_family_sees(member: Member, checkin: NetworkCheckin | None) -> str:
    if not member.checkin_shared:
        return "👀 " + _("Het gezin ziet niets van je antwoorden.")
    parts = []
    if checkin is not None and checkin.had_contact is not None:
        parts.append(_("contact: {answer}").format(answer=contact_words()[checkin.had_contact]))
    if checkin is not None and checkin.feeling == Feeling.WANT_TO_TALK:
        parts.append(_("je wilt graag met ze praten"))
    if checkin is None:
        return "👀 " + _("Het gezin ziet alleen of je contact had en of je graag wilt praten.")
    return "👀 " + _("Dit ziet het gezin bij de volgende check-in: {what}.").format(what=", ".join(parts) or _("niets"))


# -- the check-in ------------------------------------------------------------------------------


async def checkin_message(session: AsyncSession, delivery: Delivery) -> Rendered | None:
    ask = await network_checkins.to_ask(session, delivery.payload.get("checkin_id"), delivery.due_at)
    if ask is None:
        return None
    checkin, member, circle, back = ask.checkin, ask.member, ask.circle, ask.back
    lines = [
        "🌱 "
        + _("{name}, hoe gaat het met jou in de kring van {circle}?").format(
            name=member.display_name, circle=circle.name
        )
    ]
    previous = back.previous
    if previous is None:
        lines.append(_("Je doet veel voor het gezin. Daarom vraag ik af en toe hoe het met jou gaat."))
    else:
        said = []
        if previous.had_contact is not None:
            said.append(_("contact: {answer}").format(answer=contact_words()[previous.had_contact]))
        if previous.feeling is not None:
            said.append(feeling_labels()[previous.feeling])
        lines.append("👀 " + _("Vorige keer: {answers}.").format(answers=", ".join(said)))
        if previous.note:
            lines.append(_("Je schreef: “{note}”").format(note=previous.note))
    done = back.outcomes[Outcome.DONE]
    missed = sum(back.outcomes.values()) - done
    if done or missed:
        lines.append(
            _("Je afspraken in de afgelopen weken: {done} gedaan, {missed} niet gelukt of door een ander.").format(
                done=done, missed=missed
            )
        )
    lines += ["", _("Had je contact met het gezin sinds de vorige keer?")]
    buttons = [[answer_button(label, checkin.id, "contact", kind.value) for kind, label in contact_labels().items()]]
    return Rendered("\n".join(lines), InlineKeyboardMarkup(buttons + own_buttons(circle.id, member.checkin_shared)))


# -- messages about the check-ins --------------------------------------------------------------


async def chosen(session: AsyncSession, delivery: Delivery) -> Rendered | None:
    found = await network_checkins.chosen(
        session, delivery.circle_id, delivery.payload.get("by_member_id"), delivery.person_id
    )
    if found is None:
        return None
    circle, by, member = found.circle, found.by, found.member
    by_name = by.display_name if by is not None else circle.name
    weeks = delivery.payload.get("weeks", 0)
    if not weeks:
        return Rendered(
            "🌱 "
            + _("{name} heeft je check-ins in de kring van {circle} uitgezet. Je afspraken lopen gewoon door.").format(
                name=by_name, circle=circle.name
            )
        )
    text = "\n\n".join(
        [
            "🌱 "
            + ngettext(
                "{name} wil graag weten hoe het met jou gaat. Daarom vraag ik het je elke week, in de kring van {circle}.",
                "{name} wil graag weten hoe het met jou gaat. Daarom vraag ik het je elke {count} weken, in de kring van {circle}.",
                weeks,
            ).format(name=by_name, count=weeks, circle=circle.name),
            _(
                "Het gezin ziet alleen of je contact had en of je graag wilt praten. Wat je erbij schrijft, ziet het gezin alleen als jij dat kiest."
            ),
            _("Liever niet, of even niet? Dat mag. Kies hieronder."),
        ]
    )
    return Rendered(text, InlineKeyboardMarkup(own_buttons(circle.id, member.checkin_shared)))


async def stopped(session: AsyncSession, delivery: Delivery) -> Rendered | None:
    member = await network_checkins.find_member(session, delivery.payload.get("member_id"))
    if member is None:
        return None
    return Rendered(
        "🌱 "
        + _(
            "{name} krijgt geen check-ins meer. {name} koos dat zelf, en dat is goed. "
            "De afspraken van {name} lopen gewoon door."
        ).format(name=member.display_name)
    )


async def wants_to_talk(session: AsyncSession, delivery: Delivery) -> Rendered | None:
    member = await network_checkins.find_member(session, delivery.payload.get("member_id"))
    if member is None:
        return None
    return Rendered(
        "🌱 "
        + _("{name} wil graag met jullie praten over hoe het gaat. Bel of zoek {name} even op, als het kan.").format(
            name=member.display_name
        )
    )
