"""The PHI guard: patient data in a subject line, which notification mails and mailbox lists show.

Encryption protects the body; the subject of a secure message still appears in the recipient's
notification and inbox list. The guard looks for dates of birth, US social security numbers,
medical record numbers, phone numbers and the names of address-book people, and says which rule
matched, where, and what to do. Rules are data (``resources/guard/phi-rules.json``, replaceable
by an administrator through the ``guard_rules`` setting): each has an id, a kind, an action and
plain words. Ordinary subjects ("Invoice 2026-1141", "Your appointment on 12/03", "Room 214")
must not trip it: a guard that cries wolf gets overridden by habit.
"""

from __future__ import annotations

import functools
import itertools
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from desktop_app.core.errors import KnownError


class GuardRulesError(KnownError, ValueError):
    """The rules file cannot be used; the words say which rule and what is wrong."""


class Action(StrEnum):
    BLOCK = "block"  # not sent until the rule is overridden, with a reason (audited)
    SECURE_NOTIFICATION = "require_secure_notification"  # sent only with a secure notification
    WARN = "warn"  # said, and sent


class Kind(StrEnum):
    DATE_OF_BIRTH = "date_of_birth"
    SSN = "ssn"
    PATTERN = "pattern"  # a regular expression: medical record numbers, or a site's own identifiers
    PHONE = "phone"
    CONTACT_NAME = "contact_name"


FIELDS = ("subject", "body")

_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTH = r"(?P<mon>jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_DATES = re.compile(
    r"(?<![\w/.-])(?:"
    r"(?P<y1>(?:19|20)\d\d)[-/.](?P<m1>\d{1,2})[-/.](?P<d1>\d{1,2})"  # 1962-03-14
    r"|(?P<a>\d{1,2})[-/.](?P<b>\d{1,2})[-/.](?P<y2>\d{4}|\d{2})"  # 03/14/1962, 14.03.62
    rf"|{_MONTH}\s+(?P<d3>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y3>\d{{4}})"  # March 14, 1962
    rf"|(?P<d4>\d{{1,2}})(?:st|nd|rd|th)?\s+{_MONTH.replace('mon', 'mon4')}\s+(?P<y4>\d{{4}})"  # 14 Mar 1962
    r")(?![\w/-]|\.\d)",
    re.IGNORECASE,
)
_BIRTH_WORDS = re.compile(r"(?:\bd\.?o\.?b\b\.?|date\s+of\s+birth|birth\s*date|\bborn\b|\bb\.)\W{0,3}$", re.I)
_BARE_YEAR = re.compile(r"(?:\bd\.?o\.?b\b\.?|date\s+of\s+birth|birth\s*date|\bborn\b|\bb\.)\W{0,3}((?:19|20)\d\d)\b",
                        re.I)  # fmt: skip
_EVENT_WORDS = re.compile(
    r"\b(?:on|for|from|since|until|dated?|visit|appt|appointment|service|services|statement|invoice|"
    r"order|week|of|due|by|through|thru|before|after|starting|effective)\W{0,3}$",
    re.IGNORECASE,
)
_SSN = re.compile(r"(?<![\w-])(\d{3})([- ])(\d{2})\2(\d{4})(?![\w-])")
_SSN_WORDS = re.compile(
    r"\b(?:ssn|ss#|soc(?:ial)?\.?\s*sec(?:urity)?(?:\s*(?:no|number|#))?)\W{0,3}(\d[\d -]{7,10}\d)\b", re.IGNORECASE
)
_WORDS = re.compile(r"[^\W\d_]+(?:['\u2019-][^\W\d_]+)*")
_SSN_SHAPE = bytes.maketrans(b"0123456789", b"dddddddddd")
"""For :func:`_may_hold_ssn`: ASCII digits become ``d``, all else stays itself (a byte table: C speed)."""
_SSN_KEYWORDS = (b"ssn", b"ss#", b"soc")
"""What every match of ``_SSN_WORDS`` begins with, in lower case."""
_SSN_KEYWORD_LETTER = re.compile("[snoc#]", re.IGNORECASE)
_ASCII_BYTES = bytes(range(128))


@dataclass(frozen=True)
class GuardRule:
    """One rule of the rules file; ``options`` holds the kind's own settings (a pattern, a region)."""

    id: str
    kind: Kind
    action: Action
    words: str
    fields: tuple[str, ...] = ("subject",)
    options: Mapping[str, Any] = field(default_factory=dict)
    pattern: re.Pattern[str] | None = None


