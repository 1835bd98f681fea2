"""Checks of values as strict as their schema types, and the cross-checks a curator
expects, each a small function returning the message of what is wrong (or None), for
build/check/assemble.py to report at the seed file and line, never at data/*.csv:

- a link (a column of format uri) is a web address: http or https, with a host, no
  spaces or control characters (`javascript:alert(1)` was published as a link);
- an article's outlet is someone who publishes: not a person, a country or an
  anonymous source (an outlet that is a person passed);
- the extractor scores (seeds/extractor_scores.csv) have the schema's header, one row per
  score_id, and every value within its column's constraints (`nan` was published as a
  score; a duplicate row and a renamed header were tracebacks).
"""

import math
import re
import urllib.parse

from build import schema
from build.problems import Problem

# Kinds of actor that cannot be an article's outlet (the schema's kinds of actors).
NOT_OUTLETS = frozenset({"person", "unidentified_person", "anonymous_source", "country"})
MAX_URL_CHARS = 2_000
MAX_SCORE_CELL = 1_000  # characters in a cell of the extractor scores
URL_FORBIDDEN = re.compile(r"[\x00-\x20\x7f<>\"\\]")


def web_url_problem(value):
    """Why value is not a web address (http or https, with a host), or None."""
    if len(value) > MAX_URL_CHARS:
        return f"a web address of {len(value):,} characters: at most {MAX_URL_CHARS:,}"
    if URL_FORBIDDEN.search(value):
        return f'{value[:80]!r} holds a space, a control character or one of <>"\\: a web address holds none (encode them as %20 ...)'
    try:
        parts = urllib.parse.urlsplit(value)
        port = parts.port
    except ValueError as error:
        return f"{value[:80]!r} is not a web address ({error})"
    if parts.scheme.lower() not in ("http", "https"):
        scheme = f"a {parts.scheme}: link" if parts.scheme else "no http:// or https://"
        return f"{value[:80]!r} is not a web address ({scheme}): give the http:// or https:// address of the page"
    if not parts.hostname or port == 0:
        return (
            f"{value[:80]!r} names no host: give the whole address, like https://example.org/page"
        )
    return None


def outlet_problem(outlet, actors):
    """Why the actor `outlet` cannot be an article's outlet, or None."""
    kind = actors.get(outlet, {}).get("kind")
    if kind in NOT_OUTLETS:
        what = kind.replace("_", " ")
        return f"actor {outlet!r} is {'an' if what[0] in 'aeiou' else 'a'} {what}, not an outlet: the outlet is who published the article (kind outlet, agency, ...); a person the article quotes is a citation's source"
    return None


def stance_problem(stance, citation):
    """Why a mention's stance does not fit its citation, or None."""
    if stance == "asserts" and citation:
        return f"stance asserts is the article's own voice, but the mention rests on citation {citation!r}: make it 'reports' or 'attributes', or remove the citation"
    return None


def medium_basis_problem(entry):
    """Why an item's medium_basis does not fit its medium, or None."""
    if entry.get("medium") == "unspecified" and entry.get("medium_basis"):
        return "the medium is unspecified, so nothing is stated or inferred about it: remove medium_basis, or name the medium"
    return None


def quote_end_problem(entry, start, end):
    """Why the given `end` of a located quote is wrong, or None (start is checked apart)."""
    given = entry.get("end")
    if given is None or end is None or given == end:
        return None
    return f"the quote ends at {end}, not {given} (start + the quote's length in characters): correct start and end, or remove them (the build finds the quote)"


def scores_header_problems(header, file):
    """Problems with the header of the extractor scores: the schema's columns, each once."""
    expected = [f["name"] for f in schema.fields("extractor_scores")]
    if header is None:
        return [
            Problem(file, 1, "", "the file has no header: run `make evaluate` to write it afresh")
        ]
    problems = []
    missing = [name for name in expected if name not in header]
    unknown = [name for name in header if name not in expected]
    doubled = sorted({name for name in header if header.count(name) > 1})
    if missing:
        problems.append(
            Problem(
                file,
                1,
                "",
                f"the header lacks {', '.join(missing)} (renamed?): expected {', '.join(expected)}; run `make evaluate`",
            )
        )
    if unknown:
        problems.append(
            Problem(
                file,
                1,
                "",
                f"unknown column(s) {', '.join(map(repr, unknown))}: expected {', '.join(expected)}; run `make evaluate`",
            )
        )
    if doubled:
        problems.append(
            Problem(file, 1, "", f"column(s) {', '.join(doubled)} given twice in the header")
        )
    return problems


def score_value_problem(name, kind, constraints, value):
    """(typed value, message) of one score cell against its column; message None when good."""
    if value is None:
        return None, (
            "required, but empty: run `make evaluate`" if constraints.get("required") else None
        )
    if len(value) > MAX_SCORE_CELL:
        return (
            None,
            f"a cell of {len(value):,} characters: at most {MAX_SCORE_CELL:,}; run `make evaluate` to write this file afresh",
        )
    if kind == "integer":
        if not re.fullmatch(r"[0-9]+", value):
            return (
                None,
                f"expected a whole number from 0, got {value[:40]!r}: run `make evaluate` to write this file afresh",
            )
        typed = int(value)
    elif kind == "number":
        try:
            typed = float(value)
        except ValueError:
            typed = None
        if typed is None or not math.isfinite(typed) or not re.fullmatch(r"[0-9.eE+-]+", value):
            return (
                None,
                f"expected a number, got {value[:40]!r}: run `make evaluate` to write this file afresh",
            )
    else:
        typed = value
    if "enum" in constraints and typed not in constraints["enum"]:
        return None, f"{value[:40]!r} is not one of: {', '.join(map(str, constraints['enum']))}"
    if "minimum" in constraints and typed < constraints["minimum"]:
        return None, f"{value} is below {constraints['minimum']}"
    if "maximum" in constraints and typed > constraints["maximum"]:
        return None, f"{value} is above {constraints['maximum']}"
    if (
        kind in ("integer", "number")
        and name in ("precision", "recall", "f1")
        and not 0 <= typed <= 1
    ):
        return None, f"{value} is not a score from 0 to 1"
    return typed, None


def html_problem(html):
    """Why HTML that Datasette shows as it is (metadata.yml's description_html) is unsafe,
    or None: what nh3 (the Ammonia sanitiser) would remove from it, as tags and attributes:
    scripts, event handlers (onerror=...), styles, javascript: links, frames, forms."""
    import nh3  # only where metadata.yml is checked

    attributes = {tag: set(names) for tag, names in nh3.ALLOWED_ATTRIBUTES.items()}
    attributes["*"] = {"class", "title", "lang", "dir"}
    cleaned = nh3.clean(
        html, attributes=attributes, link_rel=None, url_schemes={"http", "https", "mailto"}
    )
    given, kept = _markup(html), _markup(cleaned)
    removed = [item for item in given if item not in kept]
    if not removed:
        return None
    shown = ", ".join(dict.fromkeys(removed))
    return f"HTML a visitor's browser would run or that is not allowed here: {shown[:300]}; keep to text, links (http, https, relative), lists, paragraphs and emphasis"


def _markup(html):
    """The tags and (tag, attribute=value) pairs of some HTML, as a sanitiser compares them."""
    from html.parser import HTMLParser

    found = []

    class Collect(HTMLParser):
        def handle_starttag(self, tag, attrs):
            found.append(f"<{tag}>")
            found.extend(f"<{tag} {name}={value!r}>" for name, value in attrs)

    parser = Collect(convert_charrefs=True)
    parser.feed(html)
    parser.close()
    return found
