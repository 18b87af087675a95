"""The corpus the recipient and subject guards are measured on, generated deterministically.

``python -m benchmarks.guard_corpus`` rewrites ``tests/data/guard-corpus.json`` (checked in; a test
proves the script still makes exactly that file). Every name is drawn from lists of common first
and last names and every domain is either a common mail provider or invented: no real person's
data. What it holds:

* ``book``: verified addresses (name, address), as a clinic's address book would hold them;
* ``slips``: for each book address one slip of a known kind (domain typo, local typo, homoglyph,
  TLD typo, known provider typo) and the address it should be taken for;
* ``ordinary_addresses``: new, honest addresses (new people, at common and at new domains);
* ``ordinary_subjects`` and ``phi_subjects`` (with the kind of PHI each holds);
* ``held_out``: the same kinds from another seed and other templates, never looked at while tuning.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path
from typing import Any

OUTPUT = Path(__file__).resolve().parents[1] / "tests" / "data" / "guard-corpus.json"
TODAY = "2026-12-01"

FIRST = [
    "james",
    "mary",
    "robert",
    "patricia",
    "john",
    "jennifer",
    "michael",
    "linda",
    "david",
    "elizabeth",
    "william",
    "barbara",
    "richard",
    "susan",
    "joseph",
    "jessica",
    "thomas",
    "sarah",
    "charles",
    "karen",
    "daniel",
    "lisa",
    "matthew",
    "nancy",
    "anthony",
    "betty",
    "mark",
    "sandra",
    "donald",
    "ashley",
    "steven",
    "kimberly",
    "andrew",
    "emily",
    "paul",
    "donna",
    "joshua",
    "michelle",
    "kenneth",
    "carol",
    "kevin",
    "amanda",
    "brian",
    "melissa",
    "george",
    "deborah",
    "timothy",
    "stephanie",
    "ronald",
    "rebecca",
    "jason",
    "laura",
    "edward",
    "helen",
    "jeffrey",
    "sharon",
    "ryan",
    "cynthia",
    "jacob",
    "kathleen",
    "gary",
    "amy",
    "nicholas",
    "angela",
    "eric",
    "shirley",
    "jonathan",
    "anna",
    "stephen",
    "brenda",
    "larry",
    "pamela",
    "justin",
    "emma",
    "scott",
    "nicole",
    "brandon",
    "samantha",
    "benjamin",
    "katherine",
    "samuel",
    "christine",
    "gregory",
    "debra",
    "alexander",
    "rachel",
    "frank",
    "carolyn",
    "patrick",
    "janet",
    "raymond",
    "maria",
    "jack",
    "heather",
    "dennis",
    "diane",
    "jerry",
    "ruth",
    "tyler",
    "julie",
    "aaron",
    "olivia",
    "jose",
    "joyce",
    "adam",
    "virginia",
    "nathan",
    "victoria",
    "henry",
    "kelly",
    "douglas",
    "lauren",
    "zachary",
    "christina",
    "peter",
    "joan",
    "kyle",
    "evelyn",
    "noah",
    "judith",
    "ethan",
    "megan",
    "jeremy",
    "andrea",
    "walter",
    "cheryl",
    "christian",
    "hannah",
    "keith",
    "jacqueline",
    "roger",
    "martha",
    "terry",
    "gloria",
    "austin",
    "teresa",
    "sean",
    "ann",
    "gerald",
    "sara",
    "carl",
    "madison",
    "harold",
    "frances",
    "dylan",
    "kathryn",
    "arthur",
    "janice",
    "lawrence",
    "jean",
    "jordan",
    "abigail",
    "jesse",
    "alice",
    "bryan",
    "judy",
    "billy",
    "sophia",
    "bruce",
    "grace",
    "gabriel",
    "denise",
    "joe",
    "amber",
    "logan",
    "doris",
    "albert",
    "marilyn",
    "willie",
    "danielle",
    "alan",
    "beverly",
    "juan",
    "isabella",
    "wayne",
    "theresa",
    "elijah",
    "diana",
    "randy",
    "natalie",
    "roy",
    "brittany",
    "vincent",
    "charlotte",
    "ralph",
    "marie",
    "eugene",
    "kayla",
    "russell",
    "alexis",
    "bobby",
    "lori",
]
LAST = [
    "smith",
    "johnson",
    "williams",
    "brown",
    "jones",
    "garcia",
    "miller",
    "davis",
    "rodriguez",
    "martinez",
    "hernandez",
    "lopez",
    "gonzalez",
    "wilson",
    "anderson",
    "thomas",
    "taylor",
    "moore",
    "jackson",
    "martin",
    "lee",
    "perez",
    "thompson",
    "white",
    "harris",
    "sanchez",
    "clark",
    "ramirez",
    "lewis",
    "robinson",
    "walker",
    "young",
    "allen",
    "king",
    "wright",
    "scott",
    "torres",
    "nguyen",
    "hill",
    "flores",
    "green",
    "adams",
    "nelson",
    "baker",
    "hall",
    "rivera",
    "campbell",
    "mitchell",
    "carter",
    "roberts",
    "gomez",
    "phillips",
    "evans",
    "turner",
    "diaz",
    "parker",
    "cruz",
    "edwards",
    "collins",
    "reyes",
    "stewart",
    "morris",
    "morales",
    "murphy",
    "cook",
    "rogers",
    "gutierrez",
    "ortiz",
    "morgan",
    "cooper",
    "peterson",
    "bailey",
    "reed",
    "kelly",
    "howard",
    "ramos",
    "kim",
    "cox",
    "ward",
    "richardson",
    "watson",
    "brooks",
    "chavez",
    "wood",
    "james",
    "bennett",
    "gray",
    "mendoza",
    "ruiz",
    "hughes",
    "price",
    "alvarez",
    "castillo",
    "sanders",
    "patel",
    "myers",
    "long",
    "ross",
    "foster",
    "jimenez",
    "powell",
    "jenkins",
    "perry",
    "russell",
    "sullivan",
    "bell",
    "coleman",
    "butler",
    "henderson",
    "barnes",
    "gonzales",
    "fisher",
    "vasquez",
    "simmons",
    "romero",
    "jordan",
    "patterson",
    "alexander",
    "hamilton",
    "graham",
    "reynolds",
    "griffin",
    "wallace",
    "moreno",
    "west",
    "cole",
    "hayes",
    "bryant",
    "herrera",
    "gibson",
    "ellis",
    "tran",
    "medina",
    "aguilar",
    "stevens",
    "murray",
    "ford",
    "castro",
    "marshall",
    "owens",
    "harrison",
    "fernandez",
    "mcdonald",
    "woods",
    "washington",
    "kennedy",
    "wells",
    "vargas",
    "henry",
    "chen",
    "freeman",
    "webb",
    "tucker",
    "guzman",
    "burns",
    "crawford",
    "olson",
    "simpson",
    "porter",
    "hunter",
    "gordon",
    "mendez",
    "silva",
    "shaw",
    "snyder",
    "mason",
    "dixon",
    "munoz",
    "hunt",
    "hicks",
    "holmes",
    "palmer",
    "wagner",
    "black",
    "robertson",
    "boyd",
    "rose",
    "stone",
    "salazar",
    "fox",
    "warren",
    "mills",
    "meyer",
    "rice",
    "schmidt",
    "garza",
    "daniels",
    "ferguson",
    "nichols",
    "stephens",
    "soto",
    "weaver",
    "ryan",
    "gardner",
    "payne",
    "grant",
    "dunn",
    "kelley",
    "spencer",
    "hawkins",
    "arnold",
]
PROVIDERS = (("gmail.com", 38), ("yahoo.com", 14), ("hotmail.com", 8), ("outlook.com", 8), ("icloud.com", 7),
             ("aol.com", 4), ("comcast.net", 4), ("att.net", 2), ("verizon.net", 2), ("protonmail.com", 1))  # fmt: skip
ORG_WORDS = [
    "riverside",
    "lakeview",
    "northgate",
    "southpoint",
    "hillcrest",
    "maplewood",
    "cedar",
    "pinecrest",
    "oakridge",
    "brookside",
    "fairview",
    "westfield",
    "eastside",
    "summit",
    "valley",
    "harbor",
    "meadow",
    "granite",
    "willow",
    "elmwood",
]
ORG_KINDS = ("peds", "health", "clinic", "medical", "family-practice", "ortho", "imaging", "labs", "pharmacy",
             "dental", "cardiology", "pt")  # fmt: skip
KNOWN_TYPOS = {"gmail.com": ["gmial.com", "gamil.com", "gmai.com", "gnail.com", "gmail.con", "gmaill.com"],
               "yahoo.com": ["yaho.com", "yahooo.com", "yhoo.com"], "hotmail.com": ["hotmial.com", "hotmal.com"],
               "outlook.com": ["outlok.com"], "icloud.com": ["iclod.com", "icoud.com"]}  # fmt: skip
HOMOGLYPHS = {"a": "а", "e": "е", "o": "о", "p": "р", "c": "с", "x": "х", "y": "у", "i": "і", "j": "ј", "s": "ѕ"}
"""Latin letters and the Cyrillic ones drawn the same."""
KEYBOARD = {"a": "qs", "b": "vn", "c": "xv", "d": "sf", "e": "wr", "f": "dg", "g": "fh", "h": "gj", "i": "uo",
            "j": "hk", "k": "jl", "l": "k", "m": "n", "n": "bm", "o": "ip", "p": "o", "q": "w", "r": "et",
            "s": "ad", "t": "ry", "u": "yi", "v": "cb", "w": "qe", "x": "zc", "y": "tu", "z": "x"}  # fmt: skip


def _provider(rng: random.Random) -> str:
    names, weights = zip(*PROVIDERS, strict=True)
    return rng.choices(names, weights)[0]


def _org_domain(rng: random.Random) -> str:
    return f"{rng.choice(ORG_WORDS)}-{rng.choice(ORG_KINDS)}.{rng.choice(('org', 'com', 'net', 'us'))}"


def _local(rng: random.Random, first: str, last: str) -> str:
    style = rng.randrange(7)
    return [f"{first}.{last}", f"{first}{last}", f"{first[0]}{last}", f"{first}_{last}",
            f"{first}.{last}{rng.randrange(10, 99)}", f"{first[0]}.{last}", f"{last}.{first}"][style]  # fmt: skip


def _people(rng: random.Random, count: int, taken: set[str], org_share: float) -> list[dict[str, str]]:
    people = []
    while len(people) < count:
        first, last = rng.choice(FIRST), rng.choice(LAST)
        domain = _org_domain(rng) if rng.random() < org_share else _provider(rng)
        email = f"{_local(rng, first, last)}@{domain}"
        if email in taken:
            continue
        taken.add(email)
        people.append({"name": f"{first.title()} {last.title()}", "email": email})
    return people


def _keystroke(rng: random.Random, text: str) -> str:
    """One slip of the fingers on a letter of ``text``: a neighbour key, a swap, a dropped or doubled letter."""
    spots = [i for i, c in enumerate(text) if c.isalpha()]
    i = rng.choice(spots)
    kind = rng.randrange(4)
    if kind == 0:
        return text[:i] + rng.choice(KEYBOARD[text[i]]) + text[i + 1 :]
    if kind == 1 and i + 1 < len(text) and text[i + 1].isalpha() and text[i + 1] != text[i]:
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    if kind == 2 and len(spots) > 4:
        return text[:i] + text[i + 1 :]
    return text[:i] + text[i] + text[i:]


def _slip(rng: random.Random, email: str, kind: str) -> str:
    local, _, domain = email.rpartition("@")
    label, _, tld = domain.partition(".")
    if kind == "known_typo" and domain in KNOWN_TYPOS:
        return f"{local}@{rng.choice(KNOWN_TYPOS[domain])}"
    if kind == "homoglyph":
        where = local if rng.random() < 0.5 else label
        spots = [i for i, c in enumerate(where) if c in HOMOGLYPHS]
        if spots:
            i = rng.choice(spots)
            changed = where[:i] + HOMOGLYPHS[where[i]] + where[i + 1 :]
            return f"{changed}@{domain}" if where is local else f"{local}@{changed}.{tld}"
    if kind == "tld" and tld in ("com", "org", "net"):
        wrong = {"com": ("con", "cmo", "om"), "org": ("ogr", "og"), "net": ("nte", "met")}[tld]
        return f"{local}@{label}.{rng.choice(wrong)}"
    if kind == "local" and len(local) >= 5:
        return f"{_keystroke(rng, local)}@{domain}"
    return f"{local}@{_keystroke(rng, label)}.{tld}"


def _slips(rng: random.Random, book: list[dict[str, str]], taken: set[str]) -> list[dict[str, str]]:
    kinds = ("domain", "local", "homoglyph", "tld", "known_typo")
    slips = []
    for number, person in enumerate(book):
        kind = kinds[number % len(kinds)]
        for _attempt in range(20):
            slip = _slip(rng, person["email"], kind)
            if slip not in taken and slip != person["email"]:
                break
        taken.add(slip)
        slips.append({"typed": slip, "meant": person["email"], "kind": kind})
    return slips


def _date_text(rng: random.Random, year: int, month: int, day: int) -> str:
    months = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ]
    style = rng.randrange(6)
    return [f"{month:02d}/{day:02d}/{year}", f"{month}/{day}/{year % 100:02d}", f"{year}-{month:02d}-{day:02d}",
            f"{months[month - 1]} {day}, {year}", f"{day} {months[month - 1][:3]} {year}",
            f"{month}/{day}/{year}"][style]  # fmt: skip


def _birth(rng: random.Random) -> str:
    return _date_text(rng, rng.randrange(1936, 2008), rng.randrange(1, 13), rng.randrange(1, 29))


def _ssn(rng: random.Random) -> str:
    """Numbers no person holds: areas 900-999 and 666 are never issued as social security numbers."""
    area = rng.choice((666, rng.randrange(900, 1000)))
    digits = f"{area:03d}{rng.randrange(1, 100):02d}{rng.randrange(1, 10000):04d}"
    return digits if rng.random() < 0.2 else f"{digits[:3]}-{digits[3:5]}-{digits[5:]}"


def _mrn(rng: random.Random) -> str:
    return rng.choice((f"{rng.randrange(10**6, 10**8):08d}", f"{rng.randrange(10**5, 10**7)}",
                       f"MR{rng.randrange(10**5, 10**7)}"))  # fmt: skip


ORDINARY = (
    "Invoice {year}-{n4}",
    "Your appointment on {mm}/{dd}",
    "Appointment reminder: {weekday} {mm}/{dd} at {h}:{mi}",
    "Room {n3} schedule change",
    "Lab hours for {month}",
    "Your statement is ready",
    "Referral received",
    "Prescription ready for pickup",
    "Flu clinic on {month} {d}",
    "Order {n6} shipped",
    "Billing question re: invoice #{n4}",
    "Portal password reset",
    "Policy {d}.{d} update",
    "Suite {n3} closed {mm}/{dd}",
    "Visit summary from {mm}/{dd}/{year}",
    "Claim {n6} processed",
    "Fax cover for Dr. {Last}",
    "Records request received",
    "Parking lot closed {weekday}",
    "New patient forms",
    "Your care team: Dr. {Last}",
    "Payment of ${n3}.{n2} received",
    "Exam room {n3} cleaning",
    "Reminder: annual physical due",
    "Updated office hours starting {mm}/{dd}",
    "Statement for {mm}/{dd}/{past} visit",
    "Lab order #{n6}",
    "Telehealth link for {weekday}",
    "Questionnaire before your visit on {month} {d}",
    "Holiday hours {year}",
    "Building {d} elevator out of service",
    "Invoice {n4}-{year}",
    "Clinic newsletter {month} {year}",
    "Imaging appointment {mm}/{dd} {h}:{mi}",
    "Confirm your {h}:{mi} slot",
    "Ticket {n6}: printer on floor {d}",
    "Quarterly report Q{q} {year}",
    "Your results are available in the portal",
    "Vaccination clinic, Room {n3}",
)
HELD_OUT_ORDINARY = (
    "Deposit {n3}.{n2} refunded", "Schedule for week of {mm}/{dd}", "Staff meeting {weekday} {h}:{mi}",
    "PO {n6} approved", "Dr. {Last} is out {mm}/{dd}", "Form {n4} version {year}", "Waiting room {n3} reopened",
    "Reminder for {month} {d} visit", "Receipt {year}-{n4}", "Shuttle from lot {d} to suite {n3}",
)  # fmt: skip
PHI = (
    ("dob", "Lab results {Name} DOB {birth}"), ("dob", "{Last}, {First} {birth}"), ("dob", "Patient b. {birth}"),
    ("dob", "Re: {Name} ({birth})"), ("dob", "Records request - DOB: {birth}"), ("dob", "Referral {birth} {Last}"),
    ("ssn", "{Name} SSN {ssn}"), ("ssn", "Form for SSN: {ssn}"), ("ssn", "Social security no. {ssn}"),
    ("mrn", "MRN {mrn}"), ("mrn", "Results for MRN: {mrn}"), ("mrn", "Chart #{mrn} follow-up"),
    ("mrn", "Medical record number {mrn} transfer"), ("mrn", "{Last} MRN#{mrn}"),
    ("name", "Results for {Name}"), ("name", "{Name} follow-up call"),
)  # fmt: skip
HELD_OUT_PHI = (
    ("dob", "Intake {Name}, date of birth {birth}"), ("dob", "{Name} born {birth}"), ("ssn", "W-9 {ssn} {Last}"),
    ("mrn", "Transfer of chart # {mrn}"), ("mrn", "MR No. {mrn} discharge"), ("dob", "Pt {Last} DOB:{birth}"),
)  # fmt: skip


def _fill(rng: random.Random, template: str, book: list[dict[str, str]]) -> str:
    person = rng.choice(book)
    first, last = person["name"].split()
    return template.format(
        year=rng.choice((2025, 2026, 2027)),
        past=rng.choice((2024, 2025, 2026)),
        n2=f"{rng.randrange(100):02d}",
        n3=rng.randrange(100, 999),
        n4=rng.randrange(1000, 9999),
        n6=rng.randrange(100000, 999999),
        mm=f"{rng.randrange(1, 13):02d}",
        dd=f"{rng.randrange(1, 29):02d}",
        d=rng.randrange(1, 10),
        q=rng.randrange(1, 5),
        h=rng.randrange(7, 12),
        mi=rng.choice(("00", "15", "30", "45")),
        weekday=rng.choice(("Monday", "Tuesday", "Friday")),
        month=rng.choice(("January", "March", "June", "October", "December")),
        Last=last,
        First=first,
        Name=person["name"],
        birth=_birth(rng),
        ssn=_ssn(rng),
        mrn=_mrn(rng),
    )


def _subjects(rng: random.Random, templates: tuple[str, ...], count: int, book: list[dict[str, str]]) -> list[str]:
    return [_fill(rng, templates[i % len(templates)], book) for i in range(count)]


def _phi(rng: random.Random, templates: tuple[tuple[str, str], ...], count: int,
         book: list[dict[str, str]]) -> list[dict[str, str]]:  # fmt: skip
    return [{"kind": kind, "subject": _fill(rng, template, book)}
            for kind, template in (templates[i % len(templates)] for i in range(count))]  # fmt: skip


def build() -> dict[str, Any]:
    rng = random.Random(20261201)
    taken: set[str] = set()
    book = _people(rng, 600, taken, org_share=0.25)
    slips = _slips(rng, book, taken)
    ordinary = [p["email"] for p in _people(rng, 500, taken, org_share=0.35)]
    subjects = _subjects(rng, ORDINARY, 500, book)
    phi = _phi(rng, PHI, 200, book)
    held = random.Random(7)
    held_slips = _slips(held, held.sample(book, 100), taken)
    held_ordinary = [p["email"] for p in _people(held, 100, taken, org_share=0.5)]
    return {
        "about": __doc__.split("\n\n")[0].strip() if __doc__ else "",
        "today": TODAY,
        "book": book,
        "slips": slips,
        "ordinary_addresses": ordinary,
        "ordinary_subjects": subjects,
        "phi_subjects": phi,
        "held_out": {
            "slips": held_slips,
            "ordinary_addresses": held_ordinary,
            "ordinary_subjects": _subjects(held, HELD_OUT_ORDINARY, 50, book),
            "phi_subjects": _phi(held, HELD_OUT_PHI, 30, book),
        },
    }


def render() -> str:
    return json.dumps(build(), indent=1, ensure_ascii=False) + "\n"


def main() -> int:
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(render(), encoding="utf-8")
    print(f"wrote {OUTPUT}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
