"""The README's settings table ("Konfiguration") names every environment variable that portal/config.py and
deploy/gunicorn.conf.py read, and nothing that nobody reads."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
READERS = [ROOT / "portal" / "config.py", ROOT / "deploy" / "gunicorn.conf.py"]
# Calls whose first argument is the variable's name: config.py's helpers and os.environ.get.
READING_CALLS = {"_env", "_env_int", "get"}
# Documented but read elsewhere: the test suite's database (tests/conftest.py).
READ_ELSEWHERE = {"TEST_DATABASE_URL"}


def variables_read(path: Path) -> set[str]:
    """The names read, as patterns: an f-string name (`f"PORTAL_SEPA_DEBTOR_{name}"`) stands for a family."""
    patterns = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not (isinstance(node, ast.Call) and node.args):
            continue
        function = node.func
        name = function.attr if isinstance(function, ast.Attribute) else getattr(function, "id", "")
        environ = not isinstance(function, ast.Attribute) or ast.unparse(function.value) == "os.environ"
        pattern = _name_pattern(node.args[0])
        if name in READING_CALLS and environ and pattern:
            patterns.add(pattern)
    return patterns


def _name_pattern(argument: ast.expr) -> str | None:
    if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
        return re.escape(argument.value)
    if isinstance(argument, ast.JoinedStr):
        return "".join(
            re.escape(part.value) if isinstance(part, ast.Constant) else "[A-Z0-9_]+" for part in argument.values
        )
    return None


def matched(names: set[str], patterns: set[str]) -> set[str]:
    return {name for name in names if any(re.fullmatch(pattern, name) for pattern in patterns)}


def documented() -> set[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Konfiguration\n", 1)[1].split("\n## ", 1)[0]
    first_cells = [line.split("|")[1] for line in section.splitlines() if line.startswith("| `")]
    return {name for cell in first_cells for name in re.findall(r"`([A-Z][A-Z0-9_]+)`", cell)}


def test_the_readers_are_found():
    read = variables_read(READERS[0])
    assert {"PORTAL_ENV", "SECRET_KEY", "PORTAL_MAE_MIN", "MAIL_PORT"} <= read  # _env, _env_int, os.environ.get
    assert {"GUNICORN_WORKERS", "PORT"} <= variables_read(READERS[1])


def test_every_setting_read_is_in_the_readme_table():
    table = documented()
    read = set().union(*(variables_read(path) for path in READERS))
    assert sorted(pattern for pattern in read if not matched(table, {pattern})) == []


def test_every_variable_in_the_readme_table_is_read():
    table = documented()
    read = set().union(*(variables_read(path) for path in READERS))
    assert sorted(table - matched(table, read) - READ_ELSEWHERE) == []
