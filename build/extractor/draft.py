"""`provenance draft`: read a raw article text, draft its annotation file for review.

Reading (read_article_text) checks the file is article text the extractor can read;
drafting (draft_record) finds the metadata and runs the extractor; writing
(write_draft) puts the YAML beside the curated files, never over one."""

import datetime
import re
from pathlib import Path

import yaml

from build.check.assemble import CONTROL, appearances
from build.extractor.extract import EXTRACTOR_VERSION, extract, slug
from build.problems import BuildError, Problem
from build.read.seeds import sha256

MAX_CHARACTERS = 100_000  # a long feature is ~20,000; more is likely several articles or a dump
ENGLISH_WORDS = frozenset("the of and to in a is that for on was with as by it from has said were his have are be at an".split())

MONTHS = {name: number for number, name in enumerate(
    "january february march april may june july august september october november december".split(), 1)}
UTC_OFFSETS = {"IST": "+05:30", "PKT": "+05:00", "IDT": "+03:00", "GMT": "Z", "UTC": "Z", "BST": "+01:00", "EST": "-05:00", "EDT": "-04:00"}
DATE_LINE = re.compile(r"^\s*date (\d{4}-\d{2}-\d{2})\b")
PUBLISHED_LINE = re.compile(r"^(Published|Updated):?\s+(?:(\d{1,2}):(\d{2})\s+([A-Z]{2,4}),?\s+)?([A-Z][a-z]+) (\d{1,2})(?:st|nd|rd|th)?,? (\d{4})\s*$", re.MULTILINE)
SOURCE_LINE = re.compile(r"^Source:\s*(.+?)\s*$", re.MULTILINE)
SIGN_OFF = re.compile(r"^\((.+?)\)\s*$", re.MULTILINE)


def read_article_text(path, shown):
    """The article's text, or BuildError with one clear problem: missing, empty, binary,
    not UTF-8, too long, or not English."""
    def fail(message, line=None):
        raise BuildError([Problem(shown, line, "", message)])

    try:
        data = Path(path).read_bytes()
    except OSError as error:
        fail(f"cannot read: {error.strerror}")
    if not data.strip():
        fail("the file is empty: put the article's text in it, exactly as received")
    if b"\0" in data or data.startswith((b"\xff\xfe", b"\xfe\xff")):
        fail("the file is binary (it holds NUL bytes), not article text: save the article as plain UTF-8 text")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        fail(f"the file is not UTF-8 text (byte 0x{data[error.start]:02X} at byte offset {error.start}): save it as UTF-8", data.count(b"\n", 0, error.start) + 1)
    control = CONTROL.search(text)
    if control or text.startswith("\ufeff"):
        at = control.start() if control else 0
        fail(f"the file holds the control character U+{ord(text[at]):04X} at character {at}: it is binary data or has a byte-order mark; save the article as plain UTF-8 text", text.count("\n", 0, at) + 1)
    if len(text) > MAX_CHARACTERS:
        fail(f"the text is {len(text):,} characters long; the extractor drafts one article of up to {MAX_CHARACTERS:,}: split it into its articles")
    words = re.findall(r"[^\W\d_]+", text.lower())
    english = sum(w in ENGLISH_WORDS for w in words)
    if len(words) < 20 or english / len(words) < 0.08:
        fail("the text does not read as English (too few common English words): the extractor drafts English articles only; annotate this one by hand")
    return text


