"""The window's start parses its options without the subcommands' parsers, to the same result."""

from __future__ import annotations

import pytest

from desktop_app import cli


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["--profile-dir", "/tmp/p"],
        ["--profile-dir=/tmp/p", "-v"],
        ["--self-test", "--profile-dir", "send"],  # a profile folder named like a command is a folder
        ["--api-base-url", "http://127.0.0.1:8025", "--policy-dir", "/etc/x"],
    ],
)
def test_window_only_arguments_parse_the_same_without_the_subcommands(argv: list[str]) -> None:
    assert cli._names_no_command(argv)
    assert vars(cli.build_parser(subcommands=False).parse_args(argv)) == vars(cli.build_parser().parse_args(argv))


@pytest.mark.parametrize(
    "argv",
    [
        ["send", "--to", "a@b.example", "--subject", "S"],
        ["--profile-dir", "/tmp/p", "status"],
        ["bogus"],
        ["--help"],
        ["-h"],
        ["--prof", "/tmp/p"],
    ],
)
def test_anything_else_gets_the_whole_parser(argv: list[str]) -> None:
    assert not cli._names_no_command(argv)


def test_an_unknown_word_is_still_refused_as_an_unknown_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        cli.main(["bogus"])
    assert exit_.value.code == 2
    assert "invalid choice: 'bogus'" in capsys.readouterr().err
