"""/checkin (coordinators choose the rhythm, or ask now), the family's answers to a check-in, and
how much they worry. The steps of /checkin are :mod:`bot.flows.checkins`; the check-in itself and
its reminder are rendered by :mod:`bot.messages.checkins`."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import ForceReply, InlineKeyboardButton, InlineKeyboardMarkup, Message, MessageEntity, Update
from telegram.constants import ChatType
from telegram.error import BadRequest, Forbidden
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot import callbacks
from bot.db.models import CheckinAnswerKind, WorryTrend
from bot.flows import checkins as flow
from bot.handlers import flows
from bot.handlers.circle_choice import CircleCommand, with_circle
from bot.i18n import _, pgettext
from bot.messages import help as help_flow
from bot.messages.buttons import choices
from bot.messages.checkins import ANSWER, NOTE, note_button
from bot.runtime import KringContext
from bot.services import authz, checkins
from bot.services.authz import Action
from bot.texts import helplines_button

WORRY = "cw"


async def start(update: Update, context: KringContext) -> None:
    message = update.effective_message
    assert message is not None
    await with_circle(context, message, CHECKIN_COMMAND)


async def _begin(context: KringContext, message: Message, circle_id: int) -> None:
    await flows.start(context, message, flow.CHECKIN, flow.CheckinDraft(circle_id), step="topic")


async def answer_pressed(update: Update, context: KringContext) -> None:
    """A family member answers; a note follows by the "✍️" button or a typed reply (the note flow).
    After "not good" in the group, the help goes privately to the one who answered (children read
    the group); only someone Kring cannot write to privately gets it in the group, short."""
    query = update.callback_query
    assert query is not None
    message = query.message
    runtime = context.runtime

    async def apply(session: AsyncSession, person_id: int, values: list[str]) -> checkins.Answered:
        if not isinstance(message, Message):
            raise callbacks.BadCallbackData(values[0])
        now = runtime.clock.now()
        answered = await checkins.answer_for(
            session,
            callbacks.as_int(values[0]),
            person_id=person_id,
            kind=callbacks.as_enum(CheckinAnswerKind, values[1]),
            now=now,
        )
        await flows.offer(context, session, message.chat.id, flow.NOTE, flow.NoteDraft(answered.answer.id), step="note")
        return answered

    answered = await flows.button_action(update, context, ANSWER, 2, apply)
    if answered is None or not isinstance(message, Message):
        return
    await query.answer(_("Dank je wel!"))
    given = answered.answer
    rows: list[list[InlineKeyboardButton]] = []
    if not answered.first:  # the first time there is no "last time" to compare with
        rows += [list(row) for row in _worry_buttons(given.id).inline_keyboard]
    rows.append([note_button(given.id)])
    thanks = _("Dank je wel, {name}.").format(name=answered.name)
    help_reply = None
    if given.answer in (CheckinAnswerKind.NOT_GOOD, CheckinAnswerKind.WANT_TO_TALK):
        help_reply = help_flow.hard_moment(answered.steps, given.circle_id)
        if message.chat.type != ChatType.PRIVATE:
            if await _tell_privately(context, query.from_user.id, help_reply):
                thanks = _("Dank je wel, {name}. Ik stuur je privé wat je nu kunt doen.").format(name=answered.name)
            else:  # never pressed Start with me: short, with the buttons, in the group
                thanks = _("Dank je wel, {name}. Fijn dat je het zegt.").format(name=answered.name)
                rows += [[help_flow.show_button(given.circle_id)], [helplines_button()]]
            help_reply = None
    lines = [thanks]
    if not answered.first:
        lines.append(_("Maak je je minder of meer zorgen dan vorige keer?"))
    await message.reply_text("\n".join(lines), reply_markup=InlineKeyboardMarkup(rows))
    if help_reply is not None:  # privately: the help as its own message
        await message.reply_text(help_reply[0], reply_markup=help_reply[1])


def _worry_buttons(answer_id: int) -> InlineKeyboardMarkup:
    return choices(
        WORRY,
        answer_id,
        (pgettext("button", "Minder"), "less"),
        (pgettext("button", "Even veel"), "same"),
        (pgettext("button", "Meer"), "more"),
    )


async def _tell_privately(context: KringContext, user_id: int, reply: tuple[str, InlineKeyboardMarkup]) -> bool:
    """Write to someone in their private chat (the same id as their account); ``False`` when they
    never pressed Start or blocked me."""
    try:
        await context.bot.send_message(user_id, reply[0], reply_markup=reply[1])
    except (Forbidden, BadRequest):
        return False
    return True


async def note_pressed(update: Update, context: KringContext) -> None:
    """ "✍️ Iets erbij schrijven": the next text in this chat becomes the note. In a group, a
    prompt that mentions the presser makes their Telegram open a reply (which I may read there)."""
    query = update.callback_query
    assert query is not None
    message = query.message

    async def apply(session: AsyncSession, person_id: int, values: list[str]) -> str:
        if not isinstance(message, Message):
            raise callbacks.BadCallbackData(values[0])
        answer_id = callbacks.as_int(values[0])
        name = await checkins.own_answer_name(session, answer_id, person_id=person_id)
        await flows.begin(context, session, message.chat.id, flow.NOTE, flow.NoteDraft(answer_id), step="note")
        return name

    name = await flows.button_action(update, context, NOTE, 1, apply)
    if name is None or not isinstance(message, Message):
        return
    await query.answer()
    if message.chat.type == ChatType.PRIVATE:
        await message.reply_text(_("Schrijf het hieronder. Het gezin leest het bij de volgende check-in."))
        return
    text = _("{name}, schrijf het hieronder. Het gezin leest het bij de volgende check-in.").format(name=name)
    at = text.find(name)
    entities = (
        [MessageEntity(MessageEntity.TEXT_MENTION, _utf16(text[:at]), _utf16(name), user=query.from_user)]
        if at >= 0
        else None
    )
    await context.bot.send_message(message.chat.id, text, entities=entities, reply_markup=ForceReply(selective=True))


def _utf16(text: str) -> int:
    """Telegram counts entity offsets in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


async def worry_pressed(update: Update, context: KringContext) -> None:
    query = update.callback_query
    assert query is not None

    async def apply(session: AsyncSession, person_id: int, values: list[str]) -> object:
        return await checkins.worry(
            session,
            callbacks.as_int(values[0]),
            person_id=person_id,
            trend=callbacks.as_enum(WorryTrend, values[1]),
            now=context.runtime.clock.now(),
        )

    if await flows.button_action(update, context, WORRY, 2, apply) is None:
        return
    await query.answer(_("Bewaard."))
    markup = query.message.reply_markup if isinstance(query.message, Message) else None
    rest = [
        row
        for row in (markup.inline_keyboard if markup else ())  # keep "🆘 Hulp vragen"
        if not str(row[0].callback_data).startswith(WORRY + callbacks.SEPARATOR)
    ]
    await query.edit_message_reply_markup(InlineKeyboardMarkup(rest) if rest else None)


CHECKIN_COMMAND = CircleCommand("checkin", authz.RULES[Action.CHOOSE_CHECKIN], flow.refusal, _begin)


def handlers() -> list[BaseHandler[Update, KringContext, None]]:
    return [
        CommandHandler("checkin", start),
        CHECKIN_COMMAND.handler(),
        CallbackQueryHandler(answer_pressed, pattern=callbacks.pattern(ANSWER)),
        CallbackQueryHandler(worry_pressed, pattern=callbacks.pattern(WORRY)),
        CallbackQueryHandler(note_pressed, pattern=callbacks.pattern(NOTE)),
    ]
