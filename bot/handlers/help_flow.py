"""/askhelp: when it is not going well. The family's own "als het misgaat" plan first, with a
button per person named in it; one tap asks that person — and nobody is messaged before that tap.
Also reached from a "not good" check-in answer. 112 and the helplines are always shown."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatType
from telegram.error import BadRequest, Forbidden
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot import callbacks
from bot.db.models import HelpAnswer
from bot.handlers.circle_choice import CircleCommand, with_circle
from bot.handlers.fallback import stale_button
from bot.handlers.flows import button_action
from bot.i18n import _, format_time
from bot.messages.help import ANSWER, ASK, SHOW, help_view
from bot.runtime import KringContext
from bot.services import authz, help_asks, places
from bot.services.authz import Action
from bot.texts import ALERT_LIMIT, HELPLINES, helplines_short, not_an_emergency_service


async def _view(context: KringContext, circle_id: int, message: Message) -> tuple[str, InlineKeyboardMarkup]:
    async with context.runtime.sessions.begin() as session:  # (marks the group's helplines shown)
        view = await help_asks.view(
            session,
            circle_id,
            person_id=context.person_id,
            chat_id=message.chat.id,
            private=message.chat.type == ChatType.PRIVATE,
            now=context.runtime.clock.now(),
        )
        # nobody named to ask, and few people around: offer places to turn to (never instead)
        offer = not view.askable and await places.offer_places(session, circle_id, context.runtime.settings.places_file)
    return help_view(view, places=offer)


async def start(update: Update, context: KringContext) -> None:
    message = update.effective_message
    assert message is not None
    await with_circle(context, message, ASKHELP_COMMAND)


async def _show(context: KringContext, message: Message, circle_id: int) -> None:
    try:
        text, buttons = await _view(context, circle_id, message)
    except authz.NotAllowed:
        await message.reply_text(_("Hulp vragen via Kring kan alleen het gezin."))
        return
    await message.reply_text(text, reply_markup=buttons)


async def show_pressed(update: Update, context: KringContext) -> None:
    query = update.callback_query
    assert query is not None
    try:
        (circle_id,) = callbacks.decode_ints(query.data, SHOW, 1)
        if not isinstance(query.message, Message):
            raise callbacks.BadCallbackData(query.data)
        text, buttons = await _view(context, circle_id, query.message)
    except (callbacks.BadCallbackData, authz.NotAllowed):
        await stale_button(update, context)
        return
    await query.answer()
    await query.message.reply_text(text, reply_markup=buttons)


async def helplines_pressed(update: Update, context: KringContext) -> None:
    """ "☎️ Hulplijnen": the numbers for the presser only — a message in a private chat, an alert in
    a group (or, when this language's block is too long for an alert, privately if we can)."""
    query = update.callback_query
    assert query is not None
    text = not_an_emergency_service()
    message = query.message
    if isinstance(message, Message) and message.chat.type == ChatType.PRIVATE:
        await query.answer()
        await message.reply_text(text)
        return
    if len(text) <= ALERT_LIMIT:
        await query.answer(text, show_alert=True)
        return
    try:
        await context.bot.send_message(query.from_user.id, text)
    except (Forbidden, BadRequest):  # never pressed Start: the numbers alone fit an alert
        await query.answer(helplines_short(), show_alert=True)
        return
    await query.answer(_("Ik heb je de hulplijnen privé gestuurd."))


async def ask_pressed(update: Update, context: KringContext) -> None:
    query = update.callback_query
    assert query is not None
    message = query.message
    now = context.runtime.clock.now()

    async def apply(session: AsyncSession, person_id: int, values: list[str]) -> help_asks.Asked:
        if not isinstance(message, Message):
            raise callbacks.BadCallbackData(values[0])
        return await help_asks.ask(
            session,
            callbacks.as_int(values[0]),
            person_id=person_id,
            chat_id=message.chat.id,
            private=message.chat.type == ChatType.PRIVATE,
            now=now,
        )

    asked = await button_action(update, context, ASK, 1, apply)
    if asked is None or not isinstance(message, Message):
        return
    name = asked.helper.display_name
    if asked.again:
        await query.answer(_("{name} is al gevraagd.").format(name=name))
        return
    await query.answer(_("Gevraagd."))
    text = _("Ik heb {name} gevraagd. Je ziet hier wat {name} antwoordt.").format(name=name)
    if asked.held_until is not None:
        text += "\n" + _(
            "{name} wil nu geen berichten. Mijn bericht komt om {time} aan. Is het nu nodig? Bel dan zelf."
        ).format(name=name, time=format_time(asked.held_until, asked.zone, format="HH:mm"))
    await message.reply_text(text)


async def answer_pressed(update: Update, context: KringContext) -> None:
    query = update.callback_query
    assert query is not None

    async def apply(session: AsyncSession, person_id: int, values: list[str]) -> int:
        answered = await help_asks.answer(
            session,
            callbacks.as_int(values[0]),
            person_id=person_id,
            answer=callbacks.as_enum(HelpAnswer, values[1]),
            now=context.runtime.clock.now(),
        )
        return answered.id

    if await button_action(update, context, ANSWER, 2, apply) is None:
        return
    await query.answer()
    await query.edit_message_text(_("Dank je wel. Het gezin weet het nu."))


ASKHELP_COMMAND = CircleCommand(
    "askhelp",
    authz.RULES[Action.ASK_HELP],
    lambda: (
        _("Hulp vragen via Kring kan alleen het gezin. Maak je je zorgen? Praat erover met het gezin.")
        + "\n\n"
        + not_an_emergency_service()
    ),
    _show,
)


def handlers() -> list[BaseHandler[Update, KringContext, None]]:
    return [
        CommandHandler("askhelp", start),
        ASKHELP_COMMAND.handler(),
        CallbackQueryHandler(show_pressed, pattern=callbacks.pattern(SHOW)),
        CallbackQueryHandler(helplines_pressed, pattern=f"^{HELPLINES}$"),
        CallbackQueryHandler(ask_pressed, pattern=callbacks.pattern(ASK)),
        CallbackQueryHandler(answer_pressed, pattern=callbacks.pattern(ANSWER)),
    ]
