"""/plan: who does what, and what we do when things go wrong — each person sees what they may."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatType
from telegram.ext import BaseHandler, CommandHandler

from bot.app import KringContext
from bot.db.models import Visibility
from bot.handlers import help_flow
from bot.handlers.circle_choice import with_circle
from bot.i18n import N_, _
from bot.plan_text import plan_messages
from bot.services import agreements, authz, safety_plan
from bot.services.authz import Action, Role

NOT_IN_A_CIRCLE = N_(
    "Je doet nog niet mee in een kring. Heb je een link gekregen? Open die dan. "
    "Het plan is van het gezin: de hulpverlener ziet het niet."
)


async def show_plan(update: Update, context: KringContext) -> None:
    message = update.effective_message
    assert message is not None
    await with_circle(context, message, "plan", authz.RULES[Action.VIEW_PLAN], _(NOT_IN_A_CIRCLE), _show)


async def _show(context: KringContext, message: Message, circle_id: int) -> None:
    in_group = message.chat.type != ChatType.PRIVATE
    async with context.runtime.sessions() as session:
        try:
            access = await authz.authorize(session, context.person_id, circle_id, Action.VIEW_PLAN)
        except authz.NotAllowed:
            await message.reply_text(_(NOT_IN_A_CIRCLE))
            return
        views = await agreements.visible_to(session, access)
        plan = await safety_plan.load(session, circle_id)
    if in_group:
        # everyone in the group reads along: only what is shared with the whole circle
        views = [v for v in views if v.agreement.visibility == Visibility.CIRCLE]
        texts = plan_messages(access.circle.name, views, plan, show_signs=False)
        if access.is_family:
            texts[-1] += "\n\n" + _("Afspraken die alleen voor het gezin zijn, zie je privé met /plan.")
    elif access.is_family:
        texts = plan_messages(access.circle.name, views, plan, show_signs=True, can_edit=access.role == Role.COORDINATOR)
    else:
        texts = plan_messages(access.circle.name, views, None, show_signs=False,
                              named_steps=safety_plan.steps_naming(plan, access))
    for number, text in enumerate(texts, 1):
        last = number == len(texts)
        help_button = InlineKeyboardMarkup([[help_flow.show_button(circle_id)]]) if last and access.is_family else None
        await message.reply_text(text, reply_markup=help_button)  # "not going well?" is one tap away


def handlers() -> list[BaseHandler[Update, KringContext, None]]:
    return [CommandHandler("plan", show_plan)]