@dataclass(frozen=True)
class GuardHit:
    """Where a rule matched: the field, the span (for highlighting) and the text matched."""

    rule: GuardRule
    field: str
    start: int
    end: int
    text: str

    @property
    def summary(self) -> str:
        return f"{self.rule.words} (rule “{self.rule.id}”, matched “{self.text}” in the {self.field})"

    @property
    def stops(self) -> bool:
        return self.rule.action is not Action.WARN


class NameIndex:
    """Full names of address-book people (two words or more), found in text as "Jane Doe" or "Doe, Jane"."""

    def __init__(self, names: Iterable[str]) -> None:
        self._pairs: set[tuple[str, str]] = set()
        for name in names:
            words = [_fold(w) for w in _WORDS.findall(name)]
            words = [w for w in words if len(w) > 1]
            if len(words) >= 2:
                self._pairs.add((words[0], words[-1]))
                self._pairs.add((words[-1], words[0]))

    def __len__(self) -> int:
        return len(self._pairs) // 2

    def find(self, text: str) -> list[tuple[int, int]]:
        if not self._pairs:
            return []
        found = []
        words = [(m.start(), m.end(), _fold(m.group())) for m in _WORDS.finditer(text)]
        for (start, _, first), (_, end, second) in itertools.pairwise(words):
            if (first, second) in self._pairs:
                found.append((start, end))
        return found


def _fold(word: str) -> str:
    return unicodedata.normalize("NFKD", word).encode("ascii", "ignore").decode("ascii").casefold()


class GuardRules:
    """A parsed, checked rules file; :meth:`check` runs every rule on a subject (and body)."""

    def __init__(self, rules: Iterable[GuardRule]) -> None:
        self.rules = tuple(rules)

    @classmethod
    def from_json(cls, data: object) -> GuardRules:
        if not isinstance(data, dict) or not isinstance(data.get("rules"), list):
            raise GuardRulesError('the rules file should be a JSON object with a "rules" list')
        rules = [_rule(index, item) for index, item in enumerate(data["rules"], 1)]
        ids = [rule.id for rule in rules]
        if len(set(ids)) != len(ids):
            raise GuardRulesError(f"two rules share the id “{next(i for i in ids if ids.count(i) > 1)}”")
        return cls(rules)

    @property
    def reads_body(self) -> bool:
        """Whether any rule looks at the body (most look at the subject alone)."""
        return any("body" in rule.fields for rule in self.rules)

    def get(self, rule_id: str) -> GuardRule | None:
        return next((rule for rule in self.rules if rule.id == rule_id), None)

    def check(self, subject: str, body: str = "", *, names: NameIndex | None = None,
              today: date | None = None) -> list[GuardHit]:  # fmt: skip
        """Every match of every rule, in the order of the rules file (each rule's subject, then body)."""
        today = today or date.today()
        found = [self._found(where, text, names, today) for where, text in (("subject", subject), ("body", body))]
        return [hit for index in range(len(self.rules)) for hits in found for hit in hits[index]]

    def _found(self, where: str, text: str, names: NameIndex | None, today: date) -> list[tuple[GuardHit, ...]]:
        """Each rule's hits in ``text`` read as the ``where`` field (none for a rule that skips it)."""
        return [
            tuple(GuardHit(rule, where, s, e, text[s:e]) for s, e in _outermost(spans))
            if where in rule.fields and text and (spans := _spans(rule, text, names, today))
            else ()
            for rule in self.rules
        ]


class RememberingRules(GuardRules):
    """The same rules for one run over many messages, reading each distinct subject (or body) once.

    A mail merge's rows often share their subject ("Your appointment on {{date}}": a few dozen
    subjects for thousands of rows), and the rules are a pure function of the text, the field, the
    names index and the day. At most :data:`REMEMBERED_TEXTS` texts are kept (bodies can be long),
    so memory stays bounded whatever the run; past that, the rest are read as before."""

    def __init__(self, rules: GuardRules) -> None:
        super().__init__(rules.rules)
        self._found_in: dict[tuple[str, str, NameIndex | None, date], list[tuple[GuardHit, ...]]] = {}

    def _found(self, where: str, text: str, names: NameIndex | None, today: date) -> list[tuple[GuardHit, ...]]:
        key = (where, text, names, today)
        found = self._found_in.get(key)
        if found is None:
            found = super()._found(where, text, names, today)
            if len(self._found_in) < REMEMBERED_TEXTS:
                self._found_in[key] = found
        return found


