"""/plan: who does what, and what we do when things go wrong — each person sees what they may."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatType
from telegram.ext import BaseHandler, CommandHandler

from bot.handlers import plan_pictures
from bot.handlers.circle_choice import CircleCommand, with_circle
from bot.i18n import N_, _
from bot.messages import help as help_flow
from bot.messages import young_views as young_screens
from bot.plan_text import plan_messages_of
from bot.runtime import KringContext
from bot.services import authz, help_asks, young_views
from bot.services.authz import Action, Role
from bot.services.plan_view import plan_here
from bot.texts import helplines_button

NOT_IN_A_CIRCLE = N_(
    "Je doet nog niet mee in een kring. Heb je een link gekregen? Open die dan. "
    "Het plan is van het gezin: de hulpverlener ziet het niet."
)


async def show_plan(update: Update, context: KringContext) -> None:
    message = update.effective_message
    assert message is not None
    await with_circle(context, message, PLAN_COMMAND)


async def _show(context: KringContext, message: Message, circle_id: int) -> None:
    in_group = message.chat.type != ChatType.PRIVATE
    try:
        async with context.runtime.reads() as session:
            here = await plan_here(
                session,
                context.person_id,
                circle_id,
                Action.VIEW_PLAN,
                group_chat_id=message.chat.id if in_group else None,
            )
            # what the young person thinks: never in the group, where everyone reads along
            says = {} if in_group else await young_views.opinions_seen_by(session, here.access)
    except authz.NotAllowed:
        await message.reply_text(_(NOT_IN_A_CIRCLE))
        return
    access, view = here.access, here.view
    helplines = True
    if in_group:  # the whole block once a day in the group; else the button
        async with context.runtime.sessions.begin() as session:
            helplines = await help_asks.full_helplines_in_group(session, circle_id, context.runtime.clock.now())
    texts = plan_messages_of(view, helplines=helplines, says=says)
    if in_group and access.is_family:
        texts[-1] += "\n\n" + _("Afspraken die alleen voor het gezin zijn, zie je privé met /plan.")
    rows = plan_pictures.buttons(circle_id, access, in_group=in_group, has_own_agreements=bool(view.own_agreements))
    if access.is_family:
        rows.append([help_flow.show_button(circle_id)])  # "not going well?" is one tap away
    if access.role == Role.YOUNG and not in_group:  # their say, one button per agreement
        rows += [[young_screens.ask_button(v.agreement.id, "💬 " + _short(v.agreement.what))] for v in view.agreements]
    if not helplines:
        rows.append([helplines_button()])
    for number, text in enumerate(texts, 1):
        last = number == len(texts)
        await message.reply_text(text, reply_markup=InlineKeyboardMarkup(rows) if last else None)


def _short(text: str, limit: int = 32) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


PLAN_COMMAND = CircleCommand("plan", authz.RULES[Action.VIEW_PLAN], lambda: _(NOT_IN_A_CIRCLE), _show)


def handlers() -> list[BaseHandler[Update, KringContext, None]]:
    return [CommandHandler("plan", show_plan), PLAN_COMMAND.handler()]
