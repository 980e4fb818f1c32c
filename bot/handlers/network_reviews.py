"""The network asked too at a review moment: the family's "ask them?" and each member's answers in
a few taps. The messages are :mod:`bot.messages.network_reviews`; typed words are
:mod:`bot.flows.network_reviews`."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Message, Update
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot import callbacks
from bot.db.models import StillWorks
from bot.flows import network_reviews as words_flow
from bot.flows.flow import Reply
from bot.handlers import flows
from bot.handlers.flows import button_action
from bot.i18n import _, ngettext
from bot.messages.network_reviews import (
    ANSWER,
    CHOOSE,
    rather_question,
    share_buttons,
    share_question,
    skip_buttons,
)
from bot.runtime import KringContext
from bot.services import drafts, network_reviews


async def choose_pressed(update: Update, context: KringContext) -> None:
    query = update.callback_query
    assert query is not None
    now = context.runtime.clock.now()

    async def apply(session: AsyncSession, person_id: int, values: list[str]) -> Reply:
        round_id, choice = callbacks.as_int(values[0]), values[1]
        if choice == "no":
            await network_reviews.decline(session, round_id, person_id=person_id, now=now)
            return _("Goed. Ik vraag het ze deze keer niet."), None
        if choice != "yes":
            raise callbacks.BadCallbackData(choice)
        asked = await network_reviews.ask(session, round_id, person_id=person_id, now=now)
        names = ", ".join(m.display_name for m in asked.members)
        if asked.before:
            return _("Dat is al gevraagd, aan {names}.").format(names=names), None
        return ngettext(
            "Goed. Ik vraag het nu aan {names}, apart.",
            "Goed. Ik vraag het nu aan {names}, ieder apart.",
            len(asked.members),
        ).format(names=names), None

    reply = await button_action(update, context, CHOOSE, 2, apply)
    if reply is None:
        return
    await query.answer()
    await query.edit_message_text(reply[0], reply_markup=reply[1])


async def answer_pressed(update: Update, context: KringContext) -> None:
    query = update.callback_query
    assert query is not None
    now = context.runtime.clock.now()
    chat_id = query.message.chat.id if isinstance(query.message, Message) else None

    async def apply(session: AsyncSession, person_id: int, values: list[str]) -> Reply:
        review_id, field, value = callbacks.as_int(values[0]), values[1], values[2]
        if field == "works":
            review = await network_reviews.answer(
                session, review_id, person_id=person_id, still_works=callbacks.as_enum(StillWorks, value), now=now
            )
            if chat_id is not None:  # a typed reply becomes "what I would rather do"
                await flows.offer(
                    context, session, chat_id, words_flow.WORDS, words_flow.WordsDraft(review.id), step="words"
                )
            return _("Dank je wel.") + " " + rather_question(), skip_buttons(review.id)
        if field == "skip":
            review, _member = await network_reviews.own(session, review_id, person_id)
            if chat_id is not None:  # nothing typed: a later message is not taken as the answer
                draft = await drafts.current(session, person_id=person_id, chat_id=chat_id)
                if draft is not None and draft.flow == words_flow.WORDS.name:
                    await drafts.finish(session, draft)
            return share_question(), share_buttons(review.id)
        if field == "share":
            review = await network_reviews.share(session, review_id, person_id=person_id, shared=value == "1", now=now)
            if review.shared:
                return _("Goed. Het gezin ziet je antwoord. Dank je wel voor alles wat je doet."), None
            return _("Goed. Alleen jij ziet je antwoord. Dank je wel voor alles wat je doet."), None
        raise callbacks.BadCallbackData(field)

    reply = await button_action(update, context, ANSWER, 3, apply)
    if reply is None:
        return
    await query.answer()
    await query.edit_message_text(reply[0], reply_markup=reply[1])


def handlers() -> list[BaseHandler[Update, KringContext, None]]:
    return [
        CallbackQueryHandler(choose_pressed, pattern=callbacks.pattern(CHOOSE)),
        CallbackQueryHandler(answer_pressed, pattern=callbacks.pattern(ANSWER)),
    ]
