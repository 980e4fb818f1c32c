"""/askhelp: when it is not going well. The family's own "als het misgaat" plan first, with a
button per person named in it; one tap asks that person — and nobody is messaged before that tap.
Also reached from a "not good" check-in answer. 112 and the helplines are always shown."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatType
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot import callbacks
from bot.db.models import Circle, Delivery, HelpAnswer, HelpAsk, Member, StepKind
from bot.handlers.circle_choice import CircleCommand, with_circle
from bot.handlers.fallback import stale_button
from bot.handlers.flows import button_action
from bot.i18n import _, format_time, pgettext
from bot.plan_text import step_line
from bot.runtime import KringContext
from bot.services import authz, contact, help_asks, safety_plan
from bot.services.authz import Action
from bot.texts import not_an_emergency_service
from scheduler.sender import Rendered

SHOW = "hs"  # hs:circle_id — show the help view (from a check-in answer)
ASK = "ha"  # ha:step_id — ask the person named in this step
ANSWER = "hr"  # hr:ask_id:answer — the person asked answers
CONTACT = "ct"  # ct:circle_id — ask the former professional (see handlers/contact.py)


def show_button(circle_id: int) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        "🆘 " + pgettext("button", "Hulp vragen"), callback_data=callbacks.encode(SHOW, circle_id)
    )


async def help_view(
    session: AsyncSession, context: KringContext, circle_id: int, message: Message
) -> tuple[str, InlineKeyboardMarkup]:
    """The family's own plan, a button per person to ask, the professional if still there."""
    access = await authz.authorize(session, context.person_id, circle_id, Action.ASK_HELP)
    if message.chat.type != ChatType.PRIVATE and message.chat.id != access.circle.group_chat_id:
        raise authz.NotAllowed(Action.ASK_HELP)  # a button carried into another group
    steps = (await safety_plan.load(session, circle_id)).steps
    lines: list[str] = [
        _(
            "Gaat het niet goed? Kijk eerst naar jullie eigen plan. Ik stuur niemand een bericht, tenzij jij op een knop drukt."
        )
    ]
    buttons = []
    if steps:
        lines.append(_("Dit hebben jullie afgesproken voor als het misgaat:"))
        lines += [step_line(i, step) for i, step in enumerate(steps, 1)]
    now = context.runtime.clock.now()
    askable = [
        s
        for s in steps
        if s.step.kind == StepKind.ASK and s.member is not None and help_asks.can_be_asked(s.member, now)
    ]
    buttons += [
        [
            InlineKeyboardButton(
                "🙋 " + _("Vraag {name}").format(name=s.name), callback_data=callbacks.encode(ASK, s.step.id)
            )
        ]
        for s in askable
    ]
    if not askable:
        lines.append(
            _(
                "Er staat nog niemand in jullie plan die ik kan vragen. Wie kun je vandaag bellen of appen? "
                "Denk aan familie, een buur, een vriend, of iemand van school, sport of geloof. "
                "Iemand die je kent en vertrouwt, helpt vaak al."
            )
        )
    professional = await contact.professional_of(session, access.circle, now)
    if professional is not None:
        buttons.append(
            [
                InlineKeyboardButton(
                    "📞 " + _("Contact met {name}").format(name=professional.name),
                    callback_data=callbacks.encode(CONTACT, circle_id),
                )
            ]
        )
    lines.append(not_an_emergency_service())
    return "\n".join(lines), InlineKeyboardMarkup(buttons)


async def start(update: Update, context: KringContext) -> None:
    message = update.effective_message
    assert message is not None
    await with_circle(context, message, ASKHELP_COMMAND)


async def _show(context: KringContext, message: Message, circle_id: int) -> None:
    try:
        async with context.runtime.sessions() as session:
            text, buttons = await help_view(session, context, circle_id, message)
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
            raise authz.NotAllowed(Action.ASK_HELP)
        async with context.runtime.sessions() as session:
            text, buttons = await help_view(session, context, circle_id, query.message)
    except (callbacks.BadCallbackData, authz.NotAllowed):
        await stale_button(update, context)
        return
    await query.answer()
    await query.message.reply_text(text, reply_markup=buttons)


