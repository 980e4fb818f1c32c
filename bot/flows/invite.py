"""/invite: a coordinator invites someone (family, network, or the young person the care was
about) by name, with what they might help with, and gets a single-use link to pass on."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callbacks
from bot.db.models import MemberRole
from bot.flows.flow import Flow, Reply, Step, Turn, rows, say, too_long
from bot.flows.new_circle import deep_link
from bot.i18n import _, pgettext
from bot.services import circles

#: The button under the link: revoke it (``rev:invitation_id``), answered by the members handlers.
REVOKE = "rev"


@dataclass(frozen=True)
class InviteDraft:
    circle_id: int
    role: str | None = None
    name: str = ""


Invite = Turn[InviteDraft]


def refusal() -> str:
    return _("Alleen wie de kring regelt, kan mensen uitnodigen.")


async def _ask(turn: Invite) -> Reply:
    match turn.step:
        case "role":
            return _(
                "Wie wil je uitnodigen? Hoort die persoon bij het gezin? Of is het iemand om het gezin heen, "
                "zoals familie, een vriend of een buur?"
            ) + "\n\n" + _("Stoppen? Stuur /cancel."), rows(
                [
                    turn.button(pgettext("button", "Iemand van het gezin"), "role", "family"),
                    turn.button(pgettext("button", "Iemand om het gezin heen"), "role", "network"),
                    turn.button(pgettext("button", "De jongere zelf"), "role", "young"),
                ],
                1,
            )
        case "name":
            return say(_("Hoe heet die persoon? Zo ziet het gezin de naam in Kring."))
    return _("Waarmee zou {name} kunnen helpen? Schrijf het kort op. Of druk op 'Overslaan'.").format(
        name=turn.data.name
    ), turn.skip_button()


async def _role(turn: Invite, name: str, value: str) -> Reply | None:
    if name != "role" or value not in ("family", "network", "young"):
        raise callbacks.BadCallbackData(value)
    turn.go("name", role=value)
    return None


async def _name(turn: Invite, text: str) -> Reply | None:
    name = circles.clean_name(text)
    if name is None:
        return say(_("Die naam is te lang. Gebruik hoogstens {count} tekens.").format(count=circles.MAX_NAME))
    if turn.data.role == MemberRole.YOUNG:  # not asked what they help with: it is about them
        turn.go("helps_with", name=name)
        return await _send_link(turn, None)
    turn.go("helps_with", name=name)
    return None


async def _helps_with(turn: Invite, text: str) -> Reply | None:
    helps_with = circles.clean_name(text, circles.MAX_HELPS_WITH)
    if helps_with is None:
        return too_long(circles.MAX_HELPS_WITH)
    return await _send_link(turn, helps_with)


async def _skip(turn: Invite, name: str, value: str) -> Reply | None:
    if name != "skip":
        raise callbacks.BadCallbackData(name)
    return await _send_link(turn, None)


async def _send_link(turn: Invite, helps_with: str | None) -> Reply:
    data = turn.data
    assert data.role is not None
    member, token = await circles.invite(
        turn.session,
        data.circle_id,
        person_id=turn.person_id,
        name=data.name,
        role=MemberRole(data.role),
        helps_with=helps_with,
        now=turn.now,
    )
    turn.finish()
    invitation_id = await circles.invitation_of(turn.session, member.id)
    return link_message(member.display_name, deep_link(turn.bot_username, token), invitation_id)


def link_message(name: str, link: str, invitation_id: int) -> tuple[str, InlineKeyboardMarkup]:
    """The link to pass on, and the button that takes it back."""
    text = "\n\n".join(
        [
            _("Stuur deze link aan {name}, bijvoorbeeld via WhatsApp of sms:").format(name=name) + "\n" + link,
            _(
                "De link werkt één keer, 14 dagen lang. Opent iemand de link? Dan vraag ik jullie eerst: is dit echt {name}?"
            ).format(name=name),
        ]
    )
    revoke = InlineKeyboardButton(
        pgettext("button", "Link intrekken"), callback_data=callbacks.encode(REVOKE, invitation_id)
    )
    return text, InlineKeyboardMarkup([[revoke]])


async def _may_invite(turn: Invite) -> None:
    await circles.check_can_invite(turn.session, turn.data.circle_id, person_id=turn.person_id)


INVITE = Flow(
    "invite",
    InviteDraft,
    action="invt",
    check=_may_invite,
    gone=refusal,
    steps={
        "role": Step(_ask, pressed=_role),
        "name": Step(_ask, typed=_name),
        "helps_with": Step(_ask, typed=_helps_with, pressed=_skip),
    },
)
