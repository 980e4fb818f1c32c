"""A chat's command menu, rendered when the outbox sends it: from the person's roles at that
moment, in their language (the sender sets it), so a waiting menu is always the newest."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import BotCommand

from bot.db.models import Delivery
from bot.i18n import gettext
from bot.services import menus, roles
from scheduler.sender import Rendered


def bot_commands(commands: tuple[menus.Command, ...]) -> tuple[BotCommand, ...]:
    """The commands with their descriptions in the current language."""
    return tuple(BotCommand(command.name, gettext(command.description)) for command in commands)


async def menu(session: AsyncSession, delivery: Delivery) -> Rendered:
    if delivery.payload.get("delete"):
        return Rendered("", commands=(), delete=True)
    if delivery.person_id is None:  # a circle's group
        return Rendered("", commands=bot_commands(menus.group_commands()))
    return Rendered("", commands=bot_commands(await roles.menu_of(session, delivery.person_id)))
