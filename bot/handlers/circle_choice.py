"""Which circle does a command mean? In a group: the group's own. In a private chat: the circles
the person has a role in; with more than one, they pick with a button."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatType
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot import callbacks
from bot.handlers.fallback import stale_button
from bot.i18n import _
from bot.runtime import KringContext
from bot.services import roles
from bot.services.authz import Role

PICK = "pick"
Continuation = Callable[[KringContext, Message, int], Awaitable[None]]


@dataclass(frozen=True)
class CircleCommand:
    """A command about one circle, declared once by its feature: its name (in the buttons' data),
    who may use it, what to say to someone who may not anywhere (a function: it is said in the
    person's language), and what to do for the circle meant. The feature registers
    :meth:`handler` with its other handlers, so a "Voor welke kring?" button works in any Kring
    process, also in one started after the button was sent."""

    name: str
    roles: frozenset[Role]
    refusal: Callable[[], str]
    continuation: Continuation

    def handler(self) -> BaseHandler[Update, KringContext, None]:
        """Takes the presses on this command's "Voor welke kring?" buttons."""
        return CallbackQueryHandler(self.picked, pattern=callbacks.pattern(PICK, self.name))

    async def picked(self, update: Update, context: KringContext) -> None:
        """A circle was picked; the continuation authorises again (the id came from a button)."""
        query = update.callback_query
        assert query is not None
        try:
            _name, circle_id = callbacks.decode(query.data, PICK, 2)
            target = callbacks.as_int(circle_id)
        except callbacks.BadCallbackData:
            await stale_button(update, context)
            return
        if not isinstance(query.message, Message) or query.message.chat.type != ChatType.PRIVATE:
            await stale_button(update, context)
            return
        await query.answer()
        await self.continuation(context, query.message, target)


async def with_circle(context: KringContext, message: Message, command: CircleCommand) -> None:
    """Run the command's continuation for the circle meant, asking first when there are several."""
    group = message.chat.id if message.chat.type != ChatType.PRIVATE else None
    async with context.runtime.reads() as session:
        found = await roles.circles_where(session, context.person_id, command.roles, group_chat_id=group)
    if not found:
        await message.reply_text(command.refusal())
    elif len(found) == 1:
        await command.continuation(context, message, found[0].id)
    else:
        buttons = [
            [InlineKeyboardButton(c.name, callback_data=callbacks.encode(PICK, command.name, c.id))] for c in found
        ]
        await message.reply_text(_("Voor welke kring?"), reply_markup=InlineKeyboardMarkup(buttons))
