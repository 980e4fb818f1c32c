"""/newagreement (make one, step by step), the doer's answer, and /agreements (pause, resume, end,
or step back from your own)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatType
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot import callbacks
from bot.db.models import AgreementStatus
from bot.flows import agreement, sharing
from bot.flows.flow import Reply
from bot.handlers import flows
from bot.handlers.circle_choice import CircleCommand, with_circle
from bot.i18n import _, pgettext
from bot.messages import young_views as young_screens
from bot.messages.agreements import ANSWER, CONFIRM, answer_buttons
from bot.plan_text import agreement_block, split_messages
from bot.runtime import KringContext
from bot.services import agreements, authz, young_views
from bot.services.authz import Access, Action, Role

MANAGE = "agm"
MAKERS = frozenset({Role.COORDINATOR, Role.PROFESSIONAL})


# -- making an agreement ----------------------------------------------------------------------


async def start_agreement(update: Update, context: KringContext) -> None:
    message = update.effective_message
    assert message is not None
    if message.chat.type != ChatType.PRIVATE:
        await message.reply_text(_("Een afspraak maak je in een privégesprek met mij."))
        return
    await with_circle(context, message, AGREEMENT_COMMAND)


async def _begin(context: KringContext, message: Message, circle_id: int) -> None:
    await flows.start(
        context,
        message,
        agreement.MAKE,
        agreement.AgreementDraft(circle_id),
        step="doer",
        intro=agreement.intro(),
        refusal=AGREEMENT_COMMAND.refusal,
    )


# -- answers on delivered messages ------------------------------------------------------------


async def answer_pressed(update: Update, context: KringContext) -> None:
    """The doer answers. "Liever anders" privately first asks for an optional reason."""
    query = update.callback_query
    assert query is not None
    message = query.message

    async def apply(session: AsyncSession, person_id: int, values: list[str]) -> Reply:
        agreement_id = callbacks.as_int(values[0])
        accept = callbacks.as_yes_no(values[1])
        if not accept and isinstance(message, Message) and message.chat.type == ChatType.PRIVATE:
            turn = await flows.begin(
                context,
                session,
                message.chat.id,
                agreement.DECLINE,
                agreement.DeclineDraft(agreement_id),
                step="reason",
            )
            reply = await turn.question()
            await agreement.DECLINE.save(turn)
            return reply
        answered = await agreements.answer(
            session, agreement_id, person_id=person_id, accept=accept, reason=None, now=context.runtime.clock.now()
        )
        return agreement.answered(answered.status == AgreementStatus.ACTIVE), None

    reply = await flows.button_action(update, context, ANSWER, 2, apply)
    if reply is not None:
        await query.answer()
        await query.edit_message_text(reply[0], reply_markup=reply[1])


async def confirm_pressed(update: Update, context: KringContext) -> None:
    """A coordinator confirms (or not) what the professional suggested."""
    query = update.callback_query
    assert query is not None

    async def apply(session: AsyncSession, person_id: int, values: list[str]) -> str:
        accept = callbacks.as_yes_no(values[1])
        confirmed = await agreements.confirm_suggestion(
            session, callbacks.as_int(values[0]), person_id=person_id, accept=accept, now=context.runtime.clock.now()
        )
        if confirmed.status == AgreementStatus.PROPOSED:
            view = await agreements.view(session, confirmed)
            return _("Goedgekeurd. Ik vraag {name} of dat goed is.").format(name=view.doer.display_name)
        if confirmed.status == AgreementStatus.ACTIVE:
            return _("Goedgekeurd. De afspraak staat nu in het plan.")
        return _("Dit voorstel gaat niet door.")

    text = await flows.button_action(update, context, CONFIRM, 2, apply)
    if text is not None:
        await query.answer()
        await query.edit_message_text(text)


# -- /agreements: change what is agreed --------------------------------------------------------


async def list_agreements(update: Update, context: KringContext) -> None:
    message = update.effective_message
    assert message is not None
    await with_circle(context, message, AGREEMENTS_COMMAND)


async def _show_agreements(context: KringContext, message: Message, circle_id: int) -> None:
    async with context.runtime.reads() as session:
        try:
            access, views = await agreements.seen_by(session, circle_id, person_id=context.person_id)
        except authz.NotAllowed:
            await message.reply_text(AGREEMENTS_COMMAND.refusal())
            return
        says = await young_views.opinions_seen_by(session, access)
    if message.chat.type != ChatType.PRIVATE:  # the group reads along: shared ones, no buttons, one message
        views = [v for v in views if v.in_group]
        blocks = [agreement_block(v) for v in views] or [_("Er zijn nog geen afspraken.")]
        for text in split_messages([*blocks, _("Aanpassen doe je privé met /agreements.")]):
            await message.reply_text(text)
        return
    if not views:
        await message.reply_text(_("Er zijn nog geen afspraken."))
        return
    for view in views:
        await message.reply_text(agreement_block(view, says), reply_markup=_manage_buttons(view, access))


def _manage_buttons(view: agreements.AgreementView, access: Access) -> InlineKeyboardMarkup | None:
    status, agreement_id = view.agreement.status, view.agreement.id

    def button(text: str, change: str) -> InlineKeyboardButton:
        return InlineKeyboardButton(text, callback_data=callbacks.encode(MANAGE, agreement_id, change))

    buttons = []
    is_doer = access.member is not None and view.doer.id == access.member.id
    if is_doer and status == AgreementStatus.PROPOSED:
        return answer_buttons(agreement_id)
    if access.role == Role.COORDINATOR:
        if status in (AgreementStatus.ACTIVE, AgreementStatus.PAUSED, AgreementStatus.PROPOSED):
            buttons.append(button(pgettext("button", "Aanpassen"), "edit"))
        if status == AgreementStatus.ACTIVE:
            buttons.append(button(pgettext("button", "⏸ Pauzeren"), "pause"))
        if status == AgreementStatus.PAUSED:
            buttons.append(button(pgettext("button", "Weer starten"), "resume"))
        buttons.append(button(pgettext("button", "Stoppen"), "end"))
        if status in (AgreementStatus.ACTIVE, AgreementStatus.PAUSED, AgreementStatus.PROPOSED):
            rows = [buttons, [button("🔒 " + pgettext("button", "Wie mag het weten?"), "share")]]
            return InlineKeyboardMarkup(rows)
    elif is_doer and status in (AgreementStatus.ACTIVE, AgreementStatus.PAUSED):
        buttons.append(button(pgettext("button", "Ik stop hiermee"), "back"))
    if access.role == Role.YOUNG:
        return InlineKeyboardMarkup(
            [buttons, [young_screens.ask_button(agreement_id)]]
            if buttons
            else [[young_screens.ask_button(agreement_id)]]
        )
    return InlineKeyboardMarkup([buttons]) if buttons else None


async def manage_pressed(update: Update, context: KringContext) -> None:
    query = update.callback_query
    assert query is not None
    message = query.message
    now = context.runtime.clock.now()

    async def apply(session: AsyncSession, person_id: int, values: list[str]) -> Reply:
        agreement_id, change = callbacks.as_int(values[0]), values[1]
        if change == "back":
            changed = await agreements.step_back(session, agreement_id, person_id=person_id, now=now)
        elif change in ("pause", "resume", "end"):
            changed = await agreements.change(session, agreement_id, person_id=person_id, change=change, now=now)
        else:
            raise callbacks.BadCallbackData(change)
        if changed.status == AgreementStatus.ENDED:
            return _("Gestopt: {what}").format(what=changed.what), None
        access, view = await agreements.seen_as(session, changed, person_id=person_id)
        return agreement_block(view), _manage_buttons(view, access)

    async def begin_edit(session: AsyncSession, person_id: int, values: list[str]) -> Reply:
        """The same steps as making one, from "what"; typed answers only arrive privately."""
        if not isinstance(message, Message) or message.chat.type != ChatType.PRIVATE:
            raise callbacks.BadCallbackData(values[1])
        view = await agreements.check_can_change(session, callbacks.as_int(values[0]), person_id=person_id)
        draft = agreement.change_draft(view)
        turn = await flows.begin(context, session, message.chat.id, agreement.MAKE, draft, step="what")
        text, buttons = await turn.question()
        await agreement.MAKE.save(turn)
        return agreement.change_intro(view) + "\n\n" + text, buttons

    async def begin_sharing(session: AsyncSession, person_id: int, values: list[str]) -> Reply:
        """Safety circles for this agreement: privately, a coordinator only."""
        if not isinstance(message, Message) or message.chat.type != ChatType.PRIVATE:
            raise callbacks.BadCallbackData(values[1])
        view = await agreements.check_can_change(session, callbacks.as_int(values[0]), person_id=person_id)
        draft = sharing.SharingDraft(view.agreement.circle_id, view.agreement.id)
        turn = await flows.begin(context, session, message.chat.id, sharing.SHARING, draft, step="people")
        text, buttons = await turn.question()
        await sharing.SHARING.save(turn)
        return text, buttons

    data = query.data or ""
    editing = data.endswith((":edit", ":share"))
    begin = begin_sharing if data.endswith(":share") else begin_edit
    reply = await flows.button_action(update, context, MANAGE, 2, begin if editing else apply)
    if reply is None:
        return
    await query.answer()
    if editing and isinstance(message, Message):
        await message.reply_text(reply[0], reply_markup=reply[1])
    else:
        await query.edit_message_text(reply[0], reply_markup=reply[1])


AGREEMENT_COMMAND = CircleCommand(
    "newagreement", MAKERS, lambda: _("Alleen wie de kring regelt, kan afspraken maken."), _begin
)
AGREEMENTS_COMMAND = CircleCommand(
    "agreements", authz.RULES[Action.VIEW_PLAN], lambda: _("Je doet nog niet mee in een kring."), _show_agreements
)


def handlers() -> list[BaseHandler[Update, KringContext, None]]:
    return [
        CommandHandler("newagreement", start_agreement),
        AGREEMENT_COMMAND.handler(),
        CommandHandler("agreements", list_agreements),
        AGREEMENTS_COMMAND.handler(),
        CallbackQueryHandler(answer_pressed, pattern=callbacks.pattern(ANSWER)),
        CallbackQueryHandler(confirm_pressed, pattern=callbacks.pattern(CONFIRM)),
        CallbackQueryHandler(manage_pressed, pattern=callbacks.pattern(MANAGE)),
    ]
