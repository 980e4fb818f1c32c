"""Which circle does a command mean? In a group: the group's own. In a private chat: the circles
the person has a role in; with more than one, they pick with a button."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatType
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot import callbacks
from bot.db.models import Circle
from bot.handlers.fallback import stale_button
from bot.i18n import _
from bot.runtime import KringContext
from bot.services import authz, circles
from bot.services.authz import Role

PICK = "pick"
Continuation = Callable[[KringContext, Message, int], Awaitable[None]]
_CONTINUATIONS: dict[str, Continuation] = {}


async def circles_where(context: KringContext, roles: frozenset[Role], message: Message) -> list[Circle]:
    async with context.runtime.sessions() as session:
        if message.chat.type != ChatType.PRIVATE:
            circle = await circles.circle_for_group(session, message.chat.id)
            candidates = [circle] if circle else []
        else:
            candidates = await circles.circles_of(session, context.person_id)
            candidates += await circles.circles_of_professional(session, context.person_id)
        return [c for c in candidates if (await authz.role_in(session, context.person_id, c))[0] in roles]


async def with_circle(
    context: KringContext,
    message: Message,
    command: str,
    roles: frozenset[Role],
    refusal: str,
    continuation: Continuation,
) -> None:
    """Run ``continuation`` for the circle meant, asking first when there are several."""
    _CONTINUATIONS.setdefault(command, continuation)
    found = await circles_where(context, roles, message)
    if not found:
        await message.reply_text(refusal)
    elif len(found) == 1:
        await continuation(context, message, found[0].id)
    else:
        buttons = [[InlineKeyboardButton(c.name, callback_data=callbacks.encode(PICK, command, c.id))] for c in found]
        await message.reply_text(_("Voor welke kring?"), reply_markup=InlineKeyboardMarkup(buttons))


async def picked(update: Update, context: KringContext) -> None:
    """A circle was picked; the continuation authorises again (the id came from a button)."""
    query = update.callback_query
    assert query is not None
    try:
        command, circle_id = callbacks.decode(query.data, PICK, 2)
        continuation = _CONTINUATIONS[command]
        target = int(circle_id)
    except (callbacks.BadCallbackData, KeyError, ValueError):
        await stale_button(update, context)
        return
    if not isinstance(query.message, Message) or query.message.chat.type != ChatType.PRIVATE:
        await stale_button(update, context)
        return
    await query.answer()
    await continuation(context, query.message, target)


def handlers() -> list[BaseHandler[Update, KringContext, None]]:
    return [CallbackQueryHandler(picked, pattern=callbacks.pattern(PICK))]
