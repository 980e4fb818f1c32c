"""/new: a professional starts a circle at the end of care, in a few steps (the flow
:mod:`bot.flows.new_circle`)."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import BaseHandler, CommandHandler

from bot.flows import new_circle
from bot.handlers import flows
from bot.i18n import _
from bot.runtime import KringContext


async def start_new(update: Update, context: KringContext) -> None:
    message = update.effective_message
    assert message is not None
    if message.chat.type != ChatType.PRIVATE:
        await message.reply_text(_("Een nieuwe kring start je in een privégesprek met mij."))
        return
    draft = new_circle.NewCircleDraft()
    await flows.start(context, message, new_circle.NEW, draft, step="name", refusal=new_circle.refusal)


def handlers() -> list[BaseHandler[Update, KringContext, None]]:
    return [CommandHandler("new", start_new)]
