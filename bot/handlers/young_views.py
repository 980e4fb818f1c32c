"""The young person's say: "Wat vind jij ervan?" under an agreement, and /people (whom they would
want in the circle). Private chats only: nobody else reads along."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatType
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot import callbacks
from bot.db.models import AgreementOpinion, PersonWish
from bot.handlers import flows
from bot.handlers.circle_choice import CircleCommand, with_circle
from bot.i18n import _
from bot.messages import young_views as screens
from bot.runtime import KringContext
from bot.services import authz, young_views
from bot.services.authz import Action

View = tuple[str, InlineKeyboardMarkup | None]


def _private(update: Update) -> Message:
    """The message under the button, if it is in a private chat (else the button is refused)."""
    query = update.callback_query
    assert query is not None
    message = query.message
    if not isinstance(message, Message) or message.chat.type != ChatType.PRIVATE:
        raise callbacks.BadCallbackData(query.data or "")
    return message


async def opinion_pressed(update: Update, context: KringContext) -> None:
    """ "Wat vind jij ervan?" asks in a new message (the plan stays); an answer changes that message."""
    query = update.callback_query
    assert query is not None
    asking = False

    async def apply(session: AsyncSession, person_id: int, values: list[str]) -> View:
        nonlocal asking
        _private(update)
        agreement_id, value = callbacks.as_int(values[0]), values[1]
        if value == screens.ASK:
            asking = True
            access, agreement = await young_views.check_can_give(session, agreement_id, person_id=person_id)
            assert access.member is not None
            current = await young_views.own_opinion(session, agreement.id, access.member)
            return screens.opinion_question(agreement.id, agreement.what, current)
        opinion = callbacks.as_enum(AgreementOpinion, value)
        agreement = await young_views.give_opinion(
            session, agreement_id, person_id=person_id, opinion=opinion, now=context.runtime.clock.now()
        )
        return screens.opinion_question(agreement.id, agreement.what, opinion, thanks=True)

    view = await flows.button_action(update, context, screens.OPINION, 2, apply)
    if view is None:
        return
    await query.answer()
    if asking and isinstance(query.message, Message):
        await query.message.reply_text(view[0], reply_markup=view[1])
    else:
        await query.edit_message_text(view[0], reply_markup=view[1])
        context.runtime.ticker.wake()


# -- /people ----------------------------------------------------------------------------------


def _refusal() -> str:
    return _("Dit is voor de jongere in een kring.")


async def people(update: Update, context: KringContext) -> None:
    message = update.effective_message
    assert message is not None
    if message.chat.type != ChatType.PRIVATE:
        await message.reply_text(_("Dit doe je in een privégesprek met mij."))
        return
    await with_circle(context, message, PEOPLE_COMMAND)


async def _show_people(context: KringContext, message: Message, circle_id: int) -> None:
    async with context.runtime.reads() as session:
        try:
            listed = await young_views.people(session, circle_id, person_id=context.person_id)
        except authz.NotAllowed:
            await message.reply_text(_refusal())
            return
    text, buttons = screens.people_view(listed)
    await message.reply_text(text, reply_markup=buttons)


async def wish_pressed(update: Update, context: KringContext) -> None:
    query = update.callback_query
    assert query is not None

    async def apply(session: AsyncSession, person_id: int, values: list[str]) -> View:
        _private(update)
        member_id, value = callbacks.as_int(values[0]), values[1]
        if value == screens.ASK:
            young, member = await young_views.check_can_mark(session, member_id, person_id=person_id)
            current = await young_views.own_wish(session, young, member)
            return screens.wish_question(member.id, member.circle_id, member.display_name, current)
        wish = None if value == screens.NO_WISH else callbacks.as_enum(PersonWish, value)
        member = await young_views.mark(
            session, member_id, person_id=person_id, wish=wish, now=context.runtime.clock.now()
        )
        listed = await young_views.people(session, member.circle_id, person_id=person_id)
        return screens.people_view(listed, noted=True)

    view = await flows.button_action(update, context, screens.WISH, 2, apply)
    if view is not None:
        await query.answer()
        await query.edit_message_text(view[0], reply_markup=view[1])


async def people_pressed(update: Update, context: KringContext) -> None:
    query = update.callback_query
    assert query is not None

    async def apply(session: AsyncSession, person_id: int, values: list[str]) -> View:
        _private(update)
        listed = await young_views.people(session, callbacks.as_int(values[0]), person_id=person_id)
        return screens.people_view(listed)

    view = await flows.button_action(update, context, screens.PEOPLE, 1, apply)
    if view is not None:
        await query.answer()
        await query.edit_message_text(view[0], reply_markup=view[1])


PEOPLE_COMMAND = CircleCommand("people", authz.RULES[Action.GIVE_YOUNG_VIEW], _refusal, _show_people)


def handlers() -> list[BaseHandler[Update, KringContext, None]]:
    return [
        CommandHandler("people", people),
        PEOPLE_COMMAND.handler(),
        CallbackQueryHandler(opinion_pressed, pattern=callbacks.pattern(screens.OPINION)),
        CallbackQueryHandler(wish_pressed, pattern=callbacks.pattern(screens.WISH)),
        CallbackQueryHandler(people_pressed, pattern=callbacks.pattern(screens.PEOPLE)),
    ]
