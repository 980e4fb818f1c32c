"""A stranger who floods Kring is slowed down politely; people in a circle never are."""

from __future__ import annotations

from bot.handlers.flood import CAPACITY, FloodGuard
from sandbox.harness import Sandbox
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
    assert all(r == [] for r in replies[CAPACITY + 1 :])  # ... then quiet
    answer = await stranger.press(replies[0][0], "", data="ci:1:good")
    assert answer == {"text": None, "show_alert": None}  # a button still stops spinning

    moment[0] += 10 / 0.5  # ten updates' worth of time later
    assert (await stranger.send("/help"))[0].text.startswith("Dit kun je doen:")

    for _ in range(CAPACITY + 10):  # a coordinator busy with her plan is never held back
        (reply,) = await c.fatima.send("/help")
        assert reply.text.startswith("Dit kun je doen:")


async def test_family_chatter_in_the_group_is_never_counted_and_kring_never_scolds_there(sandbox: Sandbox) -> None:
    c = await set_up_circle(sandbox)
    moment = [0.0]
    sandbox.app.bot_data["flood_guard"] = FloodGuard(clock=lambda: moment[0])
    cousin = sandbox.user(71, "Neef")  # in the family's group, but not in the circle
    group_before = len(sandbox.telegram.messages_in(c.group.id))
    telegram = sandbox.telegram
    for _ in range(CAPACITY + 5):  # the family's own chatter, which Kring sees when it is a group admin
        update_id = await telegram.push_update(
            {
                "message": {
                    "message_id": telegram.next_message_id(),
                    "date": 0,
                    "chat": {"id": c.group.id, "type": "group", "title": "x"},
                    "from": cousin.info,
                    "text": "haha ja",
                }
            }
        )
        await telegram.settle(update_id)
    (reply,) = await cousin.send("/help", chat=c.group)
    assert reply.text.startswith("Dit kun je doen:")  # chatter did not use up the bucket
    for _ in range(CAPACITY + 5):
        await cousin.send("/help", chat=c.group)
    texts = [m.text for m in sandbox.telegram.messages_in(c.group.id)[group_before:]]
    assert POLITE not in texts and len(texts) == CAPACITY  # over the limit: silence in the group