REMEMBERED_TEXTS = 512
"""How many texts a :class:`RememberingRules` keeps: a 10 KB body read by a rule makes that at most ~5 MB."""


def _rule(index: int, item: object) -> GuardRule:
    if not isinstance(item, dict):
        raise GuardRulesError(f"rule {index} is not an object")
    rule_id = item.get("id")
    if not isinstance(rule_id, str) or not re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,40}", rule_id):
        raise GuardRulesError(f"rule {index} needs an id of lower-case letters, digits, - or _")
    try:
        kind = Kind(str(item.get("kind")))
        action = Action(str(item.get("action")))
    except ValueError:
        raise GuardRulesError(
            f"rule “{rule_id}”: kind should be one of {', '.join(Kind)} and action one of {', '.join(Action)}"
        ) from None
    words = item.get("words")
    if not isinstance(words, str) or not words.strip():
        raise GuardRulesError(f"rule “{rule_id}” needs words that tell the user what was found and what to do")
    fields = item.get("fields", ["subject"])
    if not isinstance(fields, list) or not fields or not set(fields) <= set(FIELDS):
        raise GuardRulesError(f"rule “{rule_id}”: fields should list subject and/or body")
    pattern = None
    if kind is Kind.PATTERN:
        text = item.get("pattern")
        if not isinstance(text, str) or not text:
            raise GuardRulesError(f"rule “{rule_id}” is a pattern rule without a pattern")
        try:
            pattern = re.compile(text, re.IGNORECASE)
        except re.error as error:
            raise GuardRulesError(
                f"rule “{rule_id}”: the pattern is not a valid regular expression ({error})"
            ) from None
    options = {k: v for k, v in item.items() if k not in ("id", "kind", "action", "words", "fields", "pattern")}
    return GuardRule(rule_id, kind, action, words.strip(), tuple(fields), options, pattern)


def _spans(rule: GuardRule, text: str, names: NameIndex | None, today: date) -> list[tuple[int, int]]:
    if rule.kind is Kind.DATE_OF_BIRTH:
        return _birth_dates(text, today, int(rule.options.get("min_age_years", 3)))
    if rule.kind is Kind.SSN:
        shaped, worded = _may_hold_ssn(text)
        spans = [m.span() for m in _SSN.finditer(text)] if shaped else []
        if worded:
            spans += [m.span(1) for m in _SSN_WORDS.finditer(text) if len(re.sub(r"\D", "", m.group(1))) == 9]
        return spans
    if rule.kind is Kind.PATTERN:
        assert rule.pattern is not None
        return [m.span(1 if m.re.groups else 0) for m in rule.pattern.finditer(text)]
    if rule.kind is Kind.PHONE:
        return _phone_numbers(text, str(rule.options.get("region", "US")))
    return names.find(text) if names is not None else []


_DATE_OR_TIME = re.compile(
    r"(?<!\d)(?<!\d[-/.])(?:"
    r"\d{1,2}:\d\d(?:\s?[-\u2013]\s?\d{1,2}:\d\d)?"  # 09:30, 08:00-17:30
    r"|\d{1,4}([-/.])\d{1,2}\1(?:\d{4}|\d{2})(?:\s?[-\u2013]\s?\d{1,4}([-/.])\d{1,2}\2(?:\d{4}|\d{2}))?"  # 2027-01-05
    r"|\d{1,2}/\d{1,2}(?:-\d{1,2}/\d{1,2}(?:/\d{4}|/\d{2})?)?"  # 12/03, 1/5-1/7/2027
    r")(?![-/.]?\d)"
)
"""Where a text is cut for the phone matcher's second look: a date (one separator, a year of two or
four digits) or a time of day, a range of them as one, standing apart from other digits. A date glued
to a digit run ("Claim 2027-01-05-2125550100", "PO 2027/01/05/1234") is a reference, not cut: its
digits are no phone number, and a cut inside "901820-1/5/2027" would take a number's digits with it."""


