"""Redaction of personal data and secrets in free text (prompts, answers, feedback).

`redact` replaces each finding with a typed placeholder:

    <URL_CREDENTIALS>  the user-info part of a URL: https://<URL_CREDENTIALS>@host
    <TOKEN>            JWTs (eyJ...eyJ...sig) and the token of `Bearer ...`
                       or `Authorization: Basic ...`
    <API_KEY>          provider key shapes (sk-..., AKIA..., ghp_..., xoxb-...,
                       AIza..., ...) and long random values after api_key= /
                       token= / secret= ...
    <EMAIL>            addresses with a dotted domain and an alphabetic TLD
    <IBAN>             ISO 13616 IBANs with a valid length and mod-97 check
    <CARD>             13-19 digit card numbers: known issuer prefix and
                       length, Luhn-valid
    <SSN>              US social security numbers outside the never-issued
                       ranges (area 000, 666, 9xx; group 00; serial 0000)
    <IP>               IPv4 with valid octets (dotted quads like 1.2.3.4 are
                       addresses, whatever the sentence calls them), IPv6
    <PHONE>            international (+ or 00), North American, national
                       numbers with a trunk 0, and other digit runs right
                       after a word such as "phone", "call me", "Telefon", "電話"

Decisions on look-alikes (the labelled corpus in tests/data/pii_corpus.csv
holds a dozen rows per family):

- numbers glued to letters or other numbers (`A123456`, `1Z999AA10123456784`,
  UUIDs, hashes, `v1.2.3.4`) are never split to find something inside;
- a bare digit run without separators is a phone number only after a phone
  word ("call me on 4155550132"); an order number stays an order number;
- a North American number written with spaces only (`415 555 0132`) needs
  `+1`, an area code in parentheses or a phone word before or after it
  ("call me at", "is my number"): lists of quantities look the same; a label
  right before a number ("order", "SKU", "S/N", "ISBN", "no.") makes it a
  reference, not a phone number;
- a number with a trunk 0 (`020 7946 0958`, `01 23 45 67 89`) needs 9 to 12
  digits; `+1` and `+7` numbers need exactly ten national digits;
- ZIP+4 codes (`02139-4307`), dates, times, prices, ISBNs, version strings
  with fewer or more than four parts, MAC addresses and times like `10:30:00`
  stay; `::1` and hex-only `dead::beef` stay (an IPv6 address needs two
  groups and a digit);
- a 16-digit number that fails Luhn, or whose prefix/length belongs to no
  card network, stays; an IBAN-shaped string that fails its check stays and
  is not searched for cards or phones either;
- `user@` without a domain, `@handles`, `pkg@1.2.3`, `logo@2x.png`,
  `git@host:owner/repo.git` and `user@localhost` stay;
- every user-info part of a URL is credentials, with or without a password.

Guarantees: None stays None; any str is accepted (NUL bytes, emoji, RTL,
lone surrogates, very long strings); placeholders are never matched again and
`redact(redact(x)) == redact(x)`. For the last one, finders run in a fixed
order on the text with the earlier placeholders written in, and every
boundary check treats a placeholder like the characters it replaced (a word,
or a number for the numeric kinds), so a second pass sees the same
boundaries as the first.

Linear time: every pattern starts with a lookbehind that stops it from
restarting inside the run it just scanned, its repetitions are bounded or
made of disjoint character classes (no nested ambiguity to backtrack into),
context checks look at a fixed window, and a value that can hold its own
keyword (`token=token=...`) is skipped whole once rejected.

Only the standard library's `re` is used (Python 3.9 or later), so the
module runs unchanged inside Snowflake and DuckDB Python UDFs.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator

KINDS: tuple[str, ...] = (
    "URL_CREDENTIALS",
    "TOKEN",
    "API_KEY",
    "EMAIL",
    "IBAN",
    "CARD",
    "SSN",
    "IP",
    "PHONE",
)
PLACEHOLDERS: dict[str, str] = {kind: f"<{kind}>" for kind in KINDS}

# Placeholders whose original text ends in digits: next to a number they count
# as a number, so a second pass sees the same boundaries as the first.
_NUMERIC_KINDS = ("IBAN", "CARD", "SSN", "IP", "PHONE")

_PLACEHOLDER = re.compile("<(?:" + "|".join(KINDS) + ")>")


def _not_after(chars: str, kinds: Iterable[str] = KINDS) -> str:
    """Lookbehinds: not right after one of `chars` nor after a placeholder."""
    return f"(?<![{chars}])" + "".join(f"(?<!<{kind}>)" for kind in kinds)


def _not_after_number_and_separator(separators: str = " .-") -> str:
    """Lookbehinds: not right after `<digit><separator>` (inside a run of numbers)."""
    return f"(?<![0-9][{separators}])" + "".join(
        f"(?<!<{kind}>[{separators}])" for kind in _NUMERIC_KINDS
    )


def _not_before(chars: str, kinds: Iterable[str] = KINDS) -> str:
    """Lookahead: not right before one of `chars` nor before a placeholder."""
    return f"(?![{chars}]|<(?:{'|'.join(kinds)})>)"


def _not_before_separator_and_number(
    separators: str = ".-", chars: str = "0-9", kinds: Iterable[str] = _NUMERIC_KINDS
) -> str:
    """Lookahead: not right before a separator and then one of `chars` or a placeholder
    of `kinds` (by default a digit or a number: a longer number follows)."""
    return f"(?![{separators}](?:[{chars}]|<(?:{'|'.join(kinds)})>))"


_ALNUM = "A-Za-z0-9_"
_NUM_START = _not_after(_ALNUM + "+./,-") + _not_after_number_and_separator()
_NUM_END = _not_before("0-9") + _not_before_separator_and_number()

# A finder returns (start, end, kind) spans; kind None marks a look-alike that
# later finders must leave alone (a shield), not something to replace.
Span = tuple[int, int, "str | None"]
Finder = Callable[[str, bytearray], Iterator[Span]]


def _scan(
    pattern: re.Pattern[str],
    text: str,
    blocked: bytearray,
    accept: Callable[[re.Match[str]], Span | None],
    skip_rejected: bool = False,
) -> Iterator[Span]:
    """Spans of `pattern` that `accept` validates and that touch no protected span.

    A rejected candidate restarts the search one character later (patterns
    begin with lookbehinds, so a restart inside the candidate fails at once),
    or after the whole candidate with `skip_rejected` (for patterns whose
    keyword can recur inside their own unbounded value); an accepted one
    resumes after the span it produced.
    """
    pos = 0
    while True:
        match = pattern.search(text, pos)
        if match is None:
            return
        span = accept(match)
        if span is None or span[0] >= span[1] or blocked.find(1, span[0], span[1]) != -1:
            pos = match.end() if skip_rejected else match.start() + 1
            continue
        yield span
        pos = max(span[1], match.start() + 1)


# --- URL credentials -------------------------------------------------------------

_URL_CREDENTIALS = re.compile(
    "(?i)" + _not_after("a-z0-9+.-") + r"[a-z][a-z0-9+.-]{0,30}://"
    r"(?P<cred>[^\s/?#@<>\"'`]+(?:@[^\s/?#@<>\"'`]+)*)@(?=[^\s/?#@<>\"'`])"
)


def _find_url_credentials(text: str, blocked: bytearray) -> Iterator[Span]:
    def accept(m: re.Match[str]) -> Span:
        return m.start("cred"), m.end("cred"), "URL_CREDENTIALS"

    return _scan(_URL_CREDENTIALS, text, blocked, accept)


# --- tokens and API keys -------------------------------------------------------------

_TOKEN_CHARS = "A-Za-z0-9_-"
_JWT = re.compile(
    _not_after(_TOKEN_CHARS)
    + r"eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*"
    + _not_before(_TOKEN_CHARS)
)

_PREFIXED_KEY = re.compile(
    _not_after(_TOKEN_CHARS)
    + (
        r"(?:"
        r"(?P<sk>sk-[A-Za-z0-9_-]{20,})"  # OpenAI (sk-, sk-proj-), Anthropic, OpenRouter
        r"|(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{16,}"  # Stripe
        r"|(?:AKIA|ASIA)[0-9A-Z]{16}"  # AWS access key ids
        r"|gh[pousr]_[A-Za-z0-9]{36,}"  # GitHub
        r"|github_pat_[A-Za-z0-9_]{36,}"
        r"|(?P<xox>xox[abposr]-[A-Za-z0-9-]{10,})"  # Slack
        r"|AIza[0-9A-Za-z_-]{35}"  # Google
        r"|glpat-[A-Za-z0-9_-]{20,}"  # GitLab
        r"|hf_[A-Za-z0-9]{30,}"  # Hugging Face
        r"|npm_[A-Za-z0-9]{36}"
        r"|SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}"  # SendGrid
        r")"
    )
    + _not_before(_TOKEN_CHARS)
)

_BEARER = re.compile(
    _not_after(_ALNUM)
    + (
        r"(?:(?P<bearer>[Bb]earer|BEARER)|(?i:authorization)[\"']?\s{0,3}[:=]\s{0,3}[\"']?"
        r"(?:Basic|BASIC|basic))\s{1,4}"
        r"(?P<tok>[A-Za-z0-9._~+/-]{8,}=*)"
    )
    + _not_before(r"A-Za-z0-9._~+/=-")
)

_SECRET_ASSIGNMENT = re.compile(
    "(?i)"
    + _not_after("a-z0-9")
    + (
        r"(?:api[_-]?(?:key|token|secret)|apikey|access[_-]?(?:token|key(?:[_-]?id)?)"
        r"|auth[_-]?token|refresh[_-]?token|id[_-]?token|session[_-]?token"
        r"|client[_-]?secret|secret[_-]?(?:access[_-]?)?key|private[_-]?(?:key|token)"
        r"|token|secret)"
        r"[\"']?\s{0,3}[:=]\s{0,3}[\"']?"
        r"(?P<val>[A-Za-z0-9_.+/=~-]{16,})"
    )
    + _not_before(r"A-Za-z0-9_.+/=~-")
)


def _trim_dots(text: str, start: int, end: int) -> int:
    """End of a token without trailing full stops (the sentence's, not the token's)."""
    while end > start and text[end - 1] == ".":
        end -= 1
    return end


def _looks_random(value: str) -> bool:
    """A secret-like value: letters and digits, and many distinct characters."""
    has_digit = any(c.isdigit() for c in value)
    has_alpha = any(c.isalpha() for c in value)
    return has_digit and has_alpha and len(set(value)) >= min(10, len(value) // 2)


def _find_jwts(text: str, blocked: bytearray) -> Iterator[Span]:
    def accept(m: re.Match[str]) -> Span:
        return m.start(), m.end(), "TOKEN"

    return _scan(_JWT, text, blocked, accept)


def _find_prefixed_keys(text: str, blocked: bytearray) -> Iterator[Span]:
    def accept(m: re.Match[str]) -> Span | None:
        loose = m.group("sk") or m.group("xox")
        if loose and not any(c.isdigit() for c in loose):
            return None  # sk-learn-compatible-estimators, xoxo-hugs-and-kisses
        return m.start(), m.end(), "API_KEY"

    return _scan(_PREFIXED_KEY, text, blocked, accept)


def _find_auth_headers(text: str, blocked: bytearray) -> Iterator[Span]:
    def accept(m: re.Match[str]) -> Span | None:
        start = m.start("tok")
        end = _trim_dots(text, start, m.end("tok"))
        token = text[start:end]
        if m.group("bearer"):
            mixed = any(c.isupper() for c in token) and any(c.islower() for c in token)
            if len(token) < 16 or not (mixed or any(c.isdigit() for c in token)):
                return None  # "Bearer authentication", "bearer token"
        return start, end, "TOKEN"

    return _scan(_BEARER, text, blocked, accept)


def _find_secret_assignments(text: str, blocked: bytearray) -> Iterator[Span]:
    def accept(m: re.Match[str]) -> Span | None:
        start = m.start("val")
        end = _trim_dots(text, start, m.end("val"))
        value = text[start:end]
        if len(value) < 16 or not _looks_random(value):
            return None
        return start, end, "API_KEY"

    return _scan(_SECRET_ASSIGNMENT, text, blocked, accept, skip_rejected=True)


# --- email -------------------------------------------------------------------------

_LATIN = "A-Za-z0-9\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f"
_EMAIL = re.compile(
    # The local part starts after a hyphen ("ל-jane@...") but not inside a word.
    _not_after(_LATIN + "._%+")
    + rf"(?P<local>[{_LATIN}_%+][{_LATIN}._%+'-]{{0,63}})@"
    + rf"(?P<domain>(?:[{_LATIN}](?:[{_LATIN}-]{{0,61}}[{_LATIN}])?\.){{1,8}}"
    + r"[A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f]{2,24})"
    + _not_before(_LATIN + "_-")
    + _not_before_separator_and_number(".", "A-Za-z0-9", KINDS)
)
# File extensions that are not top-level domains: `logo@2x.png`, `main@v2.js`.
_FILE_EXTENSION = re.compile(
    r"png|jpe?g|gif|svg|webp|bmp|ico|tiff?|[mc]?js|jsx|tsx?|css|scss|less|html?|json|ya?ml"
    r"|xml|txt|[ct]sv|pdf|lock|exe|dll|so|dylib|tar|t?gz|bz2|wav|flac|ogg|mkv|avi|log|ini"
    r"|cfg|conf|toml|java|kts?|rb|swift|vue|php|sql|ipynb|bak|tmp|swp",
    re.IGNORECASE,
)
_RETINA = re.compile(r"[0-9]+(?:\.[0-9]+)?x\.", re.IGNORECASE)


def _find_emails(text: str, blocked: bytearray) -> Iterator[Span]:
    def accept(m: re.Match[str]) -> Span | None:
        domain = m.group("domain")
        tld = domain.rsplit(".", 1)[1]
        if _FILE_EXTENSION.fullmatch(tld) or _RETINA.match(domain):
            return None
        if m.group("local") == "git" and text.startswith(":", m.end()):
            return None  # an SSH remote, git@github.com:owner/repo.git
        return m.start(), m.end(), "EMAIL"

    return _scan(_EMAIL, text, blocked, accept)


# --- IBAN --------------------------------------------------------------------------

# ISO 13616 registry: country code -> IBAN length.
_IBAN_LENGTHS: dict[str, int] = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22,
    "BH": 22, "BI": 27, "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24,
    "DE": 22, "DJ": 27, "DK": 18, "DO": 28, "EE": 20, "EG": 29, "ES": 24, "FI": 18,
    "FK": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27,
    "GT": 28, "HN": 28, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26,
    "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32, "LI": 21, "LT": 20,
    "LU": 20, "LV": 21, "LY": 25, "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MN": 20,
    "MR": 27, "MT": 31, "MU": 30, "NI": 28, "NL": 18, "NO": 15, "OM": 23, "PK": 24,
    "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "RU": 33, "SA": 24,
    "SC": 31, "SD": 18, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "SO": 23, "ST": 25,
    "SV": 28, "TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20,
    "YE": 30,
}  # fmt: skip
_IBAN = re.compile(
    _not_after("A-Za-z0-9")
    + r"(?P<cc>[A-Za-z]{2})[0-9]{2}(?: ?[A-Za-z0-9]{4}){2,7}(?: ?[A-Za-z0-9]{1,4})?"
)


def _iban_checksum_ok(iban: str) -> bool:
    """ISO 7064 mod 97-10 on the IBAN with its first four characters moved last."""
    if not "02" <= iban[2:4] <= "98":
        return False
    rearranged = iban[4:] + iban[:4]
    remainder = 0
    for char in rearranged:
        value = int(char, 36)  # 0-9 -> 0-9, A-Z -> 10-35
        remainder = (remainder * (100 if value > 9 else 10) + value) % 97
    return remainder == 1


def _find_ibans(text: str, blocked: bytearray) -> Iterator[Span]:
    def accept(m: re.Match[str]) -> Span | None:
        length = _IBAN_LENGTHS.get(m.group("cc").upper())
        if length is None:
            return None
        # Walk to the country's length: the candidate may run on into the next word.
        end, kept, limit = m.start(), 0, m.end()
        while end < limit and kept < length:
            kept += text[end] != " "
            end += 1
        if kept < length or (end < len(text) and text[end].isalnum()):
            return None  # too short, or ends inside a longer word
        if _PLACEHOLDER.match(text, end):
            return None  # glued to a placeholder: as if glued to a word
        iban = text[m.start() : end].replace(" ", "").upper()
        if iban[4:].isalpha():
            return None  # words, not an account number
        kind = "IBAN" if _iban_checksum_ok(iban) else None
        return m.start(), end, kind

    return _scan(_IBAN, text, blocked, accept)


# --- payment cards --------------------------------------------------------------------

_CARD = re.compile(
    # A slash may precede a card (a URL path, "card A/card B"); dates are no cards.
    _not_after(_ALNUM + "+.,-")
    + _not_after_number_and_separator()
    + r"[2-6](?:[ -]?[0-9]){12,18}"
    + _NUM_END
    # Not before a further group of four digits: a longer reference number.
    + r"(?![ -](?:[0-9]{4}|<(?:"
    + "|".join(_NUMERIC_KINDS)
    + r")>))"
)


def _luhn_ok(digits: str) -> bool:
    total = 0
    for i, char in enumerate(reversed(digits)):
        value = ord(char) - 48
        if i % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def _card_network_ok(digits: str) -> bool:
    """Issuer prefix and length of the card networks (IIN ranges)."""
    n = len(digits)
    two, four = digits[:2], digits[:4]
    if digits[0] == "4":  # Visa
        return n in (13, 16, 19)
    if two in ("34", "37"):  # American Express
        return n == 15
    if "51" <= two <= "55" or "2221" <= four <= "2720":  # Mastercard
        return n == 16
    if two in ("36", "38", "39") or "300" <= digits[:3] <= "305":  # Diners
        return 14 <= n <= 19
    if "3528" <= four <= "3589":  # JCB
        return 16 <= n <= 19
    if digits[0] == "6":  # Discover, UnionPay, Maestro
        return 16 <= n <= 19
    if two in ("50", "56", "57", "58"):  # Maestro
        return 13 <= n <= 19
    return False


def _find_cards(text: str, blocked: bytearray) -> Iterator[Span]:
    def accept(m: re.Match[str]) -> Span | None:
        groups = list(re.finditer("[0-9]+", m.group()))
        # The run may end with an expiry or a CVV ("... 1111 12/26"): drop trailing
        # groups until the digits left form a card, or too few digits are left.
        for keep in range(len(groups), 0, -1):
            kept = groups[:keep]
            digits = "".join(g.group() for g in kept)
            if len(digits) < 13:
                return None
            if keep > 1 and min(len(g.group()) for g in kept) < 2:
                continue  # "4 1 1 1 ...": a list of numbers
            if _card_network_ok(digits) and _luhn_ok(digits):
                return m.start(), m.start() + kept[-1].end(), "CARD"
        return None

    return _scan(_CARD, text, blocked, accept)


# --- US social security numbers ---------------------------------------------------------

_SSN = re.compile(
    _NUM_START
    + r"(?!000|666|9)[0-9]{3}(?P<sep>[ -]?)(?!00)[0-9]{2}(?P=sep)(?!0000)[0-9]{4}"
    + _NUM_END
)
_SSN_CONTEXT = re.compile(
    r"(?i)(?<![a-z])(?:ssn|ss#|social\s+security(?:\s+(?:number|no\.?|#))?)[^0-9<>\n]{0,16}\Z"
)


def _find_ssns(text: str, blocked: bytearray) -> Iterator[Span]:
    def accept(m: re.Match[str]) -> Span | None:
        start = m.start()
        if m.group("sep") != "-" and not _SSN_CONTEXT.search(text, max(0, start - 40), start):
            return None  # 123 45 6789 and 123456789 only after "SSN"
        return start, m.end(), "SSN"

    return _scan(_SSN, text, blocked, accept)


# --- IP addresses ---------------------------------------------------------------------

_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])"
_IPV4_TEXT = rf"{_OCTET}(?:\.{_OCTET}){{3}}"
_IPV4 = re.compile(
    _not_after(_ALNUM + ".")
    + _IPV4_TEXT
    + _not_before(_ALNUM)
    + _not_before_separator_and_number(".")
)
_IPV6 = re.compile(
    _not_after(_ALNUM + ":.")
    + rf"(?:[0-9A-Fa-f]{{0,4}}:){{2,7}}(?:{_IPV4_TEXT}|[0-9A-Fa-f]{{1,4}})?"
    + _not_before(_ALNUM + ":")
    + _not_before_separator_and_number(".")
)
_HEX_GROUP = re.compile(r"[0-9A-Fa-f]{1,4}")


def _ipv6_ok(candidate: str) -> bool:
    if candidate.count("::") > 1 or ":::" in candidate:
        return False
    head, compressed, tail = candidate.partition("::")
    groups = (head.split(":") if head else []) + (tail.split(":") if tail else [])
    width = len(groups)
    if groups and "." in groups[-1]:
        groups.pop()  # an embedded IPv4 address, already checked by the pattern
        width += 1
    if not all(_HEX_GROUP.fullmatch(g) for g in groups):
        return False
    if not any(c.isdigit() for c in candidate):
        return False  # dead::beef, a::b
    return 2 <= width <= 7 if compressed else width == 8


def _find_ipv6(text: str, blocked: bytearray) -> Iterator[Span]:
    def accept(m: re.Match[str]) -> Span | None:
        return (m.start(), m.end(), "IP") if _ipv6_ok(m.group()) else None

    return _scan(_IPV6, text, blocked, accept)


def _find_ipv4(text: str, blocked: bytearray) -> Iterator[Span]:
    def accept(m: re.Match[str]) -> Span:
        return m.start(), m.end(), "IP"

    return _scan(_IPV4, text, blocked, accept)


# --- phone numbers ----------------------------------------------------------------------

_PHONE_INTERNATIONAL = re.compile(
    _not_after(_ALNUM + "+)")
    + _not_after_number_and_separator()
    + (
        r"(?P<prefix>\+|00)(?=[1-9])(?:"
        r"[0-9]{1,4}(?P<trunk>[ .-]?\(0\)[ .-]?[0-9]{1,12})?"
        r"(?:[ .-]?\([0-9]{1,5}\)|[ .-][0-9]{1,12}){0,6}"
        r"(?:[ .-]?\([0-9]{2,5}\)|[ .-][0-9]{2,12})"
        r"|(?P<contiguous>[0-9]{8,15})"
        r")"
    )
    + _NUM_END
)
_PHONE_NANP = re.compile(
    _NUM_START
    + (
        r"(?:1[ .-]?)?(?:(?P<paren>\()[2-9][0-9]{2}\)[ .-]?|[2-9][0-9]{2}[ .-])"
        r"[2-9][0-9]{2}[ .-][0-9]{4}"
    )
    + _NUM_END
)
_PHONE_TRUNK = re.compile(
    _NUM_START
    + (
        r"(?:\(0[1-9][0-9]{0,3}\)[ .-]?|0[1-9][0-9]{0,3}[ ./-])"
        r"[0-9]{2,8}(?:[ .-][0-9]{2,8}){0,4}"
    )
    + _NUM_END
)
_PHONE_AFTER_WORD = re.compile(_NUM_START + r"[0-9](?:[ .-]?[0-9]){6,14}" + _NUM_END)
_PHONE_WORDS = (
    r"phone|telephone|tel|mobile|cell|cellphone|call|call\s+me|ring\s+me|text\s+me|txt"
    r"|sms|whatsapp|fax|my\s+number|contact\s+number|reach\s+me"
    r"|tel[eé]fono|m[oó]vil|celular|ll[aá]mame|mi\s+n[uú]mero|telefone|meu\s+n[uú]mero"
    r"|t[eé]l[eé]phone|t[eé]l|portable|appelez[\s-]moi|appelle[\s-]moi|joindre"
    r"|telefon|telefonnummer|handy|handynummer|rufnummer|meine\s+nummer|ruf\s+mich"
    r"|rufen\s+sie\s+mich|telefono|cellulare|il\s+mio\s+numero|chiamami|telefoon|bel\s+me"
    r"|mobiel|телефон|номер\s+телефона|звоните|هاتف|جوال|फ़ोन|फोन|मोबाइल"
)
_PHONE_CONTEXT = re.compile(
    rf"(?i)(?:(?<![^\W\d_])(?:{_PHONE_WORDS})|電話|电话|手机|手機|携帯|전화|휴대폰)"
    r"(?P<gap>[^0-9<>\n]{0,24})\Z"
)
# Words between "call" and a number that make it a reference, not a phone number.
_REFERENCE_WORDS = re.compile(
    r"(?i)order|invoice|ticket|case|ref|tracking|account|acct|id\b|pedido|factura"
    r"|bestell|rechnung|commande|facture|kunden|customer|room|flight|extension|ext\b"
)
# A label right before a number that makes it a reference: "SKU 223-456-7890".
_REFERENCE_LABEL = re.compile(
    r"(?i)(?<![^\W\d_])(?:order|invoice|ref(?:erence)?|serial|s/n|sn|sku|part|model|item"
    r"|tracking|account|acct|iban|isbn|issn|ean|upc|gtin|imei|id|no|nr|n[oº°]|pin|code"
    r"|ticket|case|batch|lot)[\s:#.-]{0,4}\Z"
)
_PHONE_CONTEXT_AFTER = re.compile(
    rf"(?i)[^0-9<>\n]{{0,16}}(?<![^\W\d_])(?:{_PHONE_WORDS})(?![^\W\d_])"
)


def _phone_context(text: str, start: int) -> bool:
    """True when a phone word ends at most a few words before `start`."""
    found = _PHONE_CONTEXT.search(text, max(0, start - 64), start)
    return bool(found) and not _REFERENCE_WORDS.search(found.group("gap"))


def _phone_context_after(text: str, end: int) -> bool:
    """True when a phone word follows `end` within a few words: "... is my number"."""
    return bool(_PHONE_CONTEXT_AFTER.match(text, end, end + 48))


def _reference_label(text: str, start: int) -> bool:
    """True when a label such as "order" or "SKU" sits right before `start`."""
    return bool(_REFERENCE_LABEL.search(text, max(0, start - 24), start))


def _digits(text: str) -> int:
    return sum(c.isdigit() for c in text)


def _international_number_ok(number: str) -> bool:
    """Digit counts of an international number, given without its + or 00."""
    runs = re.findall("[0-9]+", number)
    if len(runs[-1]) < 2:
        return False
    digits = "".join(re.findall("[0-9]+", number.replace("(0)", "")))  # (0): a trunk prefix
    if digits[0] in "17":  # North America and Russia/Kazakhstan: ten national digits
        return len(digits) == 11
    # +10 20 30 40 reads as a list of numbers.
    return 8 <= len(digits) <= 15 and (len(digits) >= 10 or max(len(r) for r in runs) >= 3)


def _find_international_phones(text: str, blocked: bytearray) -> Iterator[Span]:
    def accept(m: re.Match[str]) -> Span | None:
        body = m.start() + len(m.group("prefix"))
        if m.group("contiguous"):
            if m.group("prefix") == "00":
                return None  # 0012345678 is a reference number more often than a phone
            ends = [m.end()]
        else:
            # Longest first, then shorter at each space or parenthesis: the run may
            # go on into another number ("+44 20 7946 0958 (0) 20 7946 0959").
            ends = [m.end()] + [
                i
                for i in range(m.end() - 1, body, -1)
                if text[i] in " (" and text[i - 1] in "0123456789)"
            ]
        for end in ends:
            if _international_number_ok(text[body:end]):
                return m.start(), end, "PHONE"
        return None

    return _scan(_PHONE_INTERNATIONAL, text, blocked, accept)


def _find_nanp_phones(text: str, blocked: bytearray) -> Iterator[Span]:
    def accept(m: re.Match[str]) -> Span | None:
        number = m.group()
        spaced = not any(sep in number for sep in ".-")
        if _reference_label(text, m.start()):
            return None
        bare = spaced and not m.group("paren")
        if bare and not (_phone_context(text, m.start()) or _phone_context_after(text, m.end())):
            return None  # 250 500 1000 is a list of quantities as often as not
        return m.start(), m.end(), "PHONE"

    return _scan(_PHONE_NANP, text, blocked, accept)


_ZIP_PLUS_4 = re.compile(r"0[0-9]{4}-[0-9]{4}")


def _find_trunk_phones(text: str, blocked: bytearray) -> Iterator[Span]:
    def accept(m: re.Match[str]) -> Span | None:
        number = m.group()
        if not 9 <= _digits(number) <= 12 or _ZIP_PLUS_4.fullmatch(number):
            return None
        if _reference_label(text, m.start()):
            return None
        return m.start(), m.end(), "PHONE"

    return _scan(_PHONE_TRUNK, text, blocked, accept)


def _find_phones_after_words(text: str, blocked: bytearray) -> Iterator[Span]:
    def accept(m: re.Match[str]) -> Span | None:
        return (m.start(), m.end(), "PHONE") if _phone_context(text, m.start()) else None

    return _scan(_PHONE_AFTER_WORD, text, blocked, accept)


# --- shields ------------------------------------------------------------------------------

_UUID = re.compile(
    _not_after("A-Za-z0-9-")
    + r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}"
    + _not_before("A-Za-z0-9-")
)


def _find_uuids(text: str, blocked: bytearray) -> Iterator[Span]:
    def accept(m: re.Match[str]) -> Span:
        return m.start(), m.end(), None

    return _scan(_UUID, text, blocked, accept)


# Order matters: a later finder never touches what an earlier one claimed, and
# runs on the text with the earlier placeholders already written in.
_FINDERS: tuple[Finder, ...] = (
    _find_url_credentials,
    _find_jwts,
    _find_prefixed_keys,
    _find_auth_headers,
    _find_secret_assignments,
    _find_emails,
    _find_uuids,
    _find_ibans,
    _find_cards,
    _find_ssns,
    _find_ipv6,
    _find_ipv4,
    _find_international_phones,
    _find_nanp_phones,
    _find_trunk_phones,
    _find_phones_after_words,
)


# A protected span: (start, end, kind, original text). kind None: a shield or a
# placeholder that was already in the input; otherwise a placeholder written here.
_Protected = tuple[int, int, "str | None", "str | None"]


def _rewrite(
    text: str, protected: list[_Protected], found: list[Span]
) -> tuple[str, list[_Protected]]:
    """Write placeholders for `found` and move every protected span accordingly."""
    merged = sorted(
        [(s, e, kind, raw, False) for s, e, kind, raw in protected]
        + [(s, e, kind, None, True) for s, e, kind in found],
        key=lambda item: item[0],
    )
    parts: list[str] = []
    moved: list[_Protected] = []
    pos = shift = 0
    for start, end, kind, raw, new in merged:
        parts.append(text[pos:start])
        new_start = start + shift
        if new and kind is not None:
            placeholder = PLACEHOLDERS[kind]
            parts.append(placeholder)
            moved.append((new_start, new_start + len(placeholder), kind, text[start:end]))
            shift += len(placeholder) - (end - start)
        else:
            parts.append(text[start:end])
            moved.append((new_start, new_start + end - start, kind, raw))
        pos = end
    parts.append(text[pos:])
    return "".join(parts), moved


def _redact(text: str) -> tuple[str, list[tuple[str, str]]]:
    """The redacted text and the findings, (kind, original text), in text order."""
    protected: list[_Protected] = [
        (m.start(), m.end(), None, None) for m in _PLACEHOLDER.finditer(text)
    ]
    for finder in _FINDERS:
        blocked = bytearray(len(text))
        for start, end, _, _ in protected:
            blocked[start:end] = b"\x01" * (end - start)
        found = list(finder(text, blocked))
        if found:
            text, protected = _rewrite(text, protected, found)
    findings = [(kind, raw) for _, _, kind, raw in protected if kind is not None and raw]
    return text, findings


def redact(text: str | None) -> str | None:
    """`text` with personal data and secrets replaced by typed placeholders.

    None stays None. Idempotent: placeholders are never matched again.
    """
    if text is None:
        return None
    return _redact(str(text))[0]


def redact_many(texts: Iterable[str | None]) -> list[str | None]:
    """`redact` applied to each text, in order."""
    return [redact(text) for text in texts]


def find_pii(text: str | None) -> list[tuple[str, str]]:
    """What `redact` would replace, as (kind, matched text) in text order."""
    if text is None:
        return []
    return _redact(str(text))[1]
