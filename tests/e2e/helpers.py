"""Helpers of the browser tests: the live server's mail, browser contexts per role, axe-core, forms."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Locator,
    Page,
    Response,
    ViewportSize,
    expect,
)
from playwright.sync_api import Error as PlaywrightError

if TYPE_CHECKING:
    from email.message import Message

    from tests.conftest import Mailbox

DEMO_PASSWORD = "Demo-Passwort 2026!"
ACCOUNTS = {
    "provider": "admin@caritas.example",  # provider admin of a verified organisation
    "pending": "admin@suedstadt.example",  # provider admin of an organisation that waits for review
    "staff": "sachbearbeitung@arge.example",
    "approver": "teamleitung@arge.example",
    "admin": "admin@arge.example",
}
# The steps of the offer form (portal.offers.steps), by their address
OFFER_STEPS = [
    "grunddaten",
    "taetigkeit",
    "einsatzstellen",
    "zeitraum",
    "zielgruppen",
    "betreuung",
    "kosten",
    "kriterien",
    "kontakt",
]
PHONE: ViewportSize = {"width": 375, "height": 740}
SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "e2e-screenshots"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE = Axe()
NOT_TYPED = ["[type=hidden]", "[type=checkbox]", "[type=radio]", "[type=file]"]  # inputs that take no text
# Where the focus goes from here to reach the element: nowhere (""; it is there), Shift+Tab (back) or Tab
NEXT_KEY = """element => {
    const active = document.activeElement;
    if (element.contains(active)) return "";
    return element.compareDocumentPosition(active) & Node.DOCUMENT_POSITION_FOLLOWING ? "Shift+Tab" : "Tab";
}"""
# The outline of an element, or of its ::after if the element has none (KERN's stretched links draw it there)
OUTLINE = """element => {
    const own = getComputedStyle(element);
    const style = own.outlineStyle === "none" ? getComputedStyle(element, "::after") : own;
    return [style.outlineStyle, style.outlineWidth];
}"""
LINKS = (  # same-origin links to pages, not to downloads (PDFs and exports carry the download attribute)
    "links => links.filter(link => link.origin === location.origin && !link.hasAttribute('download'))"
    ".map(link => link.pathname)"
)


def _text(message: Message) -> str:
    """The body of a plain-text mail, with Unix line ends."""
    body = message.get_payload(decode=True)
    assert isinstance(body, bytes)
    return body.decode().replace("\r\n", "\n")


class LiveServer:
    """The app running in its own process; `login_states` keeps each role's cookies for the whole session."""

    def __init__(self, url: str, mailbox: Mailbox) -> None:
        self.url = url
        self.mailbox = mailbox
        self.login_states: dict[str, Any] = {}

    def mails_containing(self, address: str, text: str, count: int = 1) -> list[str]:
        """The bodies of the mails to `address` that contain `text`, oldest first; waits up to 5 s for `count`."""
        deadline = time.monotonic() + 5
        while True:
            bodies = [_text(message) for message in self.mailbox.to(address)]
            found = [body for body in bodies if text in body]
            if len(found) >= count:
                return found
            assert time.monotonic() < deadline, f"{len(found)} mail(s) to {address} contain {text!r}, not {count}"
            time.sleep(0.05)

    def link_in_mail(self, address: str, path: str, containing: str = "") -> str:
        """The first link to `path` in the newest mail to `address` (that contains `containing`)."""
        body = self.mails_containing(address, containing)[-1]
        match = re.search(re.escape(self.url + path) + r"\S+", body)
        assert match, f"no link to {path} in the mail to {address}:\n{body}"
        return match.group(0)


