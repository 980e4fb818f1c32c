"""``kring practice`` in a real browser: Debian's Chromium, driven by Playwright, clicks through the
page as a visitor would. Each test leaves a screenshot of its end state in tests/output/practice/.

Without /usr/bin/chromium (apt package ``chromium``) these tests are skipped, except in CI
(``KRING_TEST_REQUIRE_BROWSER=1``), where they fail.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.config import load_settings
from sandbox.harness import label_in
from sandbox.practice.server import PracticeServer

CHROMIUM = Path("/usr/bin/chromium")
OUTPUT = Path(__file__).parent / "output" / "practice"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WIDE = {"width": 1920, "height": 1080}
PHONE = {"width": 390, "height": 844}


def _browser_or_skip() -> None:
    missing = None
    if not CHROMIUM.exists() or shutil.which(str(CHROMIUM)) is None:
        missing = f"no browser at {CHROMIUM} (apt-get install chromium)"
    else:
        try:
            import playwright.async_api  # noqa: F401
        except ImportError:
            missing = "Playwright is not installed (pip install -c requirements.lock -e '.[test]')"
    if missing is not None:
        if os.environ.get("KRING_TEST_REQUIRE_BROWSER"):
            pytest.fail(f"a browser is required here: {missing}")
        pytest.skip(missing)


def tr(dutch: str) -> str:
    """A button as the grandmother, whose Telegram is in Turkish, reads it."""
    return label_in("tr", dutch)


class Visitor:
    """One visitor of the practice page, doing what a person would: type, press, open a link."""

    def __init__(self, page: object) -> None:
        from playwright.async_api import Page

        assert isinstance(page, Page)
        self.page = page

    async def idle(self) -> None:
        await self.page.wait_for_selector('body[data-busy="0"]', timeout=30_000)

    def column(self, key: str) -> object:
        return self.page.locator(f"#col-{key}")

    async def send(self, key: str, text: str, *, as_: str | None = None) -> None:
        if as_ is not None:
            await self.page.select_option(f"#as-{key}", as_)
        box = self.page.locator(f"#col-{key} input[name=text]")
        await box.fill(text)
        await box.press("Enter")
        await self.idle()

    async def press(self, key: str, label: str, *, as_: str | None = None) -> None:
        if as_ is not None:
            await self.page.select_option(f"#as-{key}", as_)
        await self.page.locator(f"#col-{key} .kb").get_by_text(label, exact=True).last.click()
        await self.idle()

    async def start(self, key: str) -> None:
        await self.page.locator(f"#col-{key} button.start").click()
        await self.idle()

    async def open_link(self, key: str, kind: str, who: str) -> None:
        """Click the newest link of this kind in a column, and say who opens it."""
        await self.page.locator(f"#col-{key} .msg .link").filter(has_text=f"?{kind}=").last.click()
        await self.page.locator(f'#who-people button[data-who="{who}"]').click()
        await self.idle()

    async def clock(self, step: str) -> None:
        await self.page.locator(f'[data-step="{step}"]').click()
        await self.idle()

    async def texts(self, key: str) -> list[str]:
        return await self.page.locator(f"#col-{key} .msg .text").all_inner_texts()

    async def buttons(self, key: str) -> list[str]:
        return await self.page.locator(f"#col-{key} .kb").all_inner_texts()

    async def until_button(self, key: str, label: str, *, steps: int = 12) -> None:
        """Move the clock to the next moment until this person has a button ``label``."""
        for _step in range(steps):
            if label in await self.buttons(key):
                return
            await self.clock("next")
        assert label in await self.buttons(key), await self.texts(key)

    async def screenshot(self, name: str) -> None:
        OUTPUT.mkdir(parents=True, exist_ok=True)
        await self.page.screenshot(path=str(OUTPUT / name), full_page=True)


@pytest.fixture
async def server(tmp_path: Path) -> AsyncIterator[PracticeServer]:
    _browser_or_skip()
    settings = load_settings({"KRING_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/unused.sqlite3"})
    practice = PracticeServer(settings, port=0)
    await practice.start("fresh")
    yield practice
    await practice.stop()


async def visit(server: PracticeServer, viewport: dict[str, int], *, locale: str = "nl-NL", query: str = "") -> object:
    from playwright.async_api import async_playwright

    manager = async_playwright()
    playwright = await manager.start()
    browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
    context = await browser.new_context(viewport=viewport, locale=locale)  # type: ignore[arg-type]
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    await page.goto(server.url + query)
    await page.wait_for_selector('body[data-busy="0"]')
    page.errors = errors  # type: ignore[attr-defined]
    page.close_all = manager.__aexit__  # type: ignore[attr-defined]
    return page


@pytest.fixture
async def wide(server: PracticeServer) -> AsyncIterator[Visitor]:
    page = await visit(server, WIDE)
    yield Visitor(page)
    assert page.errors == []  # type: ignore[attr-defined]
    await page.close_all(None, None, None)  # type: ignore[attr-defined]


async def test_a_circle_by_clicks_alone_through_a_reminder_a_check_in_and_a_help_request(
    server: PracticeServer, wide: Visitor
) -> None:
    page = wide.page
    assert await page.get_attribute("html", "lang") == "nl"
    assert await page.locator("#col-fatima button.start").is_visible()  # Kring cannot write to her yet
    await wide.screenshot("first-view.png")

    # Anna, the professional, makes the circle; Fatima adds Kring to the family's group with its link.
    await wide.send("anna", "/new")
    await wide.send("anna", "Gezin Jansen")
    await wide.press("anna", "Nederlands")
    await wide.press("anna", "3 maanden (tip)")
    await wide.send("anna", "Sam")
    await wide.press("anna", "Maak de kring")
    await wide.open_link("anna", "startgroup", "fatima")
    assert any("Gezin Jansen" in text for text in await wide.texts("group"))
    await wide.press("group", "🏠 Ik woon in dit huis", as_="omar")
    await wide.press("group", "✅ Ja, woont bij ons", as_="fatima")

    # Fatima invites oma Ayşe (Turkish, abroad); oma opens the link and joins; they agree on babysitting.
    await wide.start("fatima")
    await wide.send("fatima", "/invite")
    await wide.press("fatima", "Iemand om het gezin heen")
    await wide.send("fatima", "Oma Ayşe")
    await wide.press("fatima", "Overslaan")
    await wide.open_link("fatima", "start", "ayse")
    await wide.press("ayse", tr("Ja, ik doe mee"))
    await wide.press("group", "✅ Ja, dit is Oma Ayşe", as_="fatima")
    await wide.send("fatima", "/newagreement")
    await wide.press("fatima", "Oma Ayşe")
    await wide.send("fatima", "Oppassen")
    for label in ("Elke week", "woensdag", "15:00", "✅ Opslaan"):
        await wide.press("fatima", label)
    await wide.press("ayse", tr("Ja, dat doe ik"))
    assert "Oma Ayşe zegt ja: Oppassen. Dank je wel!" in await wide.texts("group")

    # The clock moves to oma's reminder; she presses "Gedaan" and the family hears it.
    await wide.until_button("ayse", tr("Gedaan"))
    assert any(text.startswith("⏰") for text in await wide.texts("ayse"))
    await wide.press("ayse", tr("Gedaan"))
    group = await wide.texts("group")
    assert any("Oma Ayşe" in text and "Oppassen" in text for text in group[-2:]), group[-2:]
    assert not any("Oppassen" in text for text in await wide.texts("anna"))  # the professional sees no agreements

    # The family's check-in: the group answers on Sunday evening.
    await wide.send("group", "/checkin", as_="fatima")
    for label in ("Hoe vaak vraag ik hoe het gaat?", "Om de week (tip)", "zondag", "19:00", "Elke 2 weken (tip)"):
        await wide.press("group", label, as_="fatima")
    await wide.until_button("group", "😊 Goed")
    await wide.press("group", "😊 Goed", as_="fatima")
    await wide.press("group", "😟 Niet goed", as_="omar")
    assert "19:0" in (await wide.page.locator("#col-group .msg.bot .at").all_inner_texts())[-3]

    # A help request: Fatima asks; oma says she does it; the one who asked hears who.
    await wide.send("fatima", "/ask")
    await wide.send("fatima", "Wie kan zaterdag de boodschappen doen?")
    for label in ("Oma Ayşe", "Verder", "3 dagen (tip)", "📣 Vraag het"):
        await wide.press("fatima", label)
    await wide.until_button("ayse", tr("🙋 Ik doe het"))
    await wide.press("ayse", tr("🙋 Ik doe het"))
    assert (await wide.texts("group"))[-1].startswith("✅ Oma Ayşe doet het:\nWie kan zaterdag de boodschappen doen?")
    await wide.screenshot("circle.png")

    # A week on, and to the next moment: oma's reminder in the circle's third week.
    reminders = len([text for text in await wide.texts("ayse") if text.startswith("⏰")])
    await wide.clock("week")
    await wide.clock("next")
    assert (await page.locator("#now").inner_text()).startswith("woensdag 9 december 2026")
    assert len([text for text in await wide.texts("ayse") if text.startswith("⏰")]) == reminders + 2
    await wide.screenshot("week-three.png")


async def test_arabic_reads_right_to_left(server: PracticeServer) -> None:
    from playwright.async_api import expect

    page = await visit(server, WIDE, locale="ar", query="?lang=ar")
    visitor = Visitor(page)
    assert await page.get_attribute("html", "dir") == "rtl"
    # Kees's Telegram is in Arabic before he starts; Anna, who already talks with Kring, picks it.
    await page.select_option("#language-kees", "ar")
    await visitor.idle()
    await visitor.start("kees")
    await page.select_option("#language-anna", "ar")
    await visitor.idle()
    for key in ("kees", "anna"):
        last = page.locator(f"#col-{key} .msg.bot .text").last
        text = await last.inner_text()
        assert any("\u0600" <= char <= "\u06ff" for char in text), text
        # (expect retries: the column may be drawn again by a live update between two looks)
        await expect(last).to_have_css("direction", "rtl")
    assert await page.locator("#col-anna .msg.me .text").last.inner_text() == "/language"
    await visitor.screenshot("arabic.png")
    assert page.errors == []  # type: ignore[attr-defined]
    await page.close_all(None, None, None)  # type: ignore[attr-defined]


async def test_on_a_phone_one_person_at_a_time(server: PracticeServer) -> None:
    page = await visit(server, PHONE)
    visitor = Visitor(page)
    assert await page.locator("#switcher").is_visible()
    visible = [key for key in ("anna", "fatima", "group") if await page.locator(f"#col-{key}").is_visible()]
    assert visible == ["anna"]
    await page.locator("#switcher .tab", has_text="Fatima").click()
    assert await page.locator("#col-fatima").is_visible() and not await page.locator("#col-anna").is_visible()
    await visitor.start("fatima")
    assert await visitor.texts("fatima")
    # Enter sends, from the keyboard alone.
    await page.locator("#col-fatima input[name=text]").focus()
    await page.keyboard.type("/help")
    await page.keyboard.press("Enter")
    await visitor.idle()
    assert "/help" in await page.locator("#col-fatima .msg.me .text").all_inner_texts()
    for target in await page.locator("button:visible, select:visible, input:visible").all():
        box = await target.bounding_box()
        if box is not None and not await target.evaluate("node => node.classList.contains('link')"):
            assert box["height"] >= 44, await target.evaluate("node => node.outerHTML")
    await visitor.screenshot("phone.png")
    assert page.errors == []  # type: ignore[attr-defined]
    await page.close_all(None, None, None)  # type: ignore[attr-defined]


async def test_only_the_page_itself_can_drive_the_practice(tmp_path: Path) -> None:
    """Another web site open in the same browser cannot type or press as anyone (a cross-site
    request cannot send JSON without asking first), nor can a site whose name is made to point at
    this computer read or drive it. No browser needed."""
    import aiohttp

    settings = load_settings({"KRING_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/unused.sqlite3"})
    practice = PracticeServer(settings, port=0)
    await practice.start("fresh")
    clock = practice.practice.sandbox.clock  # type: ignore[union-attr]
    began = clock.now()
    url = f"{practice.url}act/clock"
    try:
        async with aiohttp.ClientSession() as http:
            as_form = await http.post(url, data='{"step": "week"}', headers={"Content-Type": "text/plain"})
            elsewhere = await http.post(url, json={"step": "week"}, headers={"Origin": "https://elders.example"})
            renamed = await http.get(practice.url, headers={"Host": f"elders.example:{practice.port}"})
            assert (as_form.status, elsewhere.status, renamed.status) == (403, 403, 421)
            assert clock.now() == began  # nothing moved
            ours = await http.post(url, json={"step": "hour"}, headers={"Origin": practice.url.rstrip("/")})
            assert ours.status == 200 and clock.now() > began
    finally:
        await practice.stop()
