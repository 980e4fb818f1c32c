"""A stranger who floods Kring is slowed down politely; people in a circle never are."""

from __future__ import annotations

from bot.handlers.flood import CAPACITY, FloodGuard
from bot.sandbox import Sandbox
from tests.journey import set_up_circle

POLITE = "Je stuurt heel veel tegelijk. Ik wacht even. Probeer het over een minuut opnieuw."


async def test_a_flooding_stranger_is_slowed_down_and_a_member_is_not(sandbox: Sandbox) -> None:
    c = await set_up_circle(sandbox)
    moment = [0.0]
    sandbox.app.bot_data["flood_guard"] = FloodGuard(clock=lambda: moment[0])  # real seconds, held still
    stranger = sandbox.user(70, "Vreemde")

    replies = [await stranger.send("/help") for _ in range(CAPACITY + 10)]
    assert all(len(r) == 1 and r[0].text.startswith("Dit kun je doen:") for r in replies[:CAPACITY])
    assert [m.text for m in replies[CAPACITY]] == [POLITE]  # once, kindly ...
    assert all(r == [] for r in replies[CAPACITY + 1:])  # ... then quiet
    answer = await stranger.press(replies[0][0], "", data="ci:1:good")
    assert answer == {"text": None, "show_alert": None}  # a button still stops spinning

    moment[0] += 10 / 0.5  # ten updates' worth of time later
    assert (await stranger.send("/help"))[0].text.startswith("Dit kun je doen:")

    for _ in range(CAPACITY + 10):  # a coordinator busy with her plan is never held back
        (reply,) = await c.fatima.send("/help")
        assert reply.text.startswith("Dit kun je doen:")
