"""The one text check: bytes that must be UTF-8 text (an article, a YAML file, a CSV).

A text is refused when it is another encoding (UTF-16, Latin-1...), starts with a
byte-order mark (unless the format allows one, as YAML does), holds NUL bytes or control
characters (binary data), or, unless allowed, is empty. Markup is text like any other.

What texts allow is what YAML allows: of the C0 control characters only tab, line feed
and carriage return, and no DEL (NOT_TEXT). The same rule serves the article texts, the
YAML files and the values written in them as escapes (build/read/seeds.py), so every
stretch of a text can be quoted in an annotation. A form feed is refused with the rest:
YAML cannot hold one raw, and in a report it is a page break left by a print or PDF
export, not the report's words."""

import re
from typing import NamedTuple

# What no text holds: C0 control characters but tab, line feed and carriage return, DEL,
# and lone surrogates (only an escape in YAML can write one: UTF-8 cannot encode them).
NOT_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def not_text_message(character, holder, where):
    """The one message for a character NOT_TEXT refuses: `holder` ("the file", "the value")
    holds it `where` ("at character 12 (line 1)", "(written as an escape)")."""
    if "\ud800" <= character <= "\udfff":
        return (
            f"the escape \\u{ord(character):04X} is half of a surrogate pair, not a character: "
            "write the character itself"
        )
    return (
        f"{holder} holds the control character U+{ord(character):04X} {where}: texts and seeds "
        "allow no control character but tab, line feed and carriage return; remove it"
    )


class TextProblem(NamedTuple):
    """Why bytes are not text: the line in the file (1-based) and what to do."""

    line: int
    message: str


def decode_text(data, what, *, allow_bom=False, allow_empty=False):
    """(text, None) when data is UTF-8 text, else (None, TextProblem). `what` names the
    file in the message ("the file", "texts/x.txt"). With allow_bom a leading UTF-8
    byte-order mark is kept in the text for the caller's parser."""
    if data.startswith(UTF16_BOMS):
        return None, TextProblem(
            1, f"{what} is UTF-16 (it starts with a UTF-16 byte-order mark): save it as UTF-8"
        )
    if b"\0" in data:  # NOT_TEXT too, but in bytes a NUL means binary data or UTF-16: said so
        at = data.index(b"\0")
        line = data.count(b"\n", 0, at) + 1
        return None, TextProblem(
            line,
            f"{what} holds NUL bytes (the first at byte offset {at}, line {line}): "
            "it is binary data (or UTF-16), not text; save it as plain UTF-8 text",
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        return None, TextProblem(
            line,
            f"{what} is not valid UTF-8 ({error.reason}: byte 0x{data[error.start]:02X} at byte offset "
            f"{error.start}, line {line}); it looks like another encoding (Latin-1, Windows-1252?): save it as UTF-8",
        )
    if text.startswith("\ufeff") and not allow_bom:
        return None, TextProblem(
            1,
            f"{what} starts with a byte-order mark (U+FEFF), which would become an invisible first "
            "character of the text: save it as UTF-8 without a BOM",
        )
    control = NOT_TEXT.search(text)
    if control:
        line = text.count("\n", 0, control.start()) + 1
        where = f"at character {control.start()} (line {line})"
        return None, TextProblem(line, not_text_message(control.group(), what, where))
    if not allow_empty and not text.strip():
        return None, TextProblem(
            1, f"{what} is empty: put the article's text there, exactly as received"
        )
    return text, None