async def ask_pressed(update: Update, context: KringContext) -> None:
    query = update.callback_query
    assert query is not None
    runtime = context.runtime
    try:
        (step_id,) = callbacks.decode_ints(query.data, ASK, 1)
        if context.person_id is None or not isinstance(query.message, Message):
            raise authz.NotAllowed(Action.ASK_HELP)
        async with runtime.sessions.begin() as session:
            asked = await help_asks.ask(
                session,
                step_id,
                person_id=context.person_id,
                chat_id=query.message.chat.id,
                private=query.message.chat.type == ChatType.PRIVATE,
                now=runtime.clock.now(),
            )
            tz = ZoneInfo((await session.get_one(Circle, asked.request.circle_id)).time_zone)
    except (callbacks.BadCallbackData, authz.NotAllowed):
        await stale_button(update, context)
        return
    name = asked.helper.display_name
    if asked.again:
        await query.answer(_("{name} is al gevraagd.").format(name=name))
        return
    await query.answer(_("Gevraagd."))
    text = _("Ik heb {name} gevraagd. Je ziet hier wat {name} antwoordt.").format(name=name)
    if asked.held_until is not None:
        text += "\n" + _(
            "{name} heeft nu rustige uren. Mijn bericht komt om {time} aan. Is het nu nodig? Bel dan zelf."
        ).format(name=name, time=format_time(asked.held_until, tz, format="HH:mm"))
    await query.message.reply_text(text)


async def answer_pressed(update: Update, context: KringContext) -> None:
    query = update.callback_query
    assert query is not None

    async def apply(session: AsyncSession, person_id: int, values: list[str]) -> HelpAsk:
        return await help_asks.answer(
            session,
            callbacks.as_int(values[0]),
            person_id=person_id,
            answer=callbacks.as_enum(HelpAnswer, values[1]),
            now=context.runtime.clock.now(),
        )

    if await button_action(update, context, ANSWER, 2, apply) is None:
        return
    await query.answer()
    await query.edit_message_text(_("Dank je wel. Het gezin weet het nu."))


async def _ask_and_people(session: AsyncSession, delivery: Delivery) -> tuple[HelpAsk, Member, Member, Circle] | None:
    asked = await session.get(HelpAsk, delivery.payload.get("ask_id"))
    if asked is None:
        return None
    asker = await session.get_one(Member, asked.asked_by_member_id)
    helper = await session.get_one(Member, asked.helper_member_id)
    return asked, asker, helper, await session.get_one(Circle, asked.circle_id)


async def ask_message(session: AsyncSession, delivery: Delivery) -> Rendered | None:
    found = await _ask_and_people(session, delivery)
    if found is None:
        return None
    asked, asker, _helper, circle = found
    buttons = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    "📞 " + pgettext("button", "Ik bel"),
                    callback_data=callbacks.encode(ANSWER, asked.id, HelpAnswer.CALL.value),
                ),
                InlineKeyboardButton(
                    "🚶 " + pgettext("button", "Ik kom langs"),
                    callback_data=callbacks.encode(ANSWER, asked.id, HelpAnswer.COME.value),
                ),
            ],
            [
                InlineKeyboardButton(
                    pgettext("button", "Nu niet"),
                    callback_data=callbacks.encode(ANSWER, asked.id, HelpAnswer.CANT.value),
                )
            ],
        ]
    )
    return Rendered(
        "🙋 "
        + _("{name} van {circle} vraagt je om hulp. Het gaat nu niet goed. Kun je bellen of langskomen?").format(
            name=asker.display_name, circle=circle.name
        ),
        buttons,
    )


async def answer_message(session: AsyncSession, delivery: Delivery) -> Rendered | None:
    found = await _ask_and_people(session, delivery)
    if found is None or found[0].answer is None:
        return None
    asked, asker, helper, _circle = found
    if asked.answer == HelpAnswer.CALL:
        return Rendered(
            "📞 " + _("{helper} belt {asker} zo.").format(helper=helper.display_name, asker=asker.display_name)
        )
    if asked.answer == HelpAnswer.COME:
        return Rendered(
            "🚶 " + _("{helper} komt langs bij {asker}.").format(helper=helper.display_name, asker=asker.display_name)
        )
    return Rendered(
        "\n".join(
            [
                _("{helper} kan nu niet. Vraag iemand anders uit jullie plan, met /askhelp.").format(
                    helper=helper.display_name
                ),
                not_an_emergency_service(),
            ]
        )
    )


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
        CallbackQueryHandler(ask_pressed, pattern=callbacks.pattern(ASK)),
        CallbackQueryHandler(answer_pressed, pattern=callbacks.pattern(ANSWER)),
    ]
