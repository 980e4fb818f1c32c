"""Before anything else: who is this, and which language do we answer in?"""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import BaseHandler, TypeHandler

from bot.i18n import set_language
from bot.runtime import KringContext
from bot.services import people


async def remember_person(update: Update, context: KringContext) -> None:
    user = update.effective_user
    runtime = context.runtime
    if user is None or user.is_bot:
        set_language(runtime.settings.default_language)
        return
    chat = update.effective_chat
    in_private = chat is not None and chat.type == ChatType.PRIVATE
    # Most updates come from someone known: a read, no write lock. (Another process may write the
    # same person at the same moment: arrived() finds or creates them once either way.)
    async with runtime.reads() as session:
        person = await people.seen(session, user.id)
    if people.needs_writing(person, in_private=in_private):
        async with runtime.sessions.begin() as session:
            written = await people.arrived(
                session,
                telegram_user_id=user.id,
                language_code=user.language_code,
                default_language=runtime.settings.default_language,
                in_private=in_private,
                now=runtime.clock.now(),
            )
            person = people.Seen(written.id, written.language, written.unreachable_since is not None)
    assert person is not None
    context.person_id = person.id
    set_language(person.language)


def handlers() -> list[BaseHandler[Update, KringContext, None]]:
    return [TypeHandler(Update, remember_person)]
