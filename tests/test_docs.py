"""The README and the CLI cannot drift apart: every command and option is documented and has help."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from vouched.cli import cli

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def _commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], click.Command]]:
    out: list[tuple[tuple[str, ...], click.Command]] = []
    for name, command in sorted(group.commands.items()):
        path = (*prefix, name)
        if isinstance(command, click.Group):
            out += _commands(command, path)
        else:
            out.append((path, command))
    return out


COMMANDS = _commands(cli)


def test_there_are_commands() -> None:
    names = {" ".join(path) for path, _ in COMMANDS}
    assert {"check", "provenance", "policy check", "tier", "init", "demo"} <= names


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=[" ".join(p) for p, _ in COMMANDS])
def test_every_command_has_help_and_is_in_the_readme(path: tuple[str, ...], command: click.Command) -> None:
    result = CliRunner().invoke(cli, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert command.help, f"vouched {' '.join(path)} has no help text"
    assert f"vouched {' '.join(path)}" in README, f"the README never shows `vouched {' '.join(path)}`"
    for param in command.params:
        if isinstance(param, click.Option) and not param.hidden:
            for opt in param.opts + param.secondary_opts:
                if opt in ("-h", "--help"):
                    continue
                assert re.search(rf"(?<![\w-]){re.escape(opt)}(?![\w-])", README), (
                    f"option {opt} of `vouched {' '.join(path)}` is not in the README"
                )


def test_readme_has_exactly_two_setup_commands_and_ci_runs_the_second() -> None:
    block = README.split("<!-- setup -->", 2)[1]
    commands = [line for line in block.splitlines() if line.startswith("python3 ")]
    assert len(commands) == 2, commands
    assert "vouched demo" in commands[0]
    ci = (Path(__file__).resolve().parents[1] / ".ci" / "run").read_text()
    assert commands[1] in ci


def test_every_rule_is_catalogued_and_documented() -> None:
    from vouched.gate import checks
    from vouched.gate.rules import RULES

    used = set(re.findall(r'_(?:error|note|warning)\(\s*"([a-z]+\.[a-z-]+)"', Path(checks.__file__).read_text()))
    assert len(used) >= 10
    assert used <= set(RULES), f"rules used but not catalogued: {used - set(RULES)}"
    for rule in RULES:
        assert f"`{rule}`" in README, f"rule {rule} is not documented in the README"


def test_exit_codes_are_documented() -> None:
    for code in ("0", "1", "2", "3"):
        assert re.search(rf"\|\s*`?{code}`?\s*\|", README), f"exit code {code} is missing from the README table"


def test_the_readme_shows_the_demo_as_it_runs() -> None:
    """The first thing a new user runs is `vouched demo`: the README must show its real output."""
    start = README.index("```\n$ vouched demo\n") + len("```\n$ vouched demo\n")
    shown = README[start : README.index("```", start)]
    result = CliRunner().invoke(cli, ["demo", "--no-color"])
    assert result.exit_code == 0, result.output
    assert shown == result.output.rstrip("\n") + "\n"
