"""/safetyplan: coordinators write down what we do when things go wrong ("als het misgaat"); the
flow is :mod:`bot.flows.safety_plan`."""

from __future__ import annotations

from telegram import Message, Update
from telegram.constants import ChatType
from telegram.ext import BaseHandler, CommandHandler

from bot.flows import safety_plan
from bot.handlers import flows
from bot.handlers.circle_choice import CircleCommand, with_circle
from bot.i18n import _
from bot.runtime import KringContext
from bot.services import authz
from bot.services.authz import Action


async def start(update: Update, context: KringContext) -> None:
    message = update.effective_message
    assert message is not None
    if message.chat.type != ChatType.PRIVATE:
        await message.reply_text(_("Het plan voor als het misgaat maak je in een privégesprek met mij."))
        return
    await with_circle(context, message, SAFETYPLAN_COMMAND)


async def _begin(context: KringContext, message: Message, circle_id: int) -> None:
    draft = safety_plan.SafetyPlanDraft(circle_id)
    await flows.start(context, message, safety_plan.SAFETY_PLAN, draft, step="menu", refusal=safety_plan.refusal)


SAFETYPLAN_COMMAND = CircleCommand("safetyplan", authz.RULES[Action.EDIT_SAFETY_PLAN], safety_plan.refusal, _begin)


def handlers() -> list[BaseHandler[Update, KringContext, None]]:
    return [
        CommandHandler("safetyplan", start),
        SAFETYPLAN_COMMAND.handler(),
    ]