def find_metadata(text):
    """(fields, warnings): what the text says about itself: date, title, outlet line, byline."""
    fields, warnings = {}, []
    date = DATE_LINE.match(text)
    published = PUBLISHED_LINE.search(text)
    if date:
        fields.update(published=date.group(1), date_precision="day", date_basis="stated", date_evidence=date.group(0).strip())
    elif published and published.group(1) == "Published":
        fields.update(_published(published))
    else:
        fields.update(published=None, date_precision=None, date_basis="inferred", date_evidence=None)
        warnings.append(("published", "no date found in the text (no leading 'date YYYY-MM-DD' or 'Published ...' line): "
                         "fill in published, date_precision, date_basis and date_evidence from what the text reports"))
    lines = [line for line in text.splitlines() if line.strip()]
    title_line = lines[1] if published and lines and lines[0] == published.group(0) and len(lines) > 1 else lines[0]
    if len(title_line) <= 150 and not title_line.rstrip().endswith((".", "”", '"')) and not DATE_LINE.match(title_line):
        fields.update(title=title_line.strip(), title_basis="stated")
    else:
        first = re.split(r"(?<=[.!?])\s", DATE_LINE.sub("", title_line).strip(), maxsplit=1)[0]
        fields.update(title=" ".join(first.split()[:14]).rstrip("."), title_basis="supplied")
        warnings.append(("title", "no title line: the first words of the first sentence are drafted as the title; write a better one"))
    source = SOURCE_LINE.search(text)
    sign_off = SIGN_OFF.search(text)
    if source:
        fields.update(outlet_name=source.group(1), outlet_basis="inferred", outlet_evidence=source.group(0).strip())
    elif sign_off:
        fields.update(outlet_name=sign_off.group(1), outlet_basis="stated", outlet_evidence=sign_off.group(0).strip(), byline=sign_off.group(1))
    else:
        fields.update(outlet_name=None, outlet_basis="inferred", outlet_evidence=None)
        warnings.append(("outlet", "no 'Source:' line or sign-off names the outlet: fill in outlet (an actor id), outlet_basis and outlet_evidence"))
    ending = text.rstrip()
    if ending and ending[-1].isalnum() and not SOURCE_LINE.search(ending.splitlines()[-1]) and not PUBLISHED_LINE.search(ending.splitlines()[-1]):
        warnings.append(("text", "the text ends mid-sentence (cut off?): nothing after the last full stop is lost, but check the source"))
    return fields, warnings


def _published(match):
    """published, date_precision, date_basis, date_evidence from a 'Published ...' line."""
    _, hour, minute, zone, month, day, year = match.groups()
    day_iso = datetime.date(int(year), MONTHS[month.lower()], int(day)).isoformat()
    if hour and zone in UTC_OFFSETS:
        offset = UTC_OFFSETS[zone]
        return {"published": f"{day_iso}T{int(hour):02d}:{minute}{offset}", "date_precision": "minute", "date_basis": "stated", "date_evidence": match.group(0).strip()}
    return {"published": day_iso, "date_precision": "day", "date_basis": "stated", "date_evidence": match.group(0).strip()}


def draft_record(text, text_name, knowledge, ner="rules"):
    """(article id, draft as a dict in the seeds' format, warnings) for one article text."""
    fields, warnings = find_metadata(text)
    items = extract(text, knowledge, ner=ner)
    outlet = _outlet_id(fields.pop("outlet_name"), knowledge)
    article_id = "-".join(part for part in (outlet or "draft", (fields["published"] or "")[:10]) if part) if outlet else f"draft-{slug(Path(text_name).stem)}"
    record = {
        "status": "drafted",
        "text": text_name,
        "sha256": sha256(text.encode("utf-8")),
        "outlet": outlet,
        **{key: fields.get(key) for key in ("outlet_basis", "outlet_evidence", "title", "title_basis", "published",
                                               "date_precision", "date_basis", "date_evidence")},
        "byline": fields.get("byline"),
        "language": "en",
        "note": f"Drafted by the extractor ({EXTRACTOR_VERSION}); review every item.",
        "citations": [],
        "mentions": [],
        "denials": [],
    }
    proposed_actors, proposed_claims = {}, {}
    citation_ids = {}
    for item in items:
        common = _located(text, item)
        if item.kind == "citation":
            local = _unique(slug(f"{item.fields['source']} {item.fields['cue']}"), citation_ids.values())
            citation_ids[id(item)] = local
            _propose(proposed_actors, item.fields["source"], item.quote, knowledge)
            record["citations"].append({"id": local, **common, "cue": item.fields["cue"], "source": item.fields["source"],
                                        "source_basis": item.fields["source_basis"], "medium": item.fields["medium"], **_status(item)})
        elif item.kind == "denial":
            local = _unique(slug(f"{item.fields['denier']} denial"), [d["id"] for d in record["denials"]])
            _propose(proposed_actors, item.fields["denier"], item.quote, knowledge)
            record["denials"].append({"id": local, "claim": item.fields["claim"], "denier": item.fields["denier"],
                                      "medium": item.fields["medium"], **common, "cue": item.fields["cue"], **_status(item)})
        elif item.kind == "mention":
            claim = item.fields["claim"]
            if claim is None:
                claim = _unique(slug(" ".join(item.quote.split()[:8])), proposed_claims)
                proposed_claims[claim] = {"id": claim, "statement": item.quote, "kind": "reporting", "topic": "reporting", "subject": None, "status": "drafted"}
            cited = item.fields["citation"]
            record["mentions"].append({"claim": claim, **common, "stance": item.fields["stance"], "hedges": item.fields["hedges"],
                                       "citation": citation_ids.get(id(cited)) if cited else None, **_status(item)})
        elif item.fields["actor"] not in knowledge.actors:
            _propose(proposed_actors, item.fields["actor"], item.quote, knowledge, item.fields.get("proposed_kind"))
    if outlet and outlet not in knowledge.actors:
        _propose(proposed_actors, outlet, fields.get("outlet_evidence") or outlet, knowledge, "outlet")
    record["proposed_actors"] = list(proposed_actors.values())
    record["proposed_claims"] = list(proposed_claims.values())
    return article_id, record, warnings


