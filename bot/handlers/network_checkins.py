"""Check-ins with network members: the question in their private chat, their answers in a few
taps, their own pause / stop / sharing buttons, and the coordinators' choice under /checkin."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot import callbacks
from bot.db.models import (
    Circle,
    Delivery,
    Draft,
    Feeling,
    HadContact,
    Member,
    NetworkCheckin,
    Outcome,
    Person,
)
from bot.handlers.flows import StepReply, button_action, on_text, take_note
from bot.i18n import _, format_date, ngettext, pgettext
from bot.runtime import KringContext
from bot.services import drafts, network_checkins
from scheduler.sender import Rendered

ANSWER = "nc"  # nc:checkin_id:field:value — the member's answers
OWN = "nm"  # nm:circle_id:what — the member's own pause, stop and sharing
NOTE_FLOW = "network_note"


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


def _answer_button(text: str, checkin_id: int, field: str, value: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=callbacks.encode(ANSWER, checkin_id, field, value))


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
    checkin = await session.get(NetworkCheckin, delivery.payload.get("checkin_id"))
    if checkin is None or not await network_checkins.still_open(session, checkin, delivery.due_at):
        return None
    member = await session.get_one(Member, checkin.member_id)
    circle = await session.get_one(Circle, checkin.circle_id)
    back = await network_checkins.member_look_back(session, checkin)
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
    buttons = [[_answer_button(label, checkin.id, "contact", kind.value) for kind, label in contact_labels().items()]]
    return Rendered("\n".join(lines), InlineKeyboardMarkup(buttons + own_buttons(circle.id, member.checkin_shared)))


async def answer_pressed(update: Update, context: KringContext) -> None:
    query = update.callback_query
    assert query is not None
    now = context.runtime.clock.now()
    chat_id = query.message.chat.id if isinstance(query.message, Message) else None

    async def apply(session: AsyncSession, person_id: int, values: list[str]) -> tuple[str | None, StepReply]:
        """(a short toast or ``None``, the message's new text and buttons)"""
        checkin_id, field, value = callbacks.as_int(values[0]), values[1], values[2]
        if field == "contact":
            await network_checkins.answer_contact(
                session, checkin_id, person_id=person_id, had_contact=callbacks.as_enum(HadContact, value), now=now
            )
            buttons = [
                [_answer_button(label, checkin_id, "feeling", kind.value)] for kind, label in feeling_labels().items()
            ]
            return None, (_("Hoe voelde het, de afgelopen tijd?"), InlineKeyboardMarkup(buttons))
        if field == "feeling":
            checkin = await network_checkins.answer_feeling(
                session, checkin_id, person_id=person_id, feeling=callbacks.as_enum(Feeling, value), now=now
            )
            if chat_id is not None:
                await _offer_note(session, person_id, chat_id, checkin, now)
            return _("Dank je wel!"), await _thanks(session, checkin)
        if field == "tell":
            checkin = await network_checkins.tell_family(session, checkin_id, person_id=person_id, now=now)
            return _("Ik laat het gezin weten dat je graag wilt praten."), await _thanks(session, checkin)
        if field == "share":
            checkin = await network_checkins.share_note(
                session, checkin_id, person_id=person_id, share=value == "1", now=now
            )
            return None, (
                (
                    _("Goed. Het gezin leest het bij de volgende check-in.")
                    if checkin.note_shared
                    else _("Goed. Alleen jij ziet het, bij je volgende check-in.")
                ),
                None,
            )
        raise callbacks.BadCallbackData(field)

    done = await button_action(update, context, ANSWER, 3, apply)
    if done is None:
        return
    toast, (text, buttons) = done
    await query.answer(toast)
    await query.edit_message_text(text, reply_markup=buttons)


async def _offer_note(
    session: AsyncSession, person_id: int, chat_id: int, checkin: NetworkCheckin, now: datetime
) -> None:
    """A typed reply becomes the answer's note — unless another conversation is open here."""
    open_draft = await drafts.current(session, person_id=person_id, chat_id=chat_id)
    if open_draft is None or open_draft.flow == NOTE_FLOW:
        await drafts.begin(
            session,
            person_id=person_id,
            chat_id=chat_id,
            flow=NOTE_FLOW,
            step="note",
            now=now,
            data={"checkin_id": checkin.id},
        )


async def _thanks(session: AsyncSession, checkin: NetworkCheckin) -> StepReply:
    member = await session.get_one(Member, checkin.member_id)
    lines = [_("Dank je wel, {name}.").format(name=member.display_name)]
    rows: list[list[InlineKeyboardButton]] = []
    if checkin.feeling in (Feeling.HEAVY, Feeling.WANT_TO_TALK) and checkin.family_told_at is None:
        lines.append(
            _(
                "Fijn dat je het zegt. Praten met het gezin helpt vaak. Zal ik het gezin nu een bericht sturen "
                "dat je graag wilt praten? Dat doe ik alleen als jij ja zegt."
            )
        )
        rows.append([_answer_button("📣 " + pgettext("button", "Ja, laat het gezin weten"), checkin.id, "tell", "1")])
    elif checkin.family_told_at is not None:
        lines.append(_("Het gezin weet dat je graag wilt praten."))
    heavy_again = await network_checkins.heavy_again(session, checkin)
    if heavy_again:
        lines.append(
            _(
                "Het is al een paar keer zwaar. Wil je even pauze? Dan vraag ik vier weken niets. "
                "Je afspraken lopen gewoon door."
            )
        )
    lines.append(
        _("Wil je er iets bij vertellen? Stuur me dan een kort bericht. Het gezin leest het alleen als jij dat kiest.")
    )
    lines.append(what_the_family_sees(member, checkin))
    return "\n\n".join(lines), InlineKeyboardMarkup(
        rows + own_buttons(checkin.circle_id, member.checkin_shared, pause=heavy_again)
    )


@on_text(NOTE_FLOW, waits=timedelta(hours=12))
async def note_written(update: Update, context: KringContext, text: str) -> None:
    async def save(session: AsyncSession, draft: Draft, person_id: int, note: str) -> tuple[int, bool]:
        checkin = await network_checkins.add_note(
            session, draft.data["checkin_id"], person_id=person_id, text=note, now=context.runtime.clock.now()
        )
        return checkin.id, (await session.get_one(Member, checkin.member_id)).checkin_shared

    saved = await take_note(update, context, text, limit=network_checkins.MAX_NOTE, save=save)
    message = update.effective_message
    if saved is None or message is None:
        return
    checkin_id, shared = saved
    if not shared:  # the family sees none of the answers: nothing to ask
        await message.reply_text(_("Goed. Alleen jij ziet het, bij je volgende check-in."))
        return
    share = InlineKeyboardMarkup(
        [
            [
                _answer_button(pgettext("button", "Ja, deel het"), checkin_id, "share", "1"),
                _answer_button(pgettext("button", "Nee, alleen voor mij"), checkin_id, "share", "0"),
            ]
        ]
    )
    await message.reply_text(_("Bewaard. Mag het gezin dit lezen?"), reply_markup=share)


# -- the member's own settings -----------------------------------------------------------------


async def own_pressed(update: Update, context: KringContext) -> None:
    query = update.callback_query
    assert query is not None
    now = context.runtime.clock.now()

    async def apply(
        session: AsyncSession, person_id: int, values: list[str]
    ) -> tuple[str, InlineKeyboardMarkup | None]:
        circle_id, what = callbacks.as_int(values[0]), values[1]
        if what == "pause":
            member = await network_checkins.pause(session, circle_id, person_id=person_id, now=now)
            person = await session.get_one(Person, person_id)
            circle = await session.get_one(Circle, circle_id)
            until = member.checkin_paused_until
            assert until is not None
            day = until.astimezone(ZoneInfo(person.time_zone or circle.time_zone)).date()
            return _("Goed. Tot {date} vraag ik je niets. Je afspraken lopen gewoon door.").format(
                date=format_date(day, format="d MMMM")
            ), None
        if what == "stop":
            await network_checkins.stop(session, circle_id, person_id=person_id, now=now)
            again = InlineKeyboardButton(
                "▶️ " + pgettext("button", "Toch weer aanzetten"),
                callback_data=callbacks.encode(OWN, circle_id, "resume"),
            )
            return _(
                "Goed. Ik stel je deze vragen niet meer. Het gezin hoort dat je dit koos. "
                "Je afspraken lopen gewoon door."
            ), InlineKeyboardMarkup([[again]])
        if what == "resume":
            await network_checkins.resume(session, circle_id, person_id=person_id, now=now)
            return _("Goed. Je krijgt de vragen weer, zoals eerst."), None
        if what in ("shared", "private"):
            member = await network_checkins.set_shared(
                session, circle_id, person_id=person_id, shared=what == "shared", now=now
            )
            text = (
                _("Goed. Het gezin ziet weer of je contact had en of je graag wilt praten.")
                if member.checkin_shared
                else _("Goed. Het gezin ziet niets meer van je antwoorden.")
            )
            return text, InlineKeyboardMarkup(own_buttons(circle_id, member.checkin_shared))
        raise callbacks.BadCallbackData(what)

    reply = await button_action(update, context, OWN, 2, apply)
    if reply is None:
        return
    await query.answer()
    await query.edit_message_text(reply[0], reply_markup=reply[1])


# -- messages about the check-ins --------------------------------------------------------------


async def chosen(session: AsyncSession, delivery: Delivery) -> Rendered | None:
    circle = await session.get(Circle, delivery.circle_id)
    by = await session.get(Member, delivery.payload.get("by_member_id"))
    member = await session.scalar(
        select(Member).where(Member.circle_id == delivery.circle_id, Member.person_id == delivery.person_id)
    )
    if circle is None or member is None:
        return None
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
                "{name} wil graag weten hoe het met jou gaat. Daarom vraag ik je elke week even hoe het gaat, in de kring van {circle}.",
                "{name} wil graag weten hoe het met jou gaat. Daarom vraag ik je elke {count} weken even hoe het gaat, in de kring van {circle}.",
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
    member = await session.get(Member, delivery.payload.get("member_id"))
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
    member = await session.get(Member, delivery.payload.get("member_id"))
    if member is None:
        return None
    return Rendered(
        "🌱 "
        + _("{name} wil graag met jullie praten over hoe het gaat. Bel of zoek {name} even op, als het kan.").format(
            name=member.display_name
        )
    )


# -- the coordinators' choice, under /checkin --------------------------------------------------


DraftButton = Callable[[str, int, str, object], InlineKeyboardButton]


async def choose_step(
    context: KringContext, session: AsyncSession, draft: Draft, field: str, value: str, button: DraftButton
) -> StepReply | None:
    """The /checkin draft's network part: ``network`` lists the members, ``member`` asks how
    often, ``every`` decides. ``button(text, draft_id, field, value)`` makes the draft's buttons."""
    now = context.runtime.clock.now()
    circle_id = draft.data["circle_id"]
    if field == "network" and draft.step == "rhythm":
        drafts.advance(draft, "network", now=now)
        rows = []
        for member, schedule in await network_checkins.network_members(session, circle_id):
            setting = (
                ngettext("elke week", "elke {count} weken", schedule.interval).format(count=schedule.interval)
                if schedule
                else _("zelf gestopt")
                if member.checkin_stopped_at
                else _("uit")
            )
            rows.append([button(f"{member.display_name} · {setting}", draft.id, "member", member.id)])
        if not rows:
            await drafts.finish(session, draft)
            return _("Er doet nog niemand om het gezin heen mee. Nodig iemand uit met /invite."), None
        return _("Wie krijgt af en toe een vraag hoe het met hem of haar gaat?"), InlineKeyboardMarkup(rows)
    if field == "member" and draft.step == "network" and value.isdigit():
        member = await network_checkins.network_member(session, callbacks.as_int(value), circle_id)
        if member.checkin_stopped_at is not None:
            await drafts.finish(session, draft)
            return _("{name} heeft deze vragen zelf gestopt. Alleen {name} kan ze weer aanzetten.").format(
                name=member.display_name
            ), None
        drafts.advance(draft, "every", now=now, member_id=member.id)
        choices = [
            button(
                ngettext("Elke week", "Elke {count} weken", w).format(count=w)
                + (" ✓" if w == network_checkins.SUGGESTED else ""),
                draft.id,
                "every",
                w,
            )
            for w in network_checkins.CHOICES
        ]
        return (
            _(
                "Hoe vaak vraag ik {name} hoe het gaat? {name} hoort dat jij dit koos, en kan het zelf pauzeren of stoppen."
            ).format(name=member.display_name),
            InlineKeyboardMarkup([choices, [button(pgettext("button", "Uit"), draft.id, "every", 0)]]),
        )
    if field == "every" and draft.step == "every" and value.isdigit():
        weeks = callbacks.as_int(value) or None
        member = await network_checkins.network_member(session, draft.data["member_id"], circle_id)
        await network_checkins.choose(
            session, circle_id, member.id, person_id=context.person_id or 0, weeks=weeks, now=now
        )
        await drafts.finish(session, draft)
        if weeks is None:
            return _("Goed. {name} krijgt geen check-ins.").format(name=member.display_name), None
        return ngettext(
            "Goed. {name} krijgt elke week een korte check-in. De eerste komt over een week.",
            "Goed. {name} krijgt elke {count} weken een korte check-in. De eerste komt over een week.",
            weeks,
        ).format(name=member.display_name, count=weeks), None
    return None


def handlers() -> list[BaseHandler[Update, KringContext, None]]:
    return [
        CallbackQueryHandler(answer_pressed, pattern=callbacks.pattern(ANSWER)),
        CallbackQueryHandler(own_pressed, pattern=callbacks.pattern(OWN)),
    ]
