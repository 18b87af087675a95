"""vCard files for the import tests: 200 cards, 10 of them duplicates and 3 invalid (made-up people)."""

from __future__ import annotations


def card(name: str, emails: list[str], *, version: str = "3.0", org: str = "", note: str = "") -> str:
    given, _, family = name.partition(" ")
    lines = ["BEGIN:VCARD", f"VERSION:{version}", f"FN:{name}", f"N:{family};{given};;;"]
    lines += [f"EMAIL;TYPE=INTERNET:{e}" if version == "3.0" else f"EMAIL;TYPE=home:{e}" for e in emails]
    if org:
        lines.append(f"ORG:{org}")
    if note:
        lines.append(f"NOTE:{note}")
    return "\r\n".join([*lines, "END:VCARD"]) + "\r\n"


def two_hundred_cards() -> str:
    """187 new people, 10 repeats of earlier addresses, 3 invalid cards (bad address, none, no name)."""
    cards = [card(f"Patient{n} Example", [f"patient{n}@example.org"], version="4.0" if n % 2 else "3.0",
                  org="Riverside" if n % 7 == 0 else "", note="from the front desk" if n % 11 == 0 else "")
             for n in range(187)]  # fmt: skip
    cards += [card(f"Patient{n} Again", [f"Patient{n}@Example.org"]) for n in range(0, 100, 10)]
    cards.append(card("Broken Address", ["broken.example.org"]))
    cards.append(card("No Address", []))
    cards.append("BEGIN:VCARD\r\nVERSION:3.0\r\nEMAIL:nameless@example.org\r\nEND:VCARD\r\n")
    return "".join(cards)
