"""The grid's cells as portal.js, assistive technology and the browser tests read them: ids, names, classes and aria
attributes of an editable cell (plain, greyed, marked after a check) and of a cell that is only read."""

from __future__ import annotations

import re

from tests.reports.helpers import draft, grid_form, grid_url, page, text

TYPO = "„x1“ verstehen wir nicht. Erlaubt sind: Stunden (z. B. 4 oder 3,5) oder E, UE, K, KK, U, F, -."


def cells_of(html: str, line: int) -> list[str]:
    """The day cells of a line's row, whitespace next to tags removed."""
    row = re.search(rf'<tr>\s*<th scope="row" class="grid-person"><span id="p-{line}">.*?</tr>', html, re.S)
    assert row, f"no row for line {line}"
    squeezed = re.sub(r"\s*(<|>)\s*", r"\1", row.group(0))
    return re.findall(r'<td class="grid-cell.*?</td>', squeezed)


def editable(line: int, day: int, value: str, *, off: bool = False, error: str = "", fill: str = "") -> str:
    name = f"c-{line}-{day}"
    marks = f' aria-invalid="true" aria-describedby="{name}-error"' if error else ""
    described = f'<span class="kern-sr-only" id="{name}-error">{error}</span>' if error else ""
    css = "grid-cell" + (" grid-off" if off else "") + (" grid-error" if error else "")
    filled = f'data-fill="{fill}" ' if fill else ""
    return (
        f'<td class="{css}"><input type="text" class="grid-input" id="{name}" name="{name}" value="{value}" '
        f'maxlength="10" size="3" autocomplete="off" spellcheck="false" aria-labelledby="p-{line} d-{day}"{marks} '
        f"{filled}data-cell>{described}</td>"
    )


def test_the_cells_keep_their_markup(client, login, browser, provider, staff, offer, assigned):
    login(provider)
    report = draft(provider, offer)  # October 2025: the 3rd a holiday, the 4th a Saturday
    line = report.lines[0].id
    fresh_page = page(client, grid_url(report))
    assert cells_of(fresh_page, line)[2:7] == [
        editable(line, 3, "F", off=True, fill="F"),  # the holiday: F when the row is filled
        editable(line, 4, "", off=True),  # Saturday and Sunday are not scheduled: filling leaves them empty
        editable(line, 5, "", off=True),
        editable(line, 6, "4", fill="4"),
        editable(line, 7, "4", fill="4"),
    ]
    typed = {**grid_form(fresh_page), f"c-{line}-7": "x1", f"c-{line}-8": '<b>"&', "action": "save"}
    saved = cells_of(text(client.post(grid_url(report), data=typed)), line)
    assert saved[6] == editable(line, 7, "x1", error=TYPO, fill="4")
    assert saved[7].startswith(
        f'<td class="grid-cell grid-error"><input type="text" class="grid-input" id="c-{line}-8" name="c-{line}-8" '
        f'value="&lt;b&gt;&#34;&amp;"'
    )

    unchecked = cells_of(page(client, grid_url(report)), line)  # marked only after a save or a check
    assert unchecked[6] == editable(line, 7, "x1", fill="4")

    read_only = cells_of(page(browser(staff), grid_url(report)), line)
    assert read_only[2:8] == [
        '<td class="grid-cell grid-off">F</td>',
        '<td class="grid-cell grid-off"></td>',
        '<td class="grid-cell grid-off"></td>',
        '<td class="grid-cell">4</td>',
        '<td class="grid-cell grid-error">x1</td>',  # errors show at once where nobody can edit
        '<td class="grid-cell grid-error">&lt;b&gt;&#34;&amp;</td>',
    ]


def day_headers(html: str) -> list[str]:
    """The header cells of the grid's days, whitespace next to tags removed."""
    head = re.search(r"<thead>.*?</thead>", html, re.S)
    assert head, "no table head"
    return re.findall(r'<th scope="col" id="d-.*?</th>', re.sub(r"\s*(<|>)\s*", r"\1", head.group(0)))


def test_the_day_headers_name_each_day_of_the_reports_month(client, login, provider, offer, assigned):
    login(provider)
    october = day_headers(page(client, grid_url(draft(provider, offer))))
    assert len(october) == 31
    assert october[2] == (
        '<th scope="col" id="d-3" class="grid-day grid-off" title="Tag der Deutschen Einheit">'
        '<span aria-hidden="true">Fr<br>3</span>'
        '<span class="kern-sr-only">Fr 03.10.2025 (Tag der Deutschen Einheit)</span></th>'
    )
    assert october[5] == (
        '<th scope="col" id="d-6" class="grid-day"><span aria-hidden="true">Mo<br>6</span>'
        '<span class="kern-sr-only">Mo 06.10.2025</span></th>'
    )
    september = day_headers(page(client, grid_url(draft(provider, offer, month=9))))  # rendered once per month
    assert len(september) == 30
    assert september[0].endswith('<span class="kern-sr-only">Mo 01.09.2025</span></th>')
    assert day_headers(page(client, grid_url(draft(provider, offer)))) == october