def _phone_numbers(text: str, region: str) -> list[tuple[int, int]]:
    """The matcher's phone numbers, and those it drops because a date or a time stands beside them.

    phonenumbers skips a whole candidate that holds a slash date ("Appt 1/5/2027 201-555-0143") or
    ends in a time stamp ("call 201-555-0143 2027-01-05 09:30"), and reads a time's minutes as the
    start of a longer number ("09:30 201 555 0143"), so the number goes unreported. Each stretch
    between dates and times is read again on its own, and what it finds counts where it overlaps
    nothing the whole text showed: a second look adds numbers, and never hides or reshapes one the
    matcher reports (tests/unit/test_phi_guard.py builds such texts at random)."""
    if not _may_hold_phone_number(text, region):
        return []
    whole = _matcher_spans(text, region)
    cuts = list(_DATE_OR_TIME.finditer(text))
    if not cuts:
        return whole
    found = list(whole)
    starts, ends = [0, *(cut.end() for cut in cuts)], [*(cut.start() for cut in cuts), len(text)]
    for start, end in zip(starts, ends, strict=True):
        if _DIGIT.search(text, start, end) is None:  # most pieces: the words around an appointment's time
            continue
        for s, e in _matched_phone_numbers(text[start:end], region):
            if all(start + e <= a or b <= start + s for a, b in whole):
                found.append((start + s, start + e))
    return sorted(found)


def _matched_phone_numbers(text: str, region: str) -> list[tuple[int, int]]:
    """Exactly what phonenumbers' matcher finds (at leniency VALID), asked only where it may find something."""
    return _matcher_spans(text, region) if _may_hold_phone_number(text, region) else []


def _matcher_spans(text: str, region: str) -> list[tuple[int, int]]:
    import phonenumbers

    matcher = phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.VALID)
    return [(m.start, m.end) for m in matcher]


def _may_hold_ssn(text: str) -> tuple[bool, bool]:
    """Whether ``_SSN`` and ``_SSN_WORDS`` could match at all: False only where they cannot.

    The SSN rule reads bodies, and its two patterns walk a 10 KB letter in ≈ 0.45 ms, for every row
    of a mail merge. The text is looked at as ASCII bytes first, at C speed: ``_SSN`` needs
    ``ddd-dd-dddd`` or ``ddd dd dddd`` and ``_SSN_WORDS`` begins with one of its keywords. A letter
    other than ASCII (a patient's name) cannot be part of either unless it is a digit of another
    script or matches s, n, o, c or # ignoring case (the long s does): then the patterns decide.
    tests/unit/test_phi_guard.py compares both ways on generated text."""
    if text.isascii():
        view = text.encode("ascii")
    else:
        others = set(text.encode("utf-8").translate(None, _ASCII_BYTES).decode("utf-8"))
        if any(c.isdecimal() or _SSN_KEYWORD_LETTER.match(c) for c in others):
            return True, True
        view = text.encode("ascii", "replace")
    shape, lowered = view.translate(_SSN_SHAPE), view.lower()
    return b"ddd-dd-dddd" in shape or b"ddd dd dddd" in shape, any(word in lowered for word in _SSN_KEYWORDS)


INTERNATIONAL_MIN_DIGITS = 6
"""The fewest digits of a valid number written with a country code (+43 and a 4-digit number);
tests/unit/test_phi_guard.py recomputes it from phonenumbers' metadata."""
_PLUS = "+\uff0b"


@functools.cache
def _stretch_pattern() -> re.Pattern[str] | None:
    """Runs of what a phone number may be written with (digits, the matcher's punctuation, plus
    signs): every stretch the matcher tries lies inside one of them.

    Read from core/phone_facts.py when it was written for the installed phonenumbers, which then
    loads only for a text with digits enough for a number (its tables cost ≈ 25 ms, and most
    subjects have none); else from phonenumbers itself."""
    if _phone_facts() is not None:
        from desktop_app.core.phone_facts import VALID_PUNCTUATION

        punctuation: object = VALID_PUNCTUATION
    else:
        import phonenumbers

        punctuation = getattr(phonenumbers.phonenumberutil, "_VALID_PUNCTUATION", None)
    if not isinstance(punctuation, str):
        return None
    # The punctuation is phonenumbers' own character-class text (ranges such as U+2010-U+2015, escaped
    # brackets): used as such, not escaped, and case-blind as the matcher reads it ("X" is an "x").
    return re.compile("[" + punctuation + "\\d" + re.escape(_PLUS) + "]+", re.IGNORECASE)  # it opens with "-"


