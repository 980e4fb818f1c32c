"""/new: a professional starts a circle at the end of care, in a few steps (kept as a draft)."""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatType
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot import callbacks
from bot.db.models import Draft
from bot.handlers.flows import draft_button, on_text
from bot.handlers.language import label
from bot.i18n import (
    _,
    available_languages,
    format_date,
    language_name,
    ngettext,
    pgettext,
)
from bot.runtime import KringContext
from bot.services import circles, drafts, professionals

FLOW = "new_circle"
ACTION = "new"


def deep_link(bot_username: str, token: str, *, group: bool = False) -> str:
    return f"https://t.me/{bot_username}?{'startgroup' if group else 'start'}={token}"


async def start_new(update: Update, context: KringContext) -> None:
    message = update.effective_message
    assert message is not None
    if message.chat.type != ChatType.PRIVATE:
        await message.reply_text(_("Een nieuwe kring start je in een privégesprek met mij."))
        return
    runtime = context.runtime
    async with runtime.sessions.begin() as session:
        professional = await professionals.active_for_person(session, context.person_id)
        if professional is None or context.person_id is None:
            await message.reply_text(
                _("Alleen een hulpverlener kan een kring starten. Wil je meedoen in een kring? Vraag dan om een link.")
            )
            return
        await drafts.begin(
            session,
            person_id=context.person_id,
            chat_id=message.chat.id,
            flow=FLOW,
            step="name",
            now=runtime.clock.now(),
        )
    await message.reply_text(
        _("We maken een nieuwe kring. Hoe heet de kring? Kies een naam die het gezin herkent, zoals 'Gezin Jansen'.")
        + "\n\n"
        + _("Stoppen? Stuur /cancel.")
    )


@on_text(FLOW)
async def name_typed(update: Update, context: KringContext, text: str) -> None:
    message = update.effective_message
    assert message is not None and context.person_id is not None
    name = circles.clean_name(text)
    if name is None:
        await message.reply_text(
            _("Die naam is te lang. Gebruik hoogstens {count} tekens.").format(count=circles.MAX_NAME)
        )
        return
    runtime = context.runtime
    async with runtime.sessions.begin() as session:
        draft = await drafts.current(session, person_id=context.person_id, chat_id=message.chat.id)
        if draft is None or draft.step != "name":
            await message.reply_text(_("Kies een van de knoppen hierboven. Stoppen? Stuur /cancel."))
            return
        drafts.advance(draft, "language", now=runtime.clock.now(), name=name)
        draft_id = draft.id
    await message.reply_text(
        _("In welke taal schrijf ik in de groep van het gezin?"), reply_markup=_language_buttons(draft_id)
    )


def _language_buttons(draft_id: int) -> InlineKeyboardMarkup:
    buttons = [
        InlineKeyboardButton(label(code), callback_data=callbacks.encode(ACTION, draft_id, "lang", code))
        for code in available_languages()
    ]
    return InlineKeyboardMarkup([buttons[i : i + 2] for i in range(0, len(buttons), 2)])


def _months_buttons(draft_id: int) -> InlineKeyboardMarkup:
    def label(months: int) -> str:
        text = ngettext("{count} maand", "{count} maanden", months).format(count=months)
        return text + (" ✓" if months == circles.DEFAULT_FOLLOW_UP_MONTHS else "")

    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(label(m), callback_data=callbacks.encode(ACTION, draft_id, "months", m))
                for m in circles.FOLLOW_UP_MONTHS
            ]
        ]
    )


def _confirm_buttons(draft_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    pgettext("button", "Maak de kring"), callback_data=callbacks.encode(ACTION, draft_id, "ok", 1)
                ),
                InlineKeyboardButton(
                    pgettext("button", "Stop"), callback_data=callbacks.encode(ACTION, draft_id, "stop", 1)
                ),
            ]
        ]
    )


async def on_button(update: Update, context: KringContext) -> None:
    await draft_button(update, context, ACTION, FLOW, _apply)


async def _apply(
    context: KringContext, session: AsyncSession, draft: Draft, field: str, value: str
) -> tuple[str, InlineKeyboardMarkup | None] | None:
    """One button press in the flow; ``None`` when it does not fit (the professional was removed)."""
    runtime = context.runtime
    now = runtime.clock.now()
    professional = await professionals.active_for_person(session, context.person_id)
    if professional is None:
        return None
    today = now.astimezone(runtime.settings.timezone).date()
    if field == "stop":
        await drafts.finish(session, draft)
        return _("Gestopt. Er is geen kring gemaakt."), None
    if field == "lang" and draft.step == "language" and value in available_languages():
        drafts.advance(draft, "follow_up", now=now, language=value)
        return _("Hoe lang houd je na het einde van de hulp nog een vinger aan de pols?"), _months_buttons(draft.id)
    if field == "months" and draft.step == "follow_up" and callbacks.as_int(value) in circles.FOLLOW_UP_MONTHS:
        drafts.advance(draft, "confirm", now=now, months=callbacks.as_int(value))
        return _summary(draft, today), _confirm_buttons(draft.id)
    if field == "ok" and draft.step == "confirm":
        ends = circles.follow_up_end(today, draft.data["months"])
        new = await circles.create(
            session,
            professional=professional,
            name=draft.data["name"],
            language=draft.data["language"],
            time_zone=str(runtime.settings.timezone),
            follow_up_ends_on=ends,
            now=now,
        )
        await drafts.finish(session, draft)
        return _links_text(new, context.bot.username), None
    return None


def _summary(draft: Draft, today: date) -> str:
    ends = circles.follow_up_end(today, draft.data["months"])
    return "\n".join(
        [
            _("Klopt dit?"),
            _("Naam: {name}").format(name=draft.data["name"]),
            _("Taal: {language}").format(language=language_name(draft.data["language"])),
            _("Vinger aan de pols tot: {date}").format(date=format_date(ends)),
        ]
    )


def _links_text(new: circles.NewCircle, bot_username: str) -> str:
    return "\n\n".join(
        [
            _("De kring {name} is klaar.").format(name=new.circle.name),
            _("1. Voeg mij toe aan de groep van het gezin met deze link:")
            + "\n"
            + deep_link(bot_username, new.group_token, group=True),
            _("2. Heeft het gezin geen groep? Of wil een ouder ook apart met mij praten? Geef dan deze link:")
            + "\n"
            + deep_link(bot_username, new.family_token),
            _("Elke link werkt één keer, en 30 dagen lang."),
            _("Daarna beslist het gezin wie er meedoet. Jij kunt zelf niemand uitnodigen."),
        ]
    )


def handlers() -> list[BaseHandler[Update, KringContext, None]]:
    return [
        CommandHandler("new", start_new),
        CallbackQueryHandler(on_button, pattern=callbacks.pattern(ACTION)),
    ]
