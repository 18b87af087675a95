"""WCAG 2.1 contrast of every text/background pair the two themes use (1.4.3, 1.4.11).

The pairs come from the themes themselves: each theme's palette (resources.THEME_PALETTES, the
disabled group included), every rule of its stylesheet (a rule's text on its own background, else
on the background the widget sits on; selections; a coloured bar's text; control borders and the
focus ring against the window) and the chart colours. Text needs 4.5:1, large text (≥ 24 px, or
≥ 18.7 px bold) 3:1, control boundaries and chart marks 3:1. Disabled text is exempt in WCAG; here
it must still reach 3:1 and look unlike enabled text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from PySide6.QtGui import QPalette

from desktop_app.ui.charts import SERIES_COLOURS
from desktop_app.ui.resources import THEME_PALETTES, theme_stylesheet

R = QPalette.ColorRole
G = QPalette.ColorGroup
TEXT, LARGE, NON_TEXT = 4.5, 3.0, 3.0
BASE_WIDGETS = ("QLineEdit", "QTextEdit", "QPlainTextEdit", "QTextBrowser", "QTableView", "QListWidget", "QComboBox",
                "QSpinBox", "QDoubleSpinBox", "QDateEdit", "QHeaderView")  # fmt: skip
CONTROLS = ("QLineEdit", "QTextEdit", "QPlainTextEdit", "QComboBox", "QSpinBox", "QDoubleSpinBox", "QDateEdit",
            "QPushButton", "QCheckBox")  # fmt: skip


def luminance(colour: str) -> float:
    value = colour.lstrip("#")
    if len(value) == 3:
        value = "".join(c * 2 for c in value)
    channels = [int(value[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def ratio(one: str, two: str) -> float:
    light, dark = sorted((luminance(one), luminance(two)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_the_ratio_is_wcags() -> None:
    assert ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)  # the classic near miss
    assert ratio("#0f6cbd", "#ffffff") == ratio("#ffffff", "#0f6cbd")


@dataclass(frozen=True)
class Rule:
    selectors: tuple[str, ...]
    props: dict[str, str]


NAMED = {"white": "#ffffff", "black": "#000000"}


def colour_of(value: str | None) -> str | None:
    if not value:
        return None
    found = re.search(r"#[0-9a-fA-F]{6}\b|#[0-9a-fA-F]{3}\b|\bwhite\b|\bblack\b", value)
    if found is None:
        return None
    return NAMED.get(found.group(0), found.group(0))


def rules(theme: str) -> list[Rule]:
    text = re.sub(r"/\*.*?\*/", "", theme_stylesheet(theme), flags=re.S)
    found = []
    for selectors, body in re.findall(r"([^{}]+)\{([^}]*)\}", text):
        props = {}
        for declaration in body.split(";"):
            name, _, value = declaration.partition(":")
            if value.strip():
                props[name.strip()] = value.strip()
        found.append(Rule(tuple(s.strip() for s in selectors.split(",")), props))
    return found


def background(rule: Rule) -> str | None:
    return colour_of(rule.props.get("background-color") or rule.props.get("background"))


def is_large(rule: Rule) -> bool:
    size = re.search(r"(\d+)px", rule.props.get("font-size", ""))
    bold = rule.props.get("font-weight", "") in ("bold", "600", "700", "800")
    return bool(size) and (int(size.group(1)) >= 24 or (int(size.group(1)) >= 19 and bold))


def pairs(theme: str) -> list[tuple[str, str, str, float]]:
    """(what, foreground, background, needed) for everything the theme draws."""
    palette = THEME_PALETTES[theme]
    active, disabled = palette[G.Active], palette[G.Disabled]
    window, base = active[R.Window], active[R.Base]
    found = []
    for fg, bg in ((R.WindowText, R.Window), (R.Text, R.Base), (R.Text, R.AlternateBase), (R.ButtonText, R.Button),
                   (R.HighlightedText, R.Highlight), (R.ToolTipText, R.ToolTipBase), (R.PlaceholderText, R.Base),
                   (R.Link, R.Base), (R.Link, R.Window)):  # fmt: skip
        found.append((f"palette {fg.name} on {bg.name}", active[fg], active[bg], TEXT))
    for fg, bg in ((R.WindowText, R.Window), (R.Text, R.Base), (R.ButtonText, R.Button)):
        found.append((f"palette disabled {fg.name} on {bg.name}", disabled[fg], disabled[bg], LARGE))
    sheet = rules(theme)
    backgrounds = {s: bg for rule in sheet if (bg := background(rule)) for s in rule.selectors}
    colours = {s: fg for rule in sheet if (fg := colour_of(rule.props.get("color"))) for s in rule.selectors}
    for rule in sheet:
        own = background(rule)
        for selector in rule.selectors:
            head = selector.split()[0] if " " in selector else ""
            widget = re.split(r"[#:\[ ]", selector.split()[-1])[0]
            context = backgrounds.get(head) or (base if widget in BASE_WIDGETS else window)
            plain = re.sub(r":(hover|disabled|focus|selected|pressed)", "", selector)  # the state inherits its colours
            bg = own or (backgrounds.get(plain) if plain != selector else None) or context
            colour = colour_of(rule.props.get("color")) or (colours.get(plain) if plain != selector else None)
            described = any(other.startswith(selector + " ") for other in colours)  # its children set their colour
            needed = LARGE if is_large(rule) or ":disabled" in selector else TEXT
            if colour:
                found.append((f"{selector} text", colour, bg, needed))
            elif own and "::chunk" not in selector and not described:
                text = disabled[R.ButtonText] if ":disabled" in selector else active[R.WindowText]
                found.append((f"{selector} with the palette's text", text, own, needed))
            if "::chunk" in selector and own:
                found.append((f"{selector} under the bar's text", active[R.Text], own, TEXT))
            selected_fg = colour_of(rule.props.get("selection-color"))
            selected_bg = colour_of(rule.props.get("selection-background-color"))
            if selected_fg and selected_bg:
                found.append((f"{selector} selected text", selected_fg, selected_bg, TEXT))
            alternate = colour_of(rule.props.get("alternate-background-color"))
            if alternate:
                found.append((f"{selector} alternate rows", active[R.Text], alternate, TEXT))
            border = colour_of(rule.props.get("border"))
            if border and widget in CONTROLS and "#" not in selector and ":" not in selector.replace(":focus", ""):
                found.append((f"{selector} boundary (or its fill) against the window", border, window, NON_TEXT))
    for name, colour in SERIES_COLOURS.items():
        found.append((f"chart series {name!r}", colour, window, NON_TEXT))
    return found


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_every_pair_meets_wcag_aa(theme: str) -> None:
    checked = pairs(theme)
    whats = " ".join(what for what, *_ in checked)
    for needed in ("sandboxBanner", "selected", "Link", "disabled", "chart series", "focus", "toast"):
        assert needed in whats, f"no {needed} pair found in the {theme} theme"
    failing = [f"{what}: {fg} on {bg} is {ratio(fg, bg):.2f}:1, needs {need}:1"
               for what, fg, bg, need in checked if ratio(fg, bg) < need]  # fmt: skip
    assert not failing, f"{theme} theme, {len(failing)} of {len(checked)} pairs:\n" + "\n".join(failing)


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_disabled_text_looks_disabled(theme: str) -> None:
    """A disabled check box or label must not look like an enabled one (the dark theme's did)."""
    palette = THEME_PALETTES[theme]
    for role in (R.WindowText, R.Text, R.ButtonText):
        enabled, disabled = palette[G.Active][role], palette[G.Disabled][role]
        assert ratio(enabled, disabled) >= 1.6, (theme, role.name, enabled, disabled)
    sheet = rules(theme)
    for selector in ("QCheckBox", "QLabel"):
        colours = [colour_of(r.props.get("color")) for r in sheet if selector in r.selectors]
        if any(colours):  # the sheet sets their colour: it must set the disabled one too
            disabled_rules = [r for r in sheet if f"{selector}:disabled" in r.selectors and r.props.get("color")]
            assert disabled_rules, f"{theme}: {selector} has a colour but no :disabled colour"
