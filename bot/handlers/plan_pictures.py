"""The plan to look at: buttons under /plan for a picture of the circle, a printable PDF, one's
own agreements for the phone's calendar, and (for coordinators) a picture of how it went.

Each press is authorised again and shows only what the presser may see *in that chat*: in the
family's group what is shared with the whole circle; a network member only their own part. When
pictures cannot be made here (fonts or Pango missing), the plan comes as text instead.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, Message, Update
from telegram.constants import ChatType
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot import callbacks
from bot.handlers.fallback import stale_button
from bot.handlers.flood import FloodGuard
from bot.i18n import _, pgettext
from bot.plan_files import calendar, layout, pool, render
from bot.plan_text import plan_messages_of
from bot.runtime import KringContext
from bot.services import authz, how_it_went, people
from bot.services.authz import Access, Action, Role
from bot.services.plan_view import PlanView, plan_here

log = logging.getLogger(__name__)

PICTURE = "pp"  # pp:circle_id — the picture of the circle
PRINT = "pd"  # pd:circle_id — the printable A4 plan (PDF)
CALENDAR = "pc"  # pc:circle_id — one's own agreements as calendar entries (.ics)
HOW_IT_WENT = "pw"  # pw:circle_id — the last three months, for coordinators
#: Each file takes up to a second of work: four at once, then one a minute per person.
FILES_AT_ONCE = 4
FILES_PER_SECOND = 1 / 60
RENDERER = "renderer"  # bot_data: the worker processes (stopped by the application's post_shutdown)


def _file_guard(context: KringContext) -> FloodGuard:
    return context.application.bot_data.setdefault(  # type: ignore[no-any-return]
        "file_guard", FloodGuard(capacity=FILES_AT_ONCE, per_second=FILES_PER_SECOND)
    )


def renderer(context: KringContext) -> pool.Renderer:
    """The application's renderer, made at the first file (its workers start with the first render)."""
    found = context.application.bot_data.get(RENDERER)
    if found is None:
        workers = context.runtime.settings.render_workers
        found = pool.Renderer(pool.default_workers() if workers is None else workers)
        context.application.bot_data[RENDERER] = found
    return found


def buttons(
    circle_id: int, access: Access, *, in_group: bool, has_own_agreements: bool
) -> list[list[InlineKeyboardButton]]:
    """The rows under the plan for this person, in this chat."""
    rows = [
        [
            InlineKeyboardButton(
                "🖼 " + pgettext("button", "Als plaatje"), callback_data=callbacks.encode(PICTURE, circle_id)
            ),
            InlineKeyboardButton(
                "🖨 " + pgettext("button", "Om te printen"), callback_data=callbacks.encode(PRINT, circle_id)
            ),
        ]
    ]
    if not in_group and has_own_agreements:
        rows.append(
            [
                InlineKeyboardButton(
                    "📅 " + pgettext("button", "In mijn agenda"), callback_data=callbacks.encode(CALENDAR, circle_id)
                )
            ]
        )
    if not in_group and access.role == Role.COORDINATOR:
        rows.append(
            [
                InlineKeyboardButton(
                    "📈 " + pgettext("button", "Hoe ging het?"), callback_data=callbacks.encode(HOW_IT_WENT, circle_id)
                )
            ]
        )
    return rows


Make = Callable[[KringContext, Message, Access, PlanView], Awaitable[None]]


async def _pressed(
    update: Update, context: KringContext, action: str, rule: Action, make: Make, *, private_only: bool = False
) -> None:
    query = update.callback_query
    assert query is not None
    message = query.message
    try:
        (circle_id,) = callbacks.decode_ints(query.data, action, 1)
        if not isinstance(message, Message) or (private_only and message.chat.type != ChatType.PRIVATE):
            raise callbacks.BadCallbackData(query.data)  # not in a chat where this button works
        group = message.chat.id if message.chat.type != ChatType.PRIVATE else None
        async with context.runtime.reads() as session:
            here = await plan_here(session, context.person_id, circle_id, rule, group_chat_id=group)
    except (callbacks.BadCallbackData, authz.NotAllowed):
        await stale_button(update, context)
        return
    access, view = here.access, here.view
    if _file_guard(context).take(query.from_user.id) is not None:
        log.info("plan_files.too_many person=%s", context.person_id)
        await query.answer(_("Je hebt net al een paar bestanden gekregen. Probeer het over een minuut weer."))
        return
    await query.answer(_("Even geduld, ik maak het klaar…"))
    try:
        await make(context, message, access, view)
    except pool.Failed as reason:  # (render.Unavailable too: no fonts or Pango here)
        log.warning("plan_files.unavailable circle=%s reason=%s", access.circle.id, reason)
        await message.reply_text(_("Een plaatje of PDF maken lukt nu niet. Hier is het plan als tekst."))
        for text in plan_messages_of(view):
            await message.reply_text(text)


