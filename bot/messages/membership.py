"""Who belongs: the family confirming a newcomer, and someone taken out of the circle. Renderers
for the outbox, and the screens the members handlers show (one thing per screen)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callbacks
from bot.db.models import Agreement, Delivery, Member, MemberRole, MemberStatus
from bot.i18n import _, pgettext
from bot.messages.buttons import choices
from bot.messages.notices import what_for
from bot.services import joining, notices
from bot.services.removal import Removed
from scheduler.sender import Rendered

#: A coordinator's yes or no to a newcomer: ``jd:member_id:yes|no``.
DECIDE = "jd"
#: A fresh link for someone invited: ``nlink:member_id``.
NEW_LINK = "nlink"
#: The family's private mark on someone taken out: ``dni:member_id:1|0``.
DO_NOT_INVITE = "dni"


def decide_buttons(member: Member, invited: bool) -> InlineKeyboardMarkup:
    yes = (
        pgettext("button", "✅ Ja, dit is {name}").format(name=member.display_name)
        if invited
        else pgettext("button", "✅ Ja, woont bij ons")
    )
    no = pgettext("button", "Nee, iemand anders") if invited else pgettext("button", "Nee")
    return choices(DECIDE, member.id, (yes, "yes"), (no, "no"))


async def join_asked(session: AsyncSession, delivery: Delivery) -> Rendered | None:
    member = await notices.member(session, delivery.payload.get("member_id"))
    if member is None or member.status != MemberStatus.PENDING:
        return None  # decided in the meantime
    account = member.account_name or member.display_name
    invited = await joining.is_invited(session, member.id)
    if invited:
        lines = [
            _("Het Telegram-account {account} opende de link voor {name}. Is dit echt {name}?").format(
                account=account, name=member.display_name
            ),
            _("Kies alleen 'Ja' als je het zeker weet. Pas dan ziet deze persoon iets van de kring."),
        ]
    else:
        lines = [
            _("{account} wil meedoen als gezin. Woont {account} bij jullie in huis?").format(account=account),
            _("Familie of een vriend? Kies dan 'Nee' en nodig die persoon uit met /invite."),
        ]
    if delivery.payload.get("removed_before"):
        lines.append("⚠️ " + _("Let op: jullie hebben dit account eerder uit de kring gehaald."))
    if delivery.payload.get("do_not_invite"):
        lines.append("⚠️ " + _("Jullie wilden deze persoon niet opnieuw uitnodigen."))
    return Rendered("\n\n".join(lines), decide_buttons(member, invited))


async def join_confirmed(session: AsyncSession, delivery: Delivery) -> Rendered | None:
    member = await notices.member(session, delivery.payload.get("member_id"))
    if member is None or member.status != MemberStatus.ACTIVE:
        return None
    if member.role == MemberRole.FAMILY:
        return Rendered(
            _("Welkom, {name}! Je doet nu mee als gezin. Met /plan zie je de afspraken.").format(
                name=member.display_name
            )
        )
    young = await notices.member(session, member.mentor_of_member_id)
    if young is not None:  # the young person's trusted adult: whose, and what they see
        return Rendered(
            _(
                "Welkom, {name}! Je bent de vertrouwenspersoon van {young}. "
                "Je ziet wat {young} en het gezin met de hele kring delen. Met /plan zie je de afspraken."
            ).format(name=member.display_name, young=young.display_name)
        )
    circle = await notices.circle(session, member.circle_id)
    assert circle is not None
    if member.role == MemberRole.YOUNG:
        return Rendered(
            "\n\n".join(
                [
                    pgettext("jongere", "Welkom, {name}! Fijn dat je er bent.").format(name=member.display_name),
                    pgettext(
                        "jongere", "Ik vraag je af en toe hoe het gaat. Alleen jij krijgt die vraag, in deze chat."
                    ),
                    pgettext("jongere", "Je antwoorden zijn van jou. Je kiest zelf wat je ouder ziet."),
                    pgettext("jongere", "Met /plan zie je de afspraken. Met /help zie je wat je kunt doen."),
                ]
            )
        )
    return Rendered(
        _(
            "Welkom in de kring van {circle}! Met /plan zie je wat je afspreekt. Met /help zie je wat je kunt doen."
        ).format(circle=circle.name)
    )


async def join_refused(session: AsyncSession, delivery: Delivery) -> Rendered | None:
    circle = await notices.circle(session, delivery.payload.get("circle_id"))
    if circle is None:
        return None
    return Rendered(
        _("Je doet niet mee in de kring van {circle}. Klopt dat niet? Praat erover met het gezin.").format(
            circle=circle.name
        )
    )


async def link_opened_again(session: AsyncSession, delivery: Delivery) -> Rendered | None:
    member = await notices.member(session, delivery.payload.get("member_id"))
    if member is None:
        return None
    lines = [
        _(
            "Nog een Telegram-account opende de link voor {name}. De link werkt maar één keer. Voor dat account deed hij niets."
        ).format(name=member.display_name)
    ]
    if member.status == MemberStatus.INVITED:
        lines.append(_("Wacht {name} nog? Stuur een nieuwe link met /members.").format(name=member.display_name))
    elif member.status == MemberStatus.PENDING:
        lines.append(_("Kijk goed of het account dat wacht echt {name} is.").format(name=member.display_name))
    else:
        lines.append(_("Er is niets veranderd."))
    return Rendered("\n\n".join(lines))


def removed_text(name: str, ended: list[str], without_backup: list[str]) -> str:
    """What stopped when someone was taken out: the family redoes these."""
    parts = [_("{name} doet niet meer mee in de kring.").format(name=name)]
    if ended:
        parts.append(_("Deze afspraken zijn gestopt:") + "\n" + "\n".join(f"• {what}" for what in ended))
    if without_backup:
        parts.append(
            _("Hier zou {name} inspringen. Dat is gestopt:").format(name=name)
            + "\n"
            + "\n".join(f"• {what}" for what in without_backup)
        )
    parts.append(_("Kijk samen met /plan wat er nu nodig is."))
    return "\n\n".join(parts)


async def member_removed(session: AsyncSession, delivery: Delivery) -> Rendered | None:
    member = await notices.member(session, delivery.payload.get("member_id"))
    if member is None:
        return None

    async def texts(key: str) -> list[str]:
        found: list[Agreement] = await notices.agreements_by_id(session, list(delivery.payload.get(key, [])))
        return [what_for(delivery, a) for a in found]

    return Rendered(removed_text(member.display_name, await texts("ended"), await texts("without_backup")))


async def removed_you(session: AsyncSession, delivery: Delivery) -> Rendered | None:
    circle = await notices.circle(session, delivery.payload.get("circle_id"))
    if circle is None:
        return None
    return Rendered(
        _("Je doet niet meer mee in de kring van {circle}. Je krijgt van deze kring geen berichten meer.").format(
            circle=circle.name
        )
    )


# -- the screens of /members ------------------------------------------------------------------


def decided_text(decided: joining.Decided) -> str:
    name, account = decided.member.display_name, decided.account_name
    if decided.accepted:
        return "✅ " + _("{name} doet nu mee.").format(name=name)
    if decided.invited:
        return _("{account} doet niet mee. De link voor {name} werkt niet meer.").format(account=account, name=name)
    return _("{account} doet niet mee als gezin. Familie of een vriend? Nodig die persoon uit met /invite.").format(
        account=account
    )


def new_link_button(member: Member) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    pgettext("button", "🔗 Nieuwe link voor {name}").format(name=member.display_name),
                    callback_data=callbacks.encode(NEW_LINK, member.id),
                )
            ]
        ]
    )


def removal_question(member: Member) -> str:
    name = member.display_name
    return "\n\n".join(
        [
            _("{name} uit de kring halen?").format(name=name),
            "\n".join(
                [
                    "• " + _("{name} krijgt geen berichten meer van deze kring.").format(name=name),
                    "• " + _("De afspraken van {name} stoppen.").format(name=name),
                    "• "
                    + _("{name} hoort alleen dat hij of zij niet meer meedoet. Niet van wie en niet waarom.").format(
                        name=name
                    ),
                ]
            ),
        ]
    )


def removal_done(removed: Removed) -> str:
    name = removed.member.display_name
    parts = [
        removed_text(name, [a.what for a in removed.ended], [a.what for a in removed.without_backup]),
    ]
    if removed.steps_to_redo:
        parts.append(_("Jullie plan voor als het misgaat noemt {name}. Pas dat aan met /safetyplan.").format(name=name))
    parts.append(
        _("Zit {name} ook in jullie Telegram-groep? Haal {name} daar zelf weg. Dat kan ik niet.").format(name=name)
    )
    return "\n\n".join(parts)


def do_not_invite_button(member: Member) -> InlineKeyboardMarkup:
    label = (
        pgettext("button", "Mag later weer uitgenodigd worden")
        if member.do_not_invite
        else pgettext("button", "🚫 Niet opnieuw uitnodigen")
    )
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    label, callback_data=callbacks.encode(DO_NOT_INVITE, member.id, 0 if member.do_not_invite else 1)
                )
            ]
        ]
    )