@functools.cache
def _phone_facts() -> dict[str, tuple[int, str]] | None:
    """core/phone_facts.py's table if it was written from the phonenumbers installed here, else None.

    Which version is installed is read from its metadata directory's name, beside the package (a
    look at two paths): importing phonenumbers to ask is what the table saves."""
    import importlib.util
    import os

    from desktop_app.core import phone_facts

    spec = importlib.util.find_spec("phonenumbers")
    if spec is None or not spec.origin:
        return None
    site = os.path.dirname(os.path.dirname(spec.origin))
    if not os.path.isdir(os.path.join(site, f"phonenumbers-{phone_facts.VERSION}.dist-info")):
        return None
    return phone_facts.REGIONS


_NOT_DIGITS = re.compile(r"\D")
_DIGIT = re.compile(r"\d")
_FOUR_DIGITS = re.compile(r"\d(?:\D*\d){3}")


@functools.lru_cache(maxsize=16)
def _region_limits(region: str) -> tuple[int, re.Pattern[str] | None] | None:
    """(the fewest digits of a valid national number, the international dialling prefix) of a region."""
    facts = _phone_facts()
    if facts is not None:
        if region not in facts:
            return None
        national_min, prefix = facts[region]
        return national_min, re.compile(prefix) if prefix else None
    import phonenumbers

    metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
    if metadata is None or metadata.general_desc is None or not metadata.general_desc.possible_length:
        return None
    pattern = re.compile(metadata.international_prefix) if metadata.international_prefix else None
    return min(metadata.general_desc.possible_length), pattern


def _may_hold_phone_number(text: str, region: str) -> bool:
    """False only when no stretch of the text has digits enough for a valid number.

    The matcher validates every digit run it finds against the region's numbering plan, which is
    slow (a mail merge checks 50,000 subjects full of dates and references); a run without a
    plus or the region's international prefix needs at least the region's shortest national
    number, one with them at least :data:`INTERNATIONAL_MIN_DIGITS`. Same answers, fewer checks
    (tests compare both on generated text), with one exception kept on purpose: the matcher also
    accepts the shorter numbers of another region with the same country code, so region US finds
    Canada's 7-digit service numbers (310-xxxx). No patient has one; counting them would send every
    subject with a date ("2026-12-03", eight digits) to the matcher."""
    limits, stretches = _region_limits(region), _stretch_pattern()
    if stretches is None or limits is None:
        return True
    national_min, international_prefix = limits
    for stretch in stretches.finditer(text):
        digits = _NOT_DIGITS.sub("", stretch.group())  # the same characters as str.isdecimal keeps
        if len(digits) >= national_min:
            return True
        international = any(ch in _PLUS for ch in stretch.group()) or (
            international_prefix is not None and international_prefix.match(digits) is not None
        )
        if international and len(digits) >= INTERNATIONAL_MIN_DIGITS:
            return True
    return False


def _outermost(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Each matched stretch once: a span inside another (two detectors on one number) is dropped."""
    kept: list[tuple[int, int]] = []
    for start, end in sorted(set(spans), key=lambda span: (span[0], -span[1])):
        if not kept or start >= kept[-1][1]:
            kept.append((start, end))
    return kept


def _birth_dates(text: str, today: date, min_age: int) -> list[tuple[int, int]]:
    """Dates said to be a birth date, and full dates old enough to be one that no event word introduces."""
    if _FOUR_DIGITS.search(text) is None:  # every date and bare year written holds four digits at least
        return []
    spans = []
    for match in _DATES.finditer(text):
        day = _date(match, today)
        if day is None or day > today:
            continue
        before = text[max(0, match.start() - 24) : match.start()]
        said = _BIRTH_WORDS.search(before) is not None
        if said or (today.year - day.year >= min_age and not _EVENT_WORDS.search(before)):
            spans.append(match.span())
    spans.extend(m.span(1) for m in _BARE_YEAR.finditer(text) if int(m.group(1)) <= today.year)
    return spans


def _date(match: re.Match[str], today: date) -> date | None:
    """The date a match names (month first for 03/04/1962, as US clinics write), or None if none."""
    g = match.groupdict()
    try:
        if g["y1"]:
            return date(int(g["y1"]), int(g["m1"]), int(g["d1"]))
        if g["y2"]:
            year = int(g["y2"])
            if len(g["y2"]) == 2:
                year += 1900 if year > today.year % 100 else 2000
            first, second = int(g["a"]), int(g["b"])
            month, day = (first, second) if first <= 12 else (second, first)
            return date(year, month, day)
        mon = g["mon"] or g["mon4"]
        return date(int(g["y3"] or g["y4"]), _MONTHS.index(mon[:3].lower()) + 1, int(g["d3"] or g["d4"]))
    except ValueError:
        return None
