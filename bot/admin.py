"""``kring professional …``: the administrator registers professionals. It shows names and
status of professionals only, never anything about families."""

from __future__ import annotations

import argparse

from telegram import Bot

from bot.clock import SystemClock
from bot.config import Settings
from bot.db import crypto, migrate
from bot.db.models import ProfessionalStatus
from bot.db.session import create_engine, create_sessionmaker
from bot.flows.new_circle import deep_link
from bot.i18n import _, format_date
from bot.services import professionals

STATUS = {
    ProfessionalStatus.INVITED: lambda: _("uitgenodigd"),
    ProfessionalStatus.ACTIVE: lambda: _("aangemeld"),
    ProfessionalStatus.REMOVED: lambda: _("verwijderd"),
}


async def bot_username(settings: Settings) -> str:
    bot = Bot(settings.require_token(), base_url=settings.api_base_url, base_file_url=settings.api_file_url)
    async with bot:
        return bot.username


async def run_professional_command(settings: Settings, args: argparse.Namespace) -> int:
    username = await bot_username(settings) if args.action == "invite" else ""
    crypto.use_key(settings.key())
    engine = create_engine(settings.database_url)
    try:
        await migrate.upgrade(engine)
        async with create_sessionmaker(engine).begin() as session:
            now = SystemClock().now()
            if args.action == "invite":
                try:
                    professional, token = await professionals.invite(session, args.name, now=now)
                except ValueError:
                    print(_("Geef een naam van 1 tot {count} tekens.").format(count=professionals.MAX_NAME))
                    return 2
                print(
                    _(
                        "Uitnodiging voor {name} (nummer {id}). Stuur deze link alleen aan deze persoon. "
                        "De link werkt één keer, 7 dagen lang:"
                    ).format(name=professional.name, id=professional.id)
                )
                print(deep_link(username, token))
            elif args.action == "list":
                rows = await professionals.all_professionals(session)
                if not rows:
                    print(_("Er zijn nog geen hulpverleners."))
                for row in rows:
                    tz = settings.timezone
                    print(
                        f"{row.id}\t{row.name}\t{STATUS[row.status]()}\t{format_date(row.created_at.astimezone(tz).date(), 'short')}"
                    )
            else:
                try:
                    await professionals.remove(session, args.id, now=now)
                except professionals.NotFound:
                    print(_("Er is geen hulpverlener met nummer {id}.").format(id=args.id))
                    return 1
                print(
                    _("Hulpverlener {id} is verwijderd. Open links van deze hulpverlener werken niet meer.").format(
                        id=args.id
                    )
                )
    finally:
        await engine.dispose()
    return 0
