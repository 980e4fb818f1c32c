"""The command menu (issue 20, item 5): each person's menu holds only what their roles let them
do, in their own language; no two commands differ by one letter; a changed menu goes through the
outbox, so a refusal or a 429 does not lose it."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.db.delivery_kinds import DeliveryKind
from bot.db.models import Delivery, DeliveryStatus
from bot.handlers import (
    agreements,
    checkins,
    contact,
    help_flow,
    members,
    membership,
    plan,
    pulse,
    safety_plan,
)
from bot.handlers.circle_choice import CircleCommand
from bot.handlers.language import label
from bot.i18n import gettext, use_language
from bot.services import menus
from bot.services.authz import RULES, Action, Role
from sandbox.harness import Sandbox
from tests.journey import GROUP_ID, register_professional, set_up_circle

NOBODY_YET = ["language", "privacy", "mydata", "forget", "help", "start"]


def _names(commands: tuple[menus.Command, ...]) -> list[str]:
    return [c.name for c in commands]


def _one_letter_apart(a: str, b: str) -> bool:
    """One letter changed, added or left out."""
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) <= 1
    short, long = sorted((a, b), key=len)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


def test_no_two_commands_differ_by_one_letter() -> None:
    names = _names(menus.COMMANDS)
    assert len(set(names)) == len(names)
    close = [(a, b) for a, b in itertools.combinations(names, 2) if _one_letter_apart(a, b)]
    assert close == []
    assert _one_letter_apart("agreement", "agreements")  # (what the check would have caught)


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.FAMILY, Role.NETWORK, Role.PROFESSIONAL])
def test_a_roles_menu_holds_exactly_what_the_matrix_allows_it(role: Role) -> None:
    shown = menus.commands_for({role})
    for command in menus.COMMANDS:
        if command.actions:  # about a circle: exactly when one of its actions allows this role
            allowed = any(role in RULES[action] for action in command.actions)
            assert (command in shown) == allowed, (role, command.name)
        elif command.audience == menus.For.PROFESSIONALS:  # on the registration, not in a circle
            assert command not in shown
        else:
            assert command in shown, (role, command.name)


def test_someone_in_no_circle_sees_only_the_basics_and_a_professional_theirs() -> None:
    assert _names(menus.commands_for(())) == NOBODY_YET
    assert _names(menus.commands_for({Role.STRANGER})) == NOBODY_YET
    registered = _names(menus.commands_for((), registered_professional=True))
    assert set(registered) - set(NOBODY_YET) == {"new", "quiet", "timezone", "cancel"}
    in_a_circle = _names(menus.commands_for({Role.PROFESSIONAL}, registered_professional=True))
    assert set(in_a_circle) - set(registered) == {"newagreement", "overview"}


def test_each_circle_command_is_shown_to_the_roles_its_handler_lets_in() -> None:
    """The handlers declare who may use a command (from the matrix); the menu must agree."""
    declared: list[CircleCommand] = [
        agreements.AGREEMENT_COMMAND,
        agreements.AGREEMENTS_COMMAND,
        checkins.CHECKIN_COMMAND,
        contact.CONTACT_COMMAND,
        help_flow.ASKHELP_COMMAND,
        members.MEMBERS_COMMAND,
        members.INVITE_COMMAND,
        membership.PAUSE_COMMAND,
        membership.LEAVE_COMMAND,
        plan.PLAN_COMMAND,
        pulse.PULSE_COMMAND,
        safety_plan.SAFETYPLAN_COMMAND,
    ]
    by_name = {c.name: c for c in menus.COMMANDS}
    for command in declared:
        assert by_name[command.name].roles == command.roles, command.name
    assert by_name["overview"].roles == RULES[Action.ANSWER_CONTACT]


def test_descriptions_follow_the_glossary() -> None:
    by_name = {c.name: c.description for c in menus.COMMANDS}
    assert by_name["pulse"] == "De cijfers voor de hulpverlener"
    assert by_name["pause"] == "Pauze van berichten"
    assert all(len(d.split()) <= 15 for d in by_name.values())


def _expected(names: list[str], code: str) -> list[str]:
    by_name = {c.name: c.description for c in menus.COMMANDS}
    with use_language(code):
        return [f"/{name} {gettext(by_name[name])}" for name in names]


def _shown(sandbox: Sandbox, chat_id: int, app_language: str | None = "nl") -> list[str]:
    return [line.split(" ")[0][1:] for line in sandbox.telegram.menu_seen(chat_id, app_language)]


async def test_each_person_sees_their_own_menu_in_their_language(sandbox: Sandbox) -> None:
    c = await set_up_circle(sandbox)
    await sandbox.tick()
    family = _names(menus.commands_for({Role.FAMILY}))
    network = _names(menus.commands_for({Role.NETWORK}))
    assert "invite" not in family and "askhelp" in family and "plan" in network and "contact" not in network
    # Fatima linked the group and never wrote privately: Telegram keeps no menu for that chat yet
    assert _shown(sandbox, c.fatima.id) == NOBODY_YET
    await c.fatima.send("/start")
    await sandbox.tick()
    assert _shown(sandbox, c.fatima.id) == _names(menus.commands_for({Role.COORDINATOR}))
    # Omar joined in the group before he opened his private chat: his menu came when he did
    assert _shown(sandbox, c.omar.id) == family
    assert _shown(sandbox, c.ayse.id) == network
    assert _shown(sandbox, c.anna.id) == _names(menus.commands_for({Role.PROFESSIONAL}, registered_professional=True))
    stranger = sandbox.user(50, "Iemand", language_code="en")
    await stranger.send("/start")
    assert sandbox.telegram.menu_seen(50, "en") == _expected(NOBODY_YET, "en")
    # the group's own menu, in the circle's language
    assert _shown(sandbox, GROUP_ID) == _names(menus.group_commands())

    # Ayşe reads Turkish: her menu follows, whatever her app's language is
    (question,) = await c.ayse.send("/language")
    await c.ayse.press(question, label("tr"))
    await sandbox.tick()
    assert sandbox.telegram.menu_seen(c.ayse.id, "nl") == _expected(network, "tr")


async def test_a_registered_professional_without_circles_and_a_removed_one(sandbox: Sandbox) -> None:
    bea = sandbox.user(901, "Bea")
    await register_professional(sandbox, bea, "Bea Smit")
    await sandbox.tick()
    assert _shown(sandbox, bea.id) == _names(menus.commands_for((), registered_professional=True))


async def test_a_removal_shrinks_the_removed_persons_menu(sandbox: Sandbox) -> None:
    c = await set_up_circle(sandbox)
    await sandbox.tick()
    assert "plan" in _shown(sandbox, c.kees.id)
    (listed,) = await c.fatima.send("/members")
    await c.fatima.press(listed, "Buurman Kees")
    await c.fatima.press(listed, "🚪 Uit de kring halen")
    await c.fatima.press(listed, "Ja, haal Buurman Kees uit de kring")
    await sandbox.tick()
    assert _shown(sandbox, c.kees.id) == NOBODY_YET
    # and making Omar a coordinator grows his
    assert "invite" not in _shown(sandbox, c.omar.id)
    (listed,) = await c.fatima.send("/members")
    await c.fatima.press(listed, "Omar")
    await c.fatima.press(listed, "Omar laten meeregelen")
    await sandbox.tick()
    assert "invite" in _shown(sandbox, c.omar.id)


async def test_forgetting_deletes_the_persons_own_menu(sandbox: Sandbox) -> None:
    c = await set_up_circle(sandbox)
    await sandbox.tick()
    assert sandbox.telegram.commands.get(('{"chat_id": 4, "type": "chat"}', "")) is not None
    (question,) = await c.kees.send("/forget")
    await c.kees.press(question, "🗑 Alles over mij wissen")
    await c.kees.press(question, "Ja, wis alles over mij")
    await sandbox.tick()
    assert ('{"chat_id": 4, "type": "chat"}', "") not in sandbox.telegram.commands
    assert _shown(sandbox, c.kees.id) == NOBODY_YET


async def test_a_refused_or_paused_menu_is_not_lost(sandbox: Sandbox) -> None:
    c = await set_up_circle(sandbox)
    await sandbox.tick()
    sandbox.telegram.fail_next("setMyCommands", 429, "Too Many Requests: retry after 5", retry_after=5)
    sandbox.telegram.fail_next("setMyCommands", 502, "Bad Gateway")
    (question,) = await c.kees.send("/language")
    await c.kees.press(question, label("en"))
    await sandbox.tick()
    async with sandbox.runtime.sessions() as session:
        waiting = await session.scalar(
            select(Delivery).where(Delivery.kind == DeliveryKind.MENU.value, Delivery.status == DeliveryStatus.PENDING)
        )
    assert waiting is not None  # held by the pause
    for _ in range(4):
        sandbox.clock.advance(timedelta(minutes=5))
        await sandbox.tick()
    assert sandbox.telegram.menu_seen(c.kees.id, "nl") == _expected(_names(menus.commands_for({Role.NETWORK})), "en")
