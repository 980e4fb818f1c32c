"""Check-ins with network members: their answers in a few taps and their own pause / stop /
sharing buttons. The question itself is rendered by :mod:`bot.messages.network_checkins`; the
coordinators choose under /checkin (:mod:`bot.flows.checkins`); a typed note is
:mod:`bot.flows.network_checkins`."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot import callbacks
from bot.db.models import Feeling, HadContact
from bot.flows import network_checkins as note_flow
from bot.flows.flow import Reply
from bot.handlers import flows
from bot.handlers.flows import button_action
from bot.i18n import _, format_date
from bot.messages.network_checkins import (
    ANSWER,
    OWN,
    feeling_buttons,
    own_buttons,
    resume_button,
    tell_button,
    what_the_family_sees,
)

# (still read from here by /mydata)
from bot.runtime import KringContext
from bot.services import network_checkins


async def answer_pressed(update: Update, context: KringContext) -> None:
    query = update.callback_query
    assert query is not None
    runtime = context.runtime
    now = runtime.clock.now()
    chat_id = query.message.chat.id if isinstance(query.message, Message) else None

    async def apply(session: AsyncSession, person_id: int, values: list[str]) -> tuple[str | None, Reply]:
        """(a short toast or ``None``, the message's new text and buttons)"""
        checkin_id, field, value = callbacks.as_int(values[0]), values[1], values[2]
        if field == "contact":
            await network_checkins.answer_contact(
                session, checkin_id, person_id=person_id, had_contact=callbacks.as_enum(HadContact, value), now=now
            )
            return None, (_("Hoe voelde het, de afgelopen tijd?"), feeling_buttons(checkin_id))
        if field == "feeling":
            checkin = await network_checkins.answer_feeling(
                session, checkin_id, person_id=person_id, feeling=callbacks.as_enum(Feeling, value), now=now
            )
            if chat_id is not None:  # a typed reply becomes the answer's note
                await flows.offer(
                    context, session, chat_id, note_flow.NOTE, note_flow.NoteDraft(checkin.id), step="note"
                )
            return _("Dank je wel!"), _thanks(await network_checkins.answered(session, checkin))
        if field == "tell":
            checkin = await network_checkins.tell_family(session, checkin_id, person_id=person_id, now=now)
            return _("Ik laat het gezin weten dat je graag wilt praten."), _thanks(
                await network_checkins.answered(session, checkin)
            )
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


def _thanks(answered: network_checkins.Answered) -> Reply:
    checkin, member = answered.checkin, answered.member
    lines = [_("Dank je wel, {name}.").format(name=member.display_name)]
    rows: list[list[InlineKeyboardButton]] = []
    if checkin.feeling in (Feeling.HEAVY, Feeling.WANT_TO_TALK) and checkin.family_told_at is None:
        lines.append(
            _(
                "Fijn dat je het zegt. Praten met het gezin helpt vaak. Zal ik het gezin nu een bericht sturen "
                "dat je graag wilt praten? Dat doe ik alleen als jij ja zegt."
            )
        )
        rows.append([tell_button(checkin.id)])
    elif checkin.family_told_at is not None:
        lines.append(_("Het gezin weet dat je graag wilt praten."))
    if answered.heavy_again:
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
        rows + own_buttons(checkin.circle_id, member.checkin_shared, pause=answered.heavy_again)
    )


# -- the member's own settings -----------------------------------------------------------------


async def own_pressed(update: Update, context: KringContext) -> None:
    query = update.callback_query
    assert query is not None
    now = context.runtime.clock.now()

    async def apply(session: AsyncSession, person_id: int, values: list[str]) -> Reply:
        circle_id, what = callbacks.as_int(values[0]), values[1]
        if what == "pause":
            member = await network_checkins.pause(session, circle_id, person_id=person_id, now=now)
            day = await network_checkins.paused_until(session, member)
            return _("Goed. Tot {date} vraag ik je niets. Je afspraken lopen gewoon door.").format(
                date=format_date(day, format="d MMMM")
            ), None
        if what == "stop":
            await network_checkins.stop(session, circle_id, person_id=person_id, now=now)
            return _(
                "Goed. Ik stel je deze vragen niet meer. Het gezin hoort dat je dit koos. "
                "Je afspraken lopen gewoon door."
            ), resume_button(circle_id)
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


def handlers() -> list[BaseHandler[Update, KringContext, None]]:
    return [
        CallbackQueryHandler(answer_pressed, pattern=callbacks.pattern(ANSWER)),
        CallbackQueryHandler(own_pressed, pattern=callbacks.pattern(OWN)),
    ]