async def _picture(context: KringContext, message: Message, access: Access, view: PlanView) -> None:
    page = layout.picture_page(view.only_own(), context.runtime.clock.now().date())
    picture = await renderer(context).run(render.png, page)
    await _send_picture(message, picture, "kring-plan.png", _("Het plan als plaatje. Bewaar het op je telefoon."))
    log.info(
        "plan_files.picture circle=%s role=%s height=%s complete=%s",
        access.circle.id,
        access.role,
        picture.height,
        picture.complete,
    )


async def _send_picture(message: Message, picture: render.Picture, filename: str, caption: str) -> None:
    """As a photo; one too long for Telegram's photo limits goes as a file (nothing is cut off)."""
    if picture.fits_a_photo:
        await message.reply_photo(picture.content, caption=caption)
    else:
        await message.reply_document(picture.content, filename=filename, caption=caption)


async def _printable(context: KringContext, message: Message, access: Access, view: PlanView) -> None:
    today = context.runtime.clock.now().date()
    made = await renderer(context).run(
        render.fitted, layout.printable_pages(view.only_own(), today), room=layout.PAPER_ROOM
    )
    caption = (
        _("Het plan op één A4. Print het en hang het op, bijvoorbeeld op de koelkast.")
        if made.pages == 1
        else _("Het plan om te printen. Het is te lang voor één A4; /plan heeft alles als tekst.")
    )
    await message.reply_document(made.content, filename=f"kring-plan-{today.isoformat()}.pdf", caption=caption)
    log.info(
        "plan_files.printable circle=%s role=%s pages=%s scale=%s",
        access.circle.id,
        access.role,
        made.pages,
        made.scale,
    )


async def _calendar(context: KringContext, message: Message, access: Access, view: PlanView) -> None:
    now = context.runtime.clock.now()
    entries = calendar.in_calendar(view.own_agreements, now)
    if not entries:
        await message.reply_text(_("Je hebt geen afspraken met een vast moment. Er is dus niets voor je agenda."))
        return
    async with context.runtime.reads() as session:
        doer_tz = await people.clock_of_person(session, context.person_id, context.runtime.settings.timezone)
    content = calendar.calendar_file(entries, now=now, doer_tz=doer_tz)
    await message.reply_document(
        content,
        filename="kring-afspraken.ics",
        caption=_(
            "Jouw afspraken voor je agenda. Open het bestand en kies 'toevoegen'. Er staat alleen in wat je doet "
            "en wanneer. Verandert er iets? Haal het bestand dan opnieuw."
        ),
    )
    log.info("plan_files.calendar circle=%s entries=%s", access.circle.id, len(entries))


async def _how_it_went(context: KringContext, message: Message, access: Access, view: PlanView) -> None:
    async with context.runtime.reads() as session:
        went = await how_it_went.collect(session, access, context.runtime.clock.now())
    page = layout.how_it_went_page(went, ZoneInfo(access.circle.time_zone))
    picture = await renderer(context).run(render.png, page)
    await _send_picture(
        message,
        picture,
        "kring-hoe-ging-het.png",
        _("Zo ging het de laatste drie maanden. Kijk er samen naar: wat ging goed, wat kan anders?"),
    )
    log.info("plan_files.how_it_went circle=%s rounds=%s", access.circle.id, len(went.rounds))


async def picture_pressed(update: Update, context: KringContext) -> None:
    await _pressed(update, context, PICTURE, Action.VIEW_PLAN, _picture)


async def print_pressed(update: Update, context: KringContext) -> None:
    await _pressed(update, context, PRINT, Action.VIEW_PLAN, _printable)


async def calendar_pressed(update: Update, context: KringContext) -> None:
    await _pressed(update, context, CALENDAR, Action.VIEW_PLAN, _calendar, private_only=True)


async def how_it_went_pressed(update: Update, context: KringContext) -> None:
    await _pressed(update, context, HOW_IT_WENT, Action.VIEW_HOW_IT_WENT, _how_it_went, private_only=True)


def handlers() -> list[BaseHandler[Update, KringContext, None]]:
    return [
        CallbackQueryHandler(picture_pressed, pattern=callbacks.pattern(PICTURE)),
        CallbackQueryHandler(print_pressed, pattern=callbacks.pattern(PRINT)),
        CallbackQueryHandler(calendar_pressed, pattern=callbacks.pattern(CALENDAR)),
        CallbackQueryHandler(how_it_went_pressed, pattern=callbacks.pattern(HOW_IT_WENT)),
    ]
