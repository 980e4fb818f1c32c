"""/contact: a family member asks the former professional for contact — only on request, and
only after confirming. The professional answers with a tap (and, if they like, a few words). If no
answer comes in time, the asker is told plainly, with the organisation's contact details."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Message, Update
from telegram.constants import ChatType
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot import callbacks
from bot.flows import contact as flow
from bot.handlers import flows
from bot.handlers.circle_choice import CircleCommand, with_circle
from bot.i18n import _
from bot.messages.contact import ANSWER
from bot.messages.help import CONTACT
from bot.runtime import KringContext
from bot.services import authz, contact
from bot.services.authz import Action, Role
from bot.texts import not_an_emergency_service, organisation_contact


def _network_refusal() -> str:
    return "\n".join(
        [
            _(
                "Contact met de hulpverlener via Kring kan alleen het gezin. Maak je je zorgen? Praat erover met het gezin."
            ),
            _("Ben je bang dat iemand niet veilig is? Bel Veilig Thuis: 0800-2000. Is er direct gevaar? Bel 112."),
        ]
    )


def _ended() -> str:
    return "\n".join(
        [
            _("De hulpverlener kijkt niet meer mee. Is er toch hulp nodig? Bel dan:"),
            organisation_contact(),
            "",
            not_an_emergency_service(),
        ]
    )


async def start(update: Update, context: KringContext) -> None:
    message = update.effective_message
    assert message is not None
    await with_circle(context, message, CONTACT_COMMAND)


async def begin(context: KringContext, message: Message, circle_id: int) -> None:
    runtime = context.runtime
    try:
        async with runtime.sessions.begin() as session:
            access, professional = await contact.check_can_ask(
                session, circle_id, person_id=context.person_id, now=runtime.clock.now()
            )
            turn = await flows.begin(
                context,
                session,
                message.chat.id,
                flow.REQUEST,
                flow.ContactDraft(circle_id, professional.name, young=access.role == Role.YOUNG),
                step="urgency",
            )
            text, buttons = await turn.question()
            await flow.REQUEST.save(turn)
    except authz.NotAllowed:
        await message.reply_text(_network_refusal())
        return
    except contact.NoFollowUp:
        await message.reply_text(_ended())
        return
    await message.reply_text(text, reply_markup=buttons)


async def from_help(update: Update, context: KringContext) -> None:
    """The 📞 button in the /askhelp view."""
    query = update.callback_query
    assert query is not None
    message = query.message

    async def check(session: AsyncSession, person_id: int, values: list[str]) -> int:
        if not isinstance(message, Message):
            raise callbacks.BadCallbackData(values[0])
        circle_id = callbacks.as_int(values[0])
        await contact.check_from_chat(
            session,
            circle_id,
            person_id=person_id,
            chat_id=message.chat.id,
            private=message.chat.type == ChatType.PRIVATE,
        )
        return circle_id

    circle_id = await flows.button_action(update, context, CONTACT, 1, check)
    if circle_id is None or not isinstance(message, Message):
        return
    await query.answer()
    await begin(context, message, circle_id)


# -- the professional's side ------------------------------------------------------------------


async def answer_pressed(update: Update, context: KringContext) -> None:
    """The professional's tap; then, for an hour, what they type goes with it."""
    query = update.callback_query
    assert query is not None
    message = query.message

    async def apply(session: AsyncSession, person_id: int, values: list[str]) -> str:
        if not isinstance(message, Message) or message.chat.type != ChatType.PRIVATE:
            raise callbacks.BadCallbackData(values[0])
        asked = await contact.answer(
            session, callbacks.as_int(values[0]), person_id=person_id, answer=values[1], now=context.runtime.clock.now()
        )
        await flows.begin(context, session, message.chat.id, flow.ANSWER, flow.AnswerDraft(asked.id), step="text")
        return flow.answered(await contact.readers(session, asked))

    said = await flows.button_action(update, context, ANSWER, 2, apply)
    if said is None or not isinstance(message, Message):
        return
    await query.answer()
    await query.edit_message_text((message.text or "") + "\n\n" + said)


CONTACT_COMMAND = CircleCommand("contact", authz.RULES[Action.CONTACT_PROFESSIONAL], _network_refusal, begin)


def handlers() -> list[BaseHandler[Update, KringContext, None]]:
    return [
        CommandHandler("contact", start),
        CONTACT_COMMAND.handler(),
        CallbackQueryHandler(from_help, pattern=callbacks.pattern(CONTACT)),
        CallbackQueryHandler(answer_pressed, pattern=callbacks.pattern(ANSWER)),
    ]
