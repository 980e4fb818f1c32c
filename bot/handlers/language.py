"""/language: each person picks the language Kring writes to them in."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
)
from telegram.constants import ChatType
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot import callbacks
from bot.handlers.flows import button_action
from bot.i18n import (
    _,
    available_languages,
    current_language,
    is_reviewed,
    language_name,
    language_name_here,
    pgettext,
    set_language,
)
from bot.messages.buttons import marked
from bot.runtime import KringContext
from bot.services import circles, people, roles

ACTION = "lang"
GROUP = "glang"  # glang:circle_id:slot (1: the group's language, 2: a second one):code ("-": none)


def label(code: str) -> str:
    """The language's own name; a * when no native speaker has checked the translation yet."""
    return language_name(code) + ("" if is_reviewed(code) else " *")


def _rows(buttons: list[InlineKeyboardButton]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([buttons[i : i + 2] for i in range(0, len(buttons), 2)])


def language_keyboard(current: str) -> InlineKeyboardMarkup:
    return _rows(
        [
            InlineKeyboardButton(
                marked(label(code), chosen=code == current), callback_data=callbacks.encode(ACTION, code)
            )
            for code in available_languages()
        ]
    )


def _not_checked_note() -> str:
    return _("Talen met een * zijn nog niet nagekeken door iemand die de taal als moedertaal spreekt.")


async def ask_language(update: Update, context: KringContext) -> None:
    message = update.effective_message
    assert message is not None
    if message.chat.type != ChatType.PRIVATE:
        await _ask_group_language(context, message)
        return
    await message.reply_text(
        _("In welke taal wil je berichten van mij?") + "\n" + _not_checked_note(),
        reply_markup=language_keyboard(current_language()),
    )


async def _ask_group_language(context: KringContext, message: Message) -> None:
    """In the family's group: coordinators choose the group's language, and maybe a second one."""
    async with context.runtime.reads() as session:
        circle = await roles.coordinated_group(session, message.chat.id, context.person_id)
    if circle is None:
        await message.reply_text(
            _(
                "Je eigen taal kies je in een privégesprek met mij. Stuur mij daar /language. "
                "De taal van deze groep kiest wie de kring regelt."
            )
        )
        return
    buttons = [
        InlineKeyboardButton(
            marked(label(code), chosen=code == circle.language),
            callback_data=callbacks.encode(GROUP, circle.id, 1, code),
        )
        for code in available_languages()
    ]
    await message.reply_text(
        _("In welke taal schrijf ik in deze groep?") + "\n" + _not_checked_note(), reply_markup=_rows(buttons)
    )


async def group_language_pressed(update: Update, context: KringContext) -> None:
    query = update.callback_query
    assert query is not None

    async def apply(session: AsyncSession, person_id: int, values: list[str]) -> tuple[int, str, str, str | None]:
        circle_id, slot, code = values
        if slot not in ("1", "2"):
            raise callbacks.BadCallbackData(slot)
        circle = await circles.set_group_language(
            session,
            callbacks.as_int(circle_id),
            person_id=person_id,
            code=None if code == "-" else code,
            second=slot == "2",
            now=context.runtime.clock.now(),
        )
        return circle.id, slot, circle.language, circle.second_language

    chosen = await button_action(update, context, GROUP, 3, apply)
    if chosen is None:
        return
    circle_id, slot, first, second = chosen
    await query.answer()
    if slot == "1":  # then: a second language for those who read another one better?
        buttons = [
            InlineKeyboardButton(label(c), callback_data=callbacks.encode(GROUP, circle_id, 2, c))
            for c in available_languages()
            if c != first
        ]
        buttons.append(
            InlineKeyboardButton(
                pgettext("button", "Geen tweede taal"), callback_data=callbacks.encode(GROUP, circle_id, 2, "-")
            )
        )
        await query.edit_message_text(
            _("Zet ik er een tweede taal bij? Dan schrijf ik mijn berichten in de groep in twee talen."),
            reply_markup=_rows(buttons),
        )
        return
    if second is None:
        await query.edit_message_text(
            _("Goed. In deze groep schrijf ik in het {language}.").format(language=language_name_here(first))
        )
    else:
        await query.edit_message_text(
            _("Goed. In deze groep schrijf ik in het {language} en in het {second}.").format(
                language=language_name_here(first), second=language_name_here(second)
            )
        )


async def choose_language(update: Update, context: KringContext) -> None:
    query = update.callback_query
    assert query is not None

    async def apply(session: AsyncSession, person_id: int, values: list[str]) -> str:
        await people.choose_own_language(session, person_id, values[0], now=context.runtime.clock.now())
        return values[0]

    code = await button_action(update, context, ACTION, 1, apply)  # an unknown language: NoLongerPossible
    if code is None:
        return
    set_language(code)
    await query.answer()
    await query.edit_message_text(
        _("Klaar. Ik schrijf je vanaf nu in het {language}.").format(language=language_name(code))
    )


def handlers() -> list[BaseHandler[Update, KringContext, None]]:
    return [
        CommandHandler("language", ask_language),
        CallbackQueryHandler(choose_language, pattern=callbacks.pattern(ACTION)),
        CallbackQueryHandler(group_language_pressed, pattern=callbacks.pattern(GROUP)),
    ]
