"""``--profile-dir`` means the same profile wherever it stands around ``sealpost contacts ACTION``:
a nested parser's default must never quietly send an import to the default profile."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop_app.cli import build_parser


@pytest.mark.parametrize(
    "argv",
    [
        ["--profile-dir", "X", "contacts", "import", "book.vcf"],
        ["contacts", "--profile-dir", "X", "import", "book.vcf"],
        ["contacts", "import", "book.vcf", "--profile-dir", "X"],
    ],
)
def test_the_profile_dir_is_kept_at_every_level(argv: list[str]) -> None:
    args = build_parser().parse_args(argv)
    assert (args.profile_dir, args.contacts_action, args.file) == (Path("X"), "import", "book.vcf")


def test_no_profile_dir_means_the_default_one() -> None:
    args = build_parser().parse_args(["-v", "contacts", "list", "--json"])
    assert (args.profile_dir, args.verbose, args.json) == (None, True, True)