def _located(text, item):
    """quote, occurrence (when the quote appears more than once), start, end."""
    located = {"quote": item.quote}
    starts = appearances(text, item.quote)
    if len(starts) > 1:
        located["occurrence"] = starts.index(item.start) + 1
    located.update(start=item.start, end=item.end)
    return located


def _status(item):
    return {"confidence": round(float(item.confidence), 2), "status": "drafted"}


def _unique(base, taken):
    base = base or "item"
    candidate, number = base, 2
    while candidate in taken:
        candidate, number = f"{base}-{number}", number + 1
    return candidate


def _propose(proposed, actor_id, seen_as, knowledge, kind=None):
    """Note a new actor the draft refers to, with the words it was seen as."""
    if actor_id in knowledge.actors or not actor_id:
        return
    entry = proposed.setdefault(actor_id, {"id": actor_id, "name": seen_as, "kind": kind or "person", "aliases": [], "status": "drafted"})
    if seen_as not in entry["aliases"] and len(seen_as) <= 60:
        entry["aliases"].append(seen_as)


def _outlet_id(name, knowledge):
    """The actor id of an outlet named by a 'Source:' line or sign-off: the known alias it
    starts with, else a new id made from its name."""
    if not name:
        return None
    for alias in sorted(knowledge.aliases, key=lambda a: -len(a["alias"])):
        if name.startswith(alias["alias"]):
            return alias["actor_id"]
    return slug(re.split(r"\s[–-]\s", name)[0])


HEADER = """\
# Drafted by `provenance draft` from {text}. Review it before it is published:
# - check every item against the text; correct it and change `status: drafted` to
#   `status: reviewed`, or delete it. `start`, `end` and `confidence` may stay or go.
# - move each proposed actor you keep to seeds/actors.yml and each proposed claim to
#   seeds/claims.yml (without `status`), then delete both sections.
# - correct the metadata, then set the top `status: reviewed`.
# The build leaves out everything still drafted (`provenance build --include-drafts`
# publishes it, with method = extractor).
"""


def draft_yaml(record, text_name):
    """The draft as YAML text, in the seeds' format, with the review instructions on top."""
    body = yaml.dump(record, Dumper=_NoAliasDumper, sort_keys=False, allow_unicode=True, width=1000, default_flow_style=False)
    return HEADER.format(text=text_name) + body


class _NoAliasDumper(yaml.SafeDumper):
    """Writes a repeated value out each time: a person edits each item on its own."""

    def ignore_aliases(self, data):
        return True


def write_draft(path, content, force=False, shown=None):
    """Write the draft, never over an existing file unless force."""
    path = Path(path)
    if path.exists() and not force:
        raise BuildError([Problem(shown or str(path), None, "", "already exists: the draft was not written (use --force to overwrite it, or --output to write elsewhere)")])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content, encoding="utf-8")
