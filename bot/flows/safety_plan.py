"""/safetyplan: coordinators write down what we do when things go wrong ("als het misgaat"): a
menu of what to add or remove, each addition typed (or chosen) and then back to the menu."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import InlineKeyboardMarkup

from bot import callbacks
from bot.db.models import StepKind
from bot.flows import sharing as circles_of_safety
from bot.flows.flow import Flow, Reply, Step, Turn, say, too_long
from bot.i18n import _, pgettext
from bot.plan_text import split_messages, step_line
from bot.services import agreements, circles, safety_plan
from bot.services.sharing import Subject


@dataclass(frozen=True)
class SafetyPlanDraft:
    circle_id: int
    #: "Iemand anders": the name typed, while the phone number is asked.
    contact_name: str | None = None
    #: "Wie mag wat weten?": the step, then the person, being chosen for.
    plan_step_id: int | None = None
    member_id: int | None = None


Plan = Turn[SafetyPlanDraft]


def refusal() -> str:
    return _("Alleen wie de kring regelt, kan dit plan aanpassen.")


PROMPTS = {
    "sign": lambda: _("Waaraan merken jullie dat het misgaat? Schrijf het in jullie eigen woorden."),
    "ourselves": lambda: _("Wat doen jullie dan zelf? Schrijf het kort op."),
    "professional": lambda: _("Wanneer vragen jullie de hulpverlener om contact? Schrijf het kort op."),
    "ask_name": lambda: _("Hoe heet die persoon?"),
    "ask_phone": lambda: _("Wat is het telefoonnummer? Of druk op 'Overslaan'."),
}


async def _ask(turn: Plan) -> Reply:
    match turn.step:
        case "menu":
            return await _menu(turn)
        case "ask":
            members = await agreements.doers(turn.session, turn.data.circle_id)
            buttons = [[turn.button(m.display_name, "member", m.id)] for m in members]
            buttons.append([turn.button(pgettext("button", "Iemand anders"), "other")])
            return _("Wie vragen jullie om hulp?"), InlineKeyboardMarkup(buttons)
        case "remove":
            return await _removal_choices(turn)
        case "ask_phone":
            return PROMPTS["ask_phone"](), turn.skip_button()
        case "share":
            return await _share_choices(turn)
        case "share_people":
            return await circles_of_safety.people_question(turn, _subject(turn), await _about(turn))
        case "share_level":
            return await circles_of_safety.level_question(turn, _subject(turn), turn.data.member_id)
    return say(PROMPTS[turn.step]())


async def _menu(turn: Plan) -> Reply:
    plan = await safety_plan.load(turn.session, turn.data.circle_id)
    lines = ["🆘 " + _("Als het misgaat")]
    lines.append(_("Hieraan merken we het:"))
    lines += [f"• {sign.text}" for sign in plan.signs] or ["• " + _("(nog niets)")]
    lines.append(_("Dit doen we dan:"))
    lines += [step_line(i, step) for i, step in enumerate(plan.steps, 1)] or ["• " + _("(nog niets)")]
    lines.append(_("112 en de hulplijnen staan er altijd bij."))
    buttons = [
        [turn.button(pgettext("button", "Waaraan merk je het?"), "sign")],
        [turn.button(pgettext("button", "Wat we zelf doen"), "ourselves")],
        [turn.button(pgettext("button", "Wie we vragen"), "ask")],
        [turn.button(pgettext("button", "Wanneer we de hulpverlener vragen"), "professional")],
    ]
    if plan.steps:
        buttons.append([turn.button("🔒 " + pgettext("button", "Wie mag wat weten?"), "share")])
    if plan.signs or plan.steps:
        buttons.append([turn.button(pgettext("button", "Iets weghalen"), "remove")])
    buttons.append([turn.button(pgettext("button", "Klaar"), "done")])
    return split_messages(["\n".join(lines)])[0], InlineKeyboardMarkup(buttons)


async def _removal_choices(turn: Plan) -> Reply:
    plan = await safety_plan.load(turn.session, turn.data.circle_id)
    buttons = [[turn.button(f"✕ {sign.text[:40]}", "del_sign", sign.id)] for sign in plan.signs]
    buttons += [[turn.button(f"✕ {step_line(i, s)[:40]}", "del_step", s.step.id)] for i, s in enumerate(plan.steps, 1)]
    buttons.append([turn.button(pgettext("button", "Terug"), "back")])
    return _("Wat wil je weghalen?"), InlineKeyboardMarkup(buttons)


async def _share_choices(turn: Plan) -> Reply:
    """Safety circles: first which step, then per person."""
    plan = await safety_plan.load(turn.session, turn.data.circle_id)
    buttons = [[turn.button(step_line(i, s)[:60], "share_step", s.step.id)] for i, s in enumerate(plan.steps, 1)]
    buttons.append([turn.button(pgettext("button", "Terug"), "back")])
    return _("Over welke stap gaat het?"), InlineKeyboardMarkup(buttons)


def _subject(turn: Plan) -> Subject:
    if turn.data.plan_step_id is None:
        raise callbacks.BadCallbackData("share")
    return Subject(plan_step_id=turn.data.plan_step_id)


async def _about(turn: Plan) -> str:
    plan = await safety_plan.load(turn.session, turn.data.circle_id)
    for number, step in enumerate(plan.steps, 1):
        if step.step.id == turn.data.plan_step_id:
            return step_line(number, step)
    raise callbacks.BadCallbackData("share")  # removed in the meantime


SHARE_STEPS = ("share", "share_people", "share_level")


async def _share_pressed(turn: Plan, name: str, value: str) -> Reply | None:
    if name == "share_step" and turn.step == "share":
        turn.go("share_people", plan_step_id=callbacks.as_int(value))
        await _about(turn)  # a step of this circle's plan
        return None
    if name == "who" and turn.step == "share_people":
        turn.go("share_level", member_id=callbacks.as_int(value))
        return None
    if name == "share_done" and turn.step == "share_people":
        turn.go("share", plan_step_id=None)
        return None
    if name == "back" and turn.step == "share_level":
        turn.go("share_people", member_id=None)
        return None
    if name == "level" and turn.step == "share_level":
        note = await circles_of_safety.take_level(turn, _subject(turn), turn.data.member_id, value)
        turn.go("share_people", member_id=None)
        return circles_of_safety.with_note(note, await turn.question())
    if name != "back" or turn.step != "share":
        raise callbacks.BadCallbackData(name)
    turn.go("menu", plan_step_id=None, member_id=None)  # "Terug" from the list of steps
    return None


async def _pressed(turn: Plan, name: str, text_value: str) -> Reply | None:
    """Any button of the plan: the menu's work from every step (as before), the choices of a
    person only on the step that offers them."""
    if name in ("share_step", "who", "share_done", "level") or (name == "back" and turn.step in SHARE_STEPS):
        return await _share_pressed(turn, name, text_value)
    value = callbacks.as_int(text_value)
    circle_id, now = turn.data.circle_id, turn.now
    if name == "done":
        turn.finish()
        return say(_("Bewaard. Met /plan zie je het hele plan."))
    if name in ("sign", "ourselves", "professional", "ask", "remove", "share"):
        turn.go(name)
        return None
    if name == "member" and turn.step == "ask":
        await safety_plan.add_step(
            turn.session, circle_id, person_id=turn.person_id, kind=StepKind.ASK, member_id=value, now=now
        )
    elif name == "other" and turn.step == "ask":
        turn.go("ask_name")
        return None
    elif name == "skip" and turn.step == "ask_phone":
        await safety_plan.add_step(
            turn.session,
            circle_id,
            person_id=turn.person_id,
            kind=StepKind.ASK,
            contact_name=turn.data.contact_name,
            now=now,
        )
    elif name in ("del_sign", "del_step"):
        await safety_plan.remove(turn.session, name[4:], value, person_id=turn.person_id, now=now)
    elif name != "back":
        raise callbacks.BadCallbackData(name)
    turn.go("menu")
    return None


async def _written(turn: Plan, text: str) -> Reply | None:
    """A sign, a step in their own words, or the name of someone to ask."""
    cleaned = circles.clean_name(text, safety_plan.MAX_TEXT)
    if cleaned is None:
        return too_long(safety_plan.MAX_TEXT)
    circle_id, person_id, now = turn.data.circle_id, turn.person_id, turn.now
    if turn.step == "sign":
        await safety_plan.add_sign(turn.session, circle_id, person_id=person_id, text=cleaned, now=now)
    elif turn.step == "ask_name":
        turn.go("ask_phone", contact_name=cleaned)
        return None
    else:
        await safety_plan.add_step(
            turn.session, circle_id, person_id=person_id, kind=StepKind(turn.step), text=cleaned, now=now
        )
    turn.go("menu")
    return None


async def _phone(turn: Plan, text: str) -> Reply | None:
    phone = safety_plan.clean_phone(text)
    if phone is None:
        return say(_("Dat is geen telefoonnummer dat ik ken. Schrijf bijvoorbeeld 06 12345678."))
    await safety_plan.add_step(
        turn.session,
        turn.data.circle_id,
        person_id=turn.person_id,
        kind=StepKind.ASK,
        contact_name=turn.data.contact_name,
        phone=phone,
        now=turn.now,
    )
    turn.go("menu")
    return None


async def _may_edit(turn: Plan) -> None:
    await safety_plan.check_can_edit(turn.session, turn.data.circle_id, person_id=turn.person_id)


SAFETY_PLAN = Flow(
    "safety_plan",
    SafetyPlanDraft,
    action="sp",
    check=_may_edit,
    gone=refusal,
    steps={
        "menu": Step(_ask, pressed=_pressed),
        "sign": Step(_ask, typed=_written, pressed=_pressed),
        "ourselves": Step(_ask, typed=_written, pressed=_pressed),
        "professional": Step(_ask, typed=_written, pressed=_pressed),
        "ask": Step(_ask, pressed=_pressed),
        "ask_name": Step(_ask, typed=_written, pressed=_pressed),
        "ask_phone": Step(_ask, typed=_phone, pressed=_pressed),
        "remove": Step(_ask, pressed=_pressed),
        "share": Step(_ask, pressed=_pressed),
        "share_people": Step(_ask, pressed=_pressed),
        "share_level": Step(_ask, pressed=_pressed),
    },
)
