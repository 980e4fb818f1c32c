"""The young person's own check-in: their answers in a few taps (each an edit of the same message,
privately), what they share, their own help; and /mycheckin, their rhythm. The question itself is
rendered by :mod:`bot.messages.young_checkins`."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Message, Update
from telegram.constants import ChatType
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot import callbacks
from bot.db.models import Mood, TalkWish
from bot.handlers.circle_choice import CircleCommand, with_circle
from bot.handlers.flows import button_action
from bot.i18n import _, pgettext
from bot.messages import young_checkins as messages
from bot.runtime import KringContext
from bot.services import authz, young_checkins
from bot.services.authz import Action


async def answer_pressed(update: Update, context: KringContext) -> None:
    query = update.callback_query
    assert query is not None
    message = query.message
    now = context.runtime.clock.now()

    async def apply(session: AsyncSession, person_id: int, values: list[str]) -> tuple[str | None, messages.Reply]:
        """(a short toast or ``None``, the message's new text and buttons)"""
        if not isinstance(message, Message) or message.chat.type != ChatType.PRIVATE:
            raise callbacks.BadCallbackData(values[1])  # their answers never show outside their own chat
        checkin_id, field, value = callbacks.as_int(values[0]), values[1], values[2]
        if field in young_checkins.FIELDS:
            mood = None if value == messages.SKIP and field == "at_school" else callbacks.as_enum(Mood, value).value
            found = await young_checkins.answer(
                session, checkin_id, person_id=person_id, field=field, value=mood, now=now
            )
            return None, messages.next_screen(found, field)
        if field == "talk":
            found = await young_checkins.answer(
                session,
                checkin_id,
                person_id=person_id,
                field=field,
                value=callbacks.as_enum(TalkWish, value).value,
                now=now,
            )
            return None, messages.share_screen(found)
        if field == "share":
            found = await young_checkins.toggle_share(session, checkin_id, person_id=person_id, field=value)
            return None, messages.share_screen(found)
        if field == "done":
            found = await young_checkins.finish_sharing(
                session, checkin_id, person_id=person_id, share=value == "1", now=now
            )
            return pgettext("jongere", "Dank je wel!"), messages.done_screen(found)
        if field == "parent":
            found = await young_checkins.tell_parent(session, checkin_id, person_id=person_id, now=now)
            return pgettext("jongere", "Ik laat je ouder weten dat je het moeilijk hebt."), messages.done_screen(found)
        if field == "mentor":
            found = await young_checkins.tell_mentor(session, checkin_id, person_id=person_id, now=now)
            assert found.mentor is not None
            return pgettext("jongere", "Ik laat {name} weten dat je wilt praten.").format(
                name=found.mentor.display_name
            ), messages.done_screen(found)
        raise callbacks.BadCallbackData(field)

    done = await button_action(update, context, messages.ANSWER, 3, apply)
    if done is None:
        return
    toast, (text, buttons) = done
    await query.answer(toast)
    await query.edit_message_text(text, reply_markup=buttons)


# -- /mycheckin --------------------------------------------------------------------------------


async def start(update: Update, context: KringContext) -> None:
    message = update.effective_message
    assert message is not None
    await with_circle(context, message, MYCHECKIN_COMMAND)


async def show(context: KringContext, message: Message, circle_id: int) -> None:
    if message.chat.type != ChatType.PRIVATE:
        await message.reply_text(pgettext("jongere", "Stuur me /mycheckin in je eigen chat met mij."))
        return
    async with context.runtime.reads() as session:
        try:
            rhythm = await young_checkins.rhythm(session, circle_id, person_id=context.person_id or 0)
        except authz.NotAllowed:
            await message.reply_text(MYCHECKIN_COMMAND.refusal())
            return
    text, buttons = messages.rhythm_screen(rhythm)
    await message.reply_text(text, reply_markup=buttons)


async def rhythm_pressed(update: Update, context: KringContext) -> None:
    query = update.callback_query
    assert query is not None

    async def apply(session: AsyncSession, person_id: int, values: list[str]) -> young_checkins.Rhythm:
        weeks = callbacks.as_int(values[1])
        return await young_checkins.choose(
            session,
            callbacks.as_int(values[0]),
            person_id=person_id,
            weeks=weeks or None,
            now=context.runtime.clock.now(),
        )

    rhythm = await button_action(update, context, messages.OWN, 2, apply)
    if rhythm is None:
        return
    await query.answer(pgettext("jongere", "Goed!"))
    if rhythm.weeks is None:
        await query.edit_message_text(
            pgettext("jongere", "Goed. Ik vraag je niets meer. Wil je het toch weer? Kies hoe vaak."),
            reply_markup=messages.rhythm_screen(rhythm)[1],
        )
        return
    text, buttons = messages.rhythm_screen(rhythm)
    await query.edit_message_text(text, reply_markup=buttons)


MYCHECKIN_COMMAND = CircleCommand(
    "mycheckin",
    authz.RULES[Action.ANSWER_YOUNG_CHECKIN],
    lambda: _("Dit is alleen voor de jongere zelf: een eigen check-in."),
    show,
)


def handlers() -> list[BaseHandler[Update, KringContext, None]]:
    return [
        CommandHandler("mycheckin", start),
        MYCHECKIN_COMMAND.handler(),
        CallbackQueryHandler(answer_pressed, pattern=callbacks.pattern(messages.ANSWER)),
        CallbackQueryHandler(rhythm_pressed, pattern=callbacks.pattern(messages.OWN)),
    ]
