"""/safetyplan: coordinators write down what we do when things go wrong ("als het misgaat")."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatType
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot import callbacks
from bot.db.models import Draft, StepKind
from bot.handlers.circle_choice import CircleCommand, with_circle
from bot.handlers.flows import begin_for_circle, draft_button, on_text
from bot.i18n import _, pgettext
from bot.plan_text import split_messages, step_line
from bot.runtime import KringContext
from bot.services import agreements, authz, circles, drafts, safety_plan
from bot.services.authz import Action

FLOW = "safety_plan"
ACTION = "sp"
Reply = tuple[str, InlineKeyboardMarkup | None]


def _button(text: str, draft_id: int, field: str, value: object = 0) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=callbacks.encode(ACTION, draft_id, field, str(value)))


async def start(update: Update, context: KringContext) -> None:
    message = update.effective_message
    assert message is not None
    if message.chat.type != ChatType.PRIVATE:
        await message.reply_text(_("Het plan voor als het misgaat maak je in een privégesprek met mij."))
        return
    await with_circle(context, message, SAFETYPLAN_COMMAND)


async def _begin(context: KringContext, message: Message, circle_id: int) -> None:
    async with context.runtime.sessions.begin() as session:
        draft = await begin_for_circle(
            context,
            session,
            message,
            circle_id,
            action=Action.EDIT_SAFETY_PLAN,
            refusal=_("Alleen wie de kring regelt, kan dit plan aanpassen."),
            flow=FLOW,
            step="menu",
        )
        if draft is None:
            return
        text, buttons = await _menu(session, draft)
    await message.reply_text(text, reply_markup=buttons)


async def _menu(session: AsyncSession, draft: Draft) -> Reply:
    plan = await safety_plan.load(session, draft.data["circle_id"])
    lines = ["🆘 " + _("Als het misgaat")]
    lines.append(_("Hieraan merken we het:"))
    lines += [f"• {sign.text}" for sign in plan.signs] or ["• " + _("(nog niets)")]
    lines.append(_("Dit doen we dan:"))
    lines += [step_line(i, step) for i, step in enumerate(plan.steps, 1)] or ["• " + _("(nog niets)")]
    lines.append(_("De noodnummers (112 en de hulplijnen) staan er altijd bij."))
    buttons = [
        [_button(pgettext("button", "Teken toevoegen"), draft.id, "sign")],
        [_button(pgettext("button", "Wat we zelf doen"), draft.id, "ourselves")],
        [_button(pgettext("button", "Wie we vragen"), draft.id, "ask")],
        [_button(pgettext("button", "Wanneer we de hulpverlener vragen"), draft.id, "professional")],
    ]
    if plan.signs or plan.steps:
        buttons.append([_button(pgettext("button", "Iets weghalen"), draft.id, "remove")])
    buttons.append([_button(pgettext("button", "Klaar"), draft.id, "done")])
    return split_messages(["\n".join(lines)])[0], InlineKeyboardMarkup(buttons)


PROMPTS = {
    "sign": lambda: _("Waaraan merken jullie dat het misgaat? Schrijf het in jullie eigen woorden."),
    "ourselves": lambda: _("Wat doen jullie dan zelf? Schrijf het kort op."),
    "professional": lambda: _("Wanneer vragen jullie de hulpverlener om contact? Schrijf het kort op."),
    "ask_name": lambda: _("Hoe heet die persoon?"),
    "ask_phone": lambda: _("Wat is het telefoonnummer? Of druk op 'Overslaan'."),
}


async def pressed(update: Update, context: KringContext) -> None:
    await draft_button(update, context, ACTION, FLOW, _press)


async def _press(
    context: KringContext, session: AsyncSession, draft: Draft, field: str, text_value: str
) -> Reply | None:
    value = callbacks.as_int(text_value)
    runtime = context.runtime
    now = runtime.clock.now()
    circle_id = draft.data["circle_id"]
    await authz.authorize(session, context.person_id, circle_id, Action.EDIT_SAFETY_PLAN)
    if field == "done":
        await drafts.finish(session, draft)
        return _("Bewaard. Met /plan zie je het hele plan."), None
    if field in ("sign", "ourselves", "professional"):
        drafts.advance(draft, field, now=now)
        return PROMPTS[field](), None
    if field == "ask":
        members = await agreements.doers(session, circle_id)
        buttons = [[_button(m.display_name, draft.id, "member", m.id)] for m in members]
        buttons.append([_button(pgettext("button", "Iemand anders"), draft.id, "other")])
        drafts.advance(draft, "ask", now=now)
        return _("Wie vragen jullie om hulp?"), InlineKeyboardMarkup(buttons)
    if field == "member" and draft.step == "ask":
        await safety_plan.add_step(
            session, circle_id, person_id=draft.person_id, kind=StepKind.ASK, member_id=value, now=now
        )
    elif field == "other" and draft.step == "ask":
        drafts.advance(draft, "ask_name", now=now)
        return PROMPTS["ask_name"](), None
    elif field == "skip" and draft.step == "ask_phone":
        await safety_plan.add_step(
            session,
            circle_id,
            person_id=draft.person_id,
            kind=StepKind.ASK,
            contact_name=draft.data["contact_name"],
            now=now,
        )
    elif field == "remove":
        return await _removal_choices(session, draft)
    elif field == "back":
        pass
    elif field in ("del_sign", "del_step"):
        await safety_plan.remove(session, field[4:], value, person_id=draft.person_id, now=now)
    else:
        return None
    drafts.advance(draft, "menu", now=now)
    return await _menu(session, draft)


async def _removal_choices(session: AsyncSession, draft: Draft) -> Reply:
    plan = await safety_plan.load(session, draft.data["circle_id"])
    buttons = [[_button(f"✕ {sign.text[:40]}", draft.id, "del_sign", sign.id)] for sign in plan.signs]
    buttons += [
        [_button(f"✕ {step_line(i, s)[:40]}", draft.id, "del_step", s.step.id)] for i, s in enumerate(plan.steps, 1)
    ]
    buttons.append([_button(pgettext("button", "Terug"), draft.id, "back")])
    return _("Wat wil je weghalen?"), InlineKeyboardMarkup(buttons)


@on_text(FLOW)
async def typed(update: Update, context: KringContext, text: str) -> None:
    message = update.effective_message
    assert message is not None and context.person_id is not None
    runtime = context.runtime
    now = runtime.clock.now()
    async with runtime.sessions.begin() as session:
        draft = await drafts.current(session, person_id=context.person_id, chat_id=message.chat.id)
        assert draft is not None
        circle_id, step = draft.data["circle_id"], draft.step
        try:
            reply = await _take_text(session, context, draft, step, circle_id, text, now)
        except authz.NotAllowed:
            await drafts.finish(session, draft)
            reply = (_("Alleen wie de kring regelt, kan dit plan aanpassen."), None)
    await message.reply_text(reply[0], reply_markup=reply[1])


async def _take_text(
    session: AsyncSession, context: KringContext, draft: Draft, step: str, circle_id: int, text: str, now: datetime
) -> Reply:
    assert context.person_id is not None
    if step in ("sign", "ourselves", "professional", "ask_name"):
        cleaned = circles.clean_name(text, safety_plan.MAX_TEXT)
        if cleaned is None:
            return _("Dat is te lang. Gebruik hoogstens {count} tekens.").format(count=safety_plan.MAX_TEXT), None
        if step == "sign":
            await safety_plan.add_sign(session, circle_id, person_id=context.person_id, text=cleaned, now=now)
        elif step == "ask_name":
            drafts.advance(draft, "ask_phone", now=now, contact_name=cleaned)
            return PROMPTS["ask_phone"](), InlineKeyboardMarkup(
                [[_button(pgettext("button", "Overslaan"), draft.id, "skip")]]
            )
        else:
            await safety_plan.add_step(
                session, circle_id, person_id=context.person_id, kind=StepKind(step), text=cleaned, now=now
            )
    elif step == "ask_phone":
        phone = safety_plan.clean_phone(text)
        if phone is None:
            return _("Dat is geen telefoonnummer dat ik ken. Schrijf bijvoorbeeld 06 12345678."), None
        await safety_plan.add_step(
            session,
            circle_id,
            person_id=context.person_id,
            kind=StepKind.ASK,
            contact_name=draft.data["contact_name"],
            phone=phone,
            now=now,
        )
    else:
        return _("Kies een van de knoppen hierboven. Stoppen? Stuur /cancel."), None
    drafts.advance(draft, "menu", now=now)
    return await _menu(session, draft)


SAFETYPLAN_COMMAND = CircleCommand(
    "safetyplan",
    authz.RULES[Action.EDIT_SAFETY_PLAN],
    lambda: _("Alleen wie de kring regelt, kan dit plan aanpassen."),
    _begin,
)


def handlers() -> list[BaseHandler[Update, KringContext, None]]:
    return [
        CommandHandler("safetyplan", start),
        SAFETYPLAN_COMMAND.handler(),
        CallbackQueryHandler(pressed, pattern=callbacks.pattern(ACTION)),
    ]