class Browsing:
    """The browser for the whole session: one context per role, signed in once (None: anonymous), and fresh
    contexts on request. Records every request, server error and CSP violation of the current test."""

    def __init__(self, browser: Browser, server: LiveServer) -> None:
        self.browser = browser
        self.server = server
        self.shared: dict[str | None, BrowserContext] = {}
        self.fresh: list[BrowserContext] = []
        self.pages: list[Page] = []
        self.requests: list[str] = []
        self.problems: list[str] = []

    def page(self, role: str | None = None, *, fresh: bool = False, viewport: ViewportSize | None = None) -> Page:
        """A new page in the role's context, or in a fresh anonymous context of its own."""
        if fresh:
            self.fresh.append(self._new_context())
        page = (self.fresh[-1] if fresh else self._shared(role)).new_page()
        self.pages.append(page)
        if viewport:
            page.set_viewport_size(viewport)
        return page

    def _shared(self, role: str | None) -> BrowserContext:
        if role not in self.shared:
            context = self._new_context()
            self.fresh.append(context)  # closed after the test, unless signing in works
            if role:
                self.pages.append(context.new_page())
                log_in(self.pages[-1], ACCOUNTS[role])
            self.shared[role] = self.fresh.pop()
        return self.shared[role]

    def _new_context(self) -> BrowserContext:
        context = self.browser.new_context(base_url=self.server.url)
        context.set_default_timeout(10_000)
        context.on("request", lambda request: self.requests.append(request.url))
        context.on("response", self._response)
        context.on("console", self._console)
        return context

    def _response(self, response: Response) -> None:
        if response.status >= 500:
            self.problems.append(f"server error {response.status}: {response.url}")

    def _console(self, message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            self.problems.append(f"blocked by the Content Security Policy: {message.text}")

    def finish_test(self, screenshot_name: str | None) -> list[str]:
        """Screenshot every page of the test if a name is given (the test failed), close the test's pages and
        fresh contexts, sign the anonymous context out. Returns what went wrong: requests that left the app's
        own origin, server errors and what the CSP blocked."""
        if screenshot_name:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        for number, page in enumerate(self.pages):
            suffix = f"-{number + 1}" if len(self.pages) > 1 else ""
            with suppress(PlaywrightError):  # a crashed page must not hide the test's own failure
                if screenshot_name:
                    page.screenshot(path=SCREENSHOTS / f"{screenshot_name}{suffix}.png", full_page=True)
                page.close()
        for context in self.fresh:
            context.close()
        if None in self.shared:
            self.shared[None].clear_cookies()
        own = self.server.url + "/"
        problems = [f"request to another host: {url}" for url in self.requests if not url.startswith((own, "data:"))]
        problems += self.problems
        self.fresh, self.pages, self.requests, self.problems = [], [], [], []
        return problems

    def close(self) -> None:
        for context in self.shared.values():
            context.close()


def submit_login(page: Page, email: str, password: str = DEMO_PASSWORD) -> None:
    page.goto("/portal/anmelden")
    page.get_by_label("E-Mail-Adresse").fill(email)
    page.get_by_label("Passwort", exact=True).fill(password)
    page.get_by_role("button", name="Anmelden", exact=True).click()


def log_in(page: Page, email: str, password: str = DEMO_PASSWORD) -> None:
    submit_login(page, email, password)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Guten Tag")


def _describe(violation: dict[str, Any]) -> str:
    lines = [f"{violation['id']} ({violation['impact']}): {violation['help']}"]
    for node in violation["nodes"]:
        lines.append(f"  at {' '.join(map(str, node['target']))}: {node['html'][:300]}")
        lines.extend(f"    {line}" for line in node["failureSummary"].splitlines())
    return "\n".join(lines)


# Let running CSS transitions finish first: mid-fade colours (Material fades search results in) are not the page's.
SETTLE = """() => Promise.all(document.getAnimations()
    .filter(animation => animation.effect?.getTiming().iterations !== Infinity)
    .map(animation => animation.finished.catch(() => null)))"""


def axe_violations(page: Page) -> str:
    """axe-core with the WCAG 2.1 A and AA rules on the current page: its violations, readable; empty if none."""
    options = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
    page.evaluate(SETTLE)
    violations = AXE.run(page, options=options).response["violations"]
    if not violations:
        return ""
    return f"{len(violations)} violation(s) on {page.url}:\n" + "\n".join(map(_describe, violations))


def assert_accessible(page: Page) -> None:
    violations = axe_violations(page)
    assert not violations, f"axe found {violations}"


def crawl(page: Page, *starts: str) -> Iterator[str]:
    """Open every portal page reachable by links from the start pages (default: the portal's start page), once
    per address pattern (numbers as {id}), the start pages first.

    Yields each pattern while its page is open. Links are GET requests, which never change anything here.
    """
    queue = list(starts or ["/portal/"])
    seen = {re.sub(r"\d+", "{id}", path) for path in queue}
    while queue:
        path = queue.pop(0)
        page.goto(path)
        yield re.sub(r"\d+", "{id}", path)
        for link in page.eval_on_selector_all("a[href]", LINKS):
            pattern = re.sub(r"\d+", "{id}", link)
            if link.startswith("/portal/") and not link.startswith("/portal/static/") and pattern not in seen:
                seen.add(pattern)
                queue.append(link)


def submit_empty(page: Page, button: str) -> None:
    """Clear every text field of the button's form, submit it and wait for the error summary."""
    form = page.locator("form").filter(has=page.get_by_role("button", name=button, exact=True))
    fields = form.locator(f"input:not({','.join(NOT_TYPED)}), textarea")
    fields.evaluate_all("fields => fields.forEach(field => { field.value = ''; })")
    form.get_by_role("button", name=button, exact=True).click()
    expect(page.locator("[data-error-summary]")).to_be_focused()


def tab_to(page: Page, target: Locator, limit: int = 40) -> None:
    """Press Tab until the focus is on the target or inside it (a group of radio buttons); Shift+Tab if the
    target comes before the focused element."""
    for _ in range(limit):
        key = target.evaluate(NEXT_KEY)
        if not key:
            return
        page.keyboard.press(key)
    raise AssertionError(f"{limit} presses of Tab did not reach {target}")


def assert_focus_visible(page: Page) -> None:
    """The focused element has an outline of at least 2 px that it does not have without the focus."""
    element = page.evaluate_handle("document.activeElement")
    focused = element.evaluate(OUTLINE)
    element.evaluate("element => element.blur()")  # the next Tab goes on from here
    unfocused = element.evaluate(OUTLINE)
    description = element.evaluate("element => element.outerHTML.slice(0, 120)")
    assert focused[0] != "none", f"{description}: no outline with focus"
    assert float(focused[1].removesuffix("px")) >= 2, f"{description}: outline thinner than 2 px: {focused}"
    assert focused != unfocused, f"{description}: the same outline with and without focus"


def assert_no_sideways_scrolling(page: Page) -> None:
    """Reflow (WCAG 1.4.10): only wide tables may scroll, inside their own container, never the whole page."""
    width, viewport = page.evaluate("document.documentElement.scrollWidth"), page.viewport_size
    assert viewport is not None
    assert width <= viewport["width"], f"{page.url} is {width} px wide"
