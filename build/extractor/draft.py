"""`provenance draft`: read a raw article text, draft its annotation file for review.

Reading (read_article_text) checks the file is article text the extractor can read;
drafting (draft_record) finds the metadata and runs the extractor; writing
(write_draft) puts the YAML beside the curated files, never over one."""

import datetime
import re
from pathlib import Path

import yaml

from build.check.assemble import appearances
from build.derived.shared_text import REPEAT_COVERAGE, find_repeats
from build.extractor.extract import DEFAULT, extract, slug
from build.read.text import decode_text
from build.problems import BuildError, Problem
from build.read.seeds import sha256

MAX_CHARACTERS = 100_000  # a long feature is ~20,000; more is likely several articles or a dump
ENGLISH_WORDS = frozenset(
    "the of and to in a is that for on was with as by it from has said were his have are be at an".split()
)

MONTHS = {
    name: number
    for number, name in enumerate(
        "january february march april may june july august september october november december".split(),
        1,
    )
}
MONTHS.update({name[:3]: number for name, number in list(MONTHS.items())})
MONTHS["sept"] = 9
UTC_OFFSETS = {
    "IST": "+05:30",
    "PKT": "+05:00",
    "IDT": "+03:00",
    "GMT": "Z",
    "UTC": "Z",
    "BST": "+01:00",
    "EST": "-05:00",
    "EDT": "-04:00",
}
DATE_LINE = re.compile(r"^\s*date (\d{4}-\d{2}-\d{2})\b")
_MONTH = r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
_TIME = r"(?:(\d{1,2}):(\d{2})\s*(am|pm|AM|PM)?\s*([A-Z]{2,4})?,?\s+)?"
# "June 28, 2021", "28 June 2021", "Jun 28 2021", with an optional time before or after
DAY_MONTH_YEAR = re.compile(
    rf"(?:(?P<m1>{_MONTH})\s+(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y1>\d{{4}})|(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<m2>{_MONTH}),?\s+(?P<y2>\d{{4}}))"
)
PUBLISHED_LINE = re.compile(
    rf"^\s*(?P<label>Published|Updated|Posted|First published|Last updated)(?: on)?:?\s+{_TIME}(?P<date>.+?)\s*$",
    re.MULTILINE,
)
SOURCE_LINE = re.compile(r"^Source:\s*(.+?)\s*$", re.MULTILINE)
SIGN_OFF = re.compile(r"^\((.+?)\)\s*$", re.MULTILINE)
BYLINE = re.compile(r"^\s*(?:by|By|BY)\s+(.{2,80}?)\s*$", re.MULTILINE)
# The outlet speaking of itself: "the JC can reveal", "Israel Hayom has learned"
OUTLET_VOICE = re.compile(
    r"\b((?:the |The )?[A-Z][\w.&’'-]*(?: [A-Z][\w.&’'-]*){0,3}) (?:can (?:now )?reveal|has learned|has learnt|understands|can confirm|has established)\b"
)
URL_DATES = [
    (re.compile(r"/(\d{4})/(\d{1,2})/(\d{1,2})(?:/|$)"), "ymd"),
    (re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)"), "ymd"),
    (re.compile(rf"(?<![\w])(\d{{1,2}})-({_MONTH})-(\d{{4}})(?!\d)", re.IGNORECASE), "dmy"),
    (re.compile(r"(?<![\d])(\d{2})-(\d{2})-(\d{4})(?!\d)"), "dmy"),
    (re.compile(r"(?<!\d)(20\d{2})(\d{2})(\d{2})(?!\d)"), "ymd"),
    (re.compile(r"/(\d{4})/(\d{1,2})(?:/|$)"), "ym"),
]


def read_article_text(path, shown):
    """The article's text, or BuildError with one clear problem: missing, empty, binary,
    not UTF-8, too long, or not English."""

    def fail(message, line=None):
        raise BuildError([Problem(shown, line, "", message)])

    try:
        data = Path(path).read_bytes()
    except OSError as error:
        fail(f"cannot read: {error.strerror}")
    text, problem = decode_text(data, "the file")
    if problem:
        fail(problem.message, problem.line)
    if len(text) > MAX_CHARACTERS:
        fail(
            f"the text is {len(text):,} characters long; the extractor drafts one article of up to {MAX_CHARACTERS:,}: split it into its articles"
        )
    words = re.findall(r"[^\W\d_]+", text.lower())
    english = sum(w in ENGLISH_WORDS for w in words)
    if len(words) < 20 or english / len(words) < 0.08:
        fail(
            "the text does not read as English (too few common English words): the extractor drafts English articles only; annotate this one by hand"
        )
    return text


def _date_in(words):
    """(ISO day, the words) of the first "June 28, 2021" or "28 June 2021" in words, or None."""
    match = DAY_MONTH_YEAR.search(words)
    if not match:
        return None
    month = (match.group("m1") or match.group("m2")).rstrip(".").lower()
    day, year = match.group("d1") or match.group("d2"), match.group("y1") or match.group("y2")
    try:
        return datetime.date(
            int(year), MONTHS[month[:3] if month[:3] in MONTHS else month], int(day)
        ).isoformat(), match.group(0)
    except (ValueError, KeyError):
        return None


def date_from_url(url):
    """(published, precision, evidence) from a date in a page's address, or None."""
    if not url:
        return None
    path = url.split("://", 1)[-1]
    path = path[path.find("/") :] if "/" in path else ""
    for pattern, order in URL_DATES:
        match = pattern.search(path)
        if not match:
            continue
        try:
            if order == "ym":
                year, month = int(match.group(1)), int(match.group(2))
                datetime.date(year, month, 1)
                return f"{year:04d}-{month:02d}", "month", f"the URL: {match.group(0).strip('/')}"
            if order == "ymd":
                year, month, day = int(match.group(1)), int(match.group(2)), int(match.group(3))
            else:
                day, year = int(match.group(1)), int(match.group(3))
                month_text = match.group(2).lower().rstrip(".")
                month = int(month_text) if month_text.isdigit() else MONTHS[month_text[:3]]
            return (
                datetime.date(year, month, day).isoformat(),
                "day",
                f"the URL: {match.group(0).strip('/')}",
            )
        except (ValueError, KeyError):
            continue
    return None


def url_site(url):
    """The site's name in a page's address: "https://www.dawn.com/news/1" -> "dawn";
    "en.dailypakistan.com.pk" -> "dailypakistan"."""
    if not url or "://" not in url:
        return None
    host = url.split("://", 1)[1].split("/", 1)[0].split(":")[0].lower()
    labels = [label for label in host.split(".") if label]
    suffixes = {
        "com",
        "org",
        "net",
        "co",
        "gov",
        "edu",
        "ac",
        "info",
        "news",
        "tv",
        "uk",
        "pk",
        "in",
        "il",
        "us",
        "au",
        "ca",
        "io",
    }
    while len(labels) > 1 and labels[-1] in suffixes:
        labels.pop()
    return labels[-1] if labels else None


def _compact(words):
    return re.sub(r"[^a-z0-9]", "", words.lower())


def outlet_from_site(site, knowledge):
    """The known outlet whose name the site label spells: whole ("dawn"), run together
    ("dailypakistan"), with leading words shortened to initials ("brecorder": Business
    Recorder) or its first words only ("radio": Radio Pakistan). Only a single fit counts."""
    if not site or knowledge is None:
        return None
    names = {}
    for actor_id, actor in knowledge.actors.items():
        if actor.get("kind") == "outlet":
            names.setdefault(actor_id, set()).update({actor["name"], actor_id.replace("-", " ")})
    for alias in knowledge.aliases:
        if knowledge.actors.get(alias["actor_id"], {}).get("kind") == "outlet":
            names.setdefault(alias["actor_id"], set()).add(alias["alias"])
    for strict in (True, False):
        fits = set()
        for actor_id, forms in names.items():
            for form in forms:
                words = [w for w in re.findall(r"[A-Za-z0-9]+", form)]
                if not words:
                    continue
                spellings = {
                    _compact(" ".join(words)),
                    _compact(" ".join(words[1:])) if words[0].lower() == "the" else "",
                }
                for cut in range(1, len(words)):
                    spellings.add(
                        _compact("".join(w[0] for w in words[:cut]) + "".join(words[cut:]))
                    )
                    if not strict:
                        spellings.add(_compact(" ".join(words[:cut])))
                if site in spellings - {""}:
                    fits.add(actor_id)
        if len(fits) == 1:
            return fits.pop()
        if fits:
            return None
    return None


def read_sidecar(path):
    """The fields of a `.meta` sidecar, one `key: value` a line (url, title, date, note,
    ends_mid_sentence; a value is the rest of its line, colons and all), or {}."""
    if path is None or not Path(path).is_file():
        return {}
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return {}
    fields = {}
    for line in lines:
        key, colon, value = line.partition(":")
        if colon and re.fullmatch(r"[A-Za-z_][\w-]*", key.strip()):
            fields[key.strip()] = value.strip()
    return fields


def sidecar_for(text_path):
    """The sidecar beside a text: NAME.meta, or NN.meta for NN_name.txt."""
    text_path = Path(text_path)
    for candidate in (
        text_path.with_suffix(".meta"),
        text_path.with_name(text_path.name.split("_", 1)[0] + ".meta"),
    ):
        if candidate.is_file():
            return candidate
    return None


def find_metadata(text, url=None, meta=None, knowledge=None):
    """(fields, warnings): what the text says about itself (date, title, outlet, byline),
    completed from the page's address (url) and a `.meta` sidecar where it says nothing."""
    meta = meta or {}
    url = url or meta.get("url") or None
    fields, warnings = {}, []
    lines = [line for line in text.splitlines() if line.strip()]
    fields.update(_find_date(text, lines, url, meta, warnings))
    fields.update(_find_title(lines, meta, warnings))
    fields.update(_find_outlet(text, url, knowledge, warnings))
    byline = BYLINE.search(text)
    if byline and not fields.get("byline"):
        fields["byline"] = byline.group(1)
    fields["url"] = url
    ending = text.rstrip()
    last = ending.splitlines()[-1] if ending else ""
    if (
        ending
        and ending[-1].isalnum()
        and not SOURCE_LINE.search(last)
        and not PUBLISHED_LINE.search(last)
    ):
        warnings.append(
            (
                "text",
                "the text ends mid-sentence (cut off?): nothing after the last full stop is lost, but check the source",
            )
        )
    return fields, warnings


def _date(published, precision, basis, evidence):
    """The draft's date fields: published, date_precision, date_basis, date_evidence."""
    return dict(
        published=published, date_precision=precision, date_basis=basis, date_evidence=evidence
    )


def _find_date(text, lines, url, meta, warnings):
    """The date fields: from a `date` line, a `Published`/`Posted` line, a date on its own
    line, an `Updated` line, the URL, then the sidecar (the last three with a warning)."""
    date = DATE_LINE.match(text)
    if date:
        return _date(date.group(1), "day", "stated", date.group(0).strip())
    labelled = {}
    for match in PUBLISHED_LINE.finditer(text):
        found = _date_in(match.group("date"))
        if found:
            labelled.setdefault(match.group("label").lower(), (match, found))
    for label in ("published", "first published", "posted"):
        if label in labelled:
            return _published(*labelled[label])
    for line in lines[:8]:
        found = _date_in(line)
        if found and len(line.strip()) <= len(found[1]) + 25:  # "June 28, 2021" on its own line
            return _date(found[0], "day", "stated", line.strip())
    for label in ("updated", "last updated"):
        if label in labelled:
            warnings.append(
                (
                    "published",
                    "only an 'Updated' date is given: the article may be older; check published",
                )
            )
            return _published(*labelled[label])
    from_url = date_from_url(url)
    if from_url:
        return _date(from_url[0], from_url[1], "inferred", from_url[2])
    meta_date = re.match(r"\s*(\d{4}(?:-\d{2}(?:-\d{2})?)?)", meta.get("date", ""))
    if meta_date:
        value = meta_date.group(1)
        warnings.append(("published", f"the date is the sidecar's ({meta['date']}): check it"))
        precision = {4: "year", 7: "month", 10: "day"}[len(value)]
        return _date(value, precision, "inferred", f"the .meta sidecar: {meta['date']}")
    warnings.append(
        (
            "published",
            "no date found in the text (no 'date YYYY-MM-DD', 'Published ...' or date line) or URL: "
            "fill in published, date_precision, date_basis and date_evidence from what the text reports",
        )
    )
    return _date(None, None, "inferred", None)


def _published(match, found):
    """published, date_precision, date_basis, date_evidence from a 'Published ...' line."""
    hour, minute, half, zone = match.group(2), match.group(3), match.group(4), match.group(5)
    day_iso = found[0]
    if hour and zone in UTC_OFFSETS:
        hour = int(hour) % 12 + (12 if (half or "").lower() == "pm" else 0) if half else int(hour)
        published = f"{day_iso}T{hour:02d}:{minute}{UTC_OFFSETS[zone]}"
        return _date(published, "minute", "stated", match.group(0).strip())
    return _date(day_iso, "day", "stated", match.group(0).strip())


def _is_furniture(line):
    """A date line, a 'Published' line, a byline, a 'Source:' line: not a title."""
    stripped = line.strip()
    found = _date_in(stripped)
    return bool(
        DATE_LINE.match(line)
        or PUBLISHED_LINE.match(line)
        or BYLINE.match(line)
        or SOURCE_LINE.match(stripped)
        or (found and len(stripped) <= len(found[1]) + 25)
    )


def _find_title(lines, meta, warnings):
    """A title line: the first line, or the first after date, byline and source lines, when it
    is short and does not end a sentence; else the sidecar's title; else the first words."""
    title_line = None
    for line in lines[:4]:
        if (
            DATE_LINE.match(line)
            and DATE_LINE.sub("", line).strip(" \t")
            and not _date_in(line[:40])
        ):
            break  # " date 2020-12-16 Two top officials ...": the text starts after the date
        if DATE_LINE.match(line) and len(DATE_LINE.sub("", line).split()) > 8:
            break
        if not _is_furniture(line):
            title_line = line
            break
    if (
        title_line
        and len(title_line) <= 150
        and not title_line.rstrip().endswith((".", "”", '"'))
        and len(title_line.split()) >= 3
    ):
        return dict(title=title_line.strip(), title_basis="stated")
    if meta.get("title"):
        return dict(title=meta["title"].strip(), title_basis="supplied")
    body = next(
        (
            DATE_LINE.sub("", line).strip()
            for line in lines
            if DATE_LINE.sub("", line).strip()
            and not _is_furniture(line)
            or (DATE_LINE.match(line) and len(DATE_LINE.sub("", line).split()) > 8)
        ),
        "",
    )
    body = re.sub(
        r"^[A-Z][A-Z .,'’]{2,40}\s*[–—-]+\s*", "", body
    )  # a dateline ("ISLAMABAD –") is not the title
    first = re.split(r"(?<=[.!?])\s", body, maxsplit=1)[0]
    warnings.append(
        (
            "title",
            "no title line: the first words of the first sentence are drafted as the title; write a better one",
        )
    )
    return dict(title=" ".join(first.split()[:14]).rstrip("."), title_basis="supplied")


def _outlet(outlet, name, basis, evidence):
    """The draft's outlet fields: the outlet's actor id, the name it goes by in the text (for
    a proposed actor), outlet_basis, outlet_evidence."""
    return dict(outlet=outlet, outlet_name=name, outlet_basis=basis, outlet_evidence=evidence)


def _find_outlet(text, url, knowledge, warnings):
    """The outlet fields: from a `Source:` line, a sign-off (also the byline), the outlet
    speaking of itself, then the URL's site; else a warning."""
    source = SOURCE_LINE.search(text)
    if source:
        name = source.group(1)
        return _outlet(_outlet_id(name, knowledge), name, "inferred", source.group(0).strip())
    sign_off = SIGN_OFF.search(text)
    if sign_off:
        name = sign_off.group(1)
        evidence = sign_off.group(0).strip()
        return _outlet(_outlet_id(name, knowledge), name, "stated", evidence) | {"byline": name}
    byline = BYLINE.search(text)
    voice = OUTLET_VOICE.search(text)
    site = url_site(url)
    if voice and not (
        byline
        and voice.group(1).removeprefix("the ").removeprefix("The ") in byline.group(1)
        and site
    ):
        name = voice.group(1)
        return _outlet(_outlet_id(name, knowledge), name, "stated", voice.group(0))
    if site:
        known = outlet_from_site(site, knowledge)
        evidence = f"the URL's site: {url.split('://', 1)[-1].split('/', 1)[0]}"
        return _outlet(
            known or slug(site), None if known else site.capitalize(), "inferred", evidence
        )
    warnings.append(
        (
            "outlet",
            "no 'Source:' line, sign-off, outlet speaking of itself or URL names the outlet: "
            "fill in outlet (an actor id), outlet_basis and outlet_evidence (or give --url)",
        )
    )
    return _outlet(None, None, "inferred", None)


def draft_record(text, text_name, knowledge, options=None, url=None, meta=None, corpus=()):
    """(article id, draft as a dict in the seeds' format, warnings) for one article text;
    url and meta (a `.meta` sidecar's fields) complete what the text does not say; corpus,
    (article id, text) of the corpus articles, is searched for passages the text repeats."""
    options = options or DEFAULT
    fields, warnings = find_metadata(text, url=url, meta=meta, knowledge=knowledge)
    items = extract(text, knowledge, options)
    outlet = fields.get("outlet")
    record = _record_head(text, text_name, fields, options)
    proposed_actors, proposed_claims = {}, {}
    citation_ids = {}  # id of a drafted citation -> its local id, for the mentions resting on it
    for item in items:
        if item.kind == "citation":
            citation = _draft_citation(text, item, citation_ids)
            record["citations"].append(citation)
            _propose_item_actor(proposed_actors, item, "source", "_proposed_kind", knowledge)
        elif item.kind == "denial":
            taken = [d["id"] for d in record["denials"]]
            record["denials"].append(_draft_denial(text, item, taken, proposed_claims))
            _propose_item_actor(proposed_actors, item, "denier", "_kind", knowledge)
        elif item.kind == "mention":
            record["mentions"].append(_draft_mention(text, item, citation_ids, proposed_claims))
        elif item.fields["actor"] not in knowledge.actors:
            _propose(
                proposed_actors,
                item.fields["actor"],
                item.quote,
                knowledge,
                item.fields.get("proposed_kind"),
            )
    if outlet and outlet not in knowledge.actors:
        _propose(proposed_actors, outlet, fields.get("outlet_name") or outlet, knowledge, "outlet")
    record["proposed_actors"] = list(proposed_actors.values())
    record["proposed_claims"] = list(proposed_claims.values())
    repeats = draft_repeats(text, corpus, warnings)
    if repeats:
        record["repeats"] = repeats
    return _article_id(outlet, fields["published"], text_name), record, warnings


def corpus_texts(tables, text_name):
    """(article id, text) of each corpus article in the assembled tables, less the one whose
    text file is text_name: a text drafted again does not repeat itself."""
    return [
        (article["article_id"], article["text"])
        for article in tables["articles"]
        if article["text_file"].removeprefix("seeds/") != text_name
    ]


def draft_repeats(text, corpus, warnings):
    """The draft's `repeats` section: each corpus article the text shares passages with, by
    the build's shared-text test (find_repeats), most covered first: its coverage (the share
    of the text's words inside the passages), whether the text repeats it (a coverage of
    REPEAT_COVERAGE or more) and each passage's spans in both texts and similarity. A
    warning says each."""
    entries = []
    for article_id, coverage, passages in find_repeats(text, corpus):
        verdict = "repeats" if coverage >= REPEAT_COVERAGE else "shares passages"
        entries.append(
            {
                "article": article_id,
                "coverage": coverage,
                "verdict": verdict,
                "passages": [
                    {
                        "quote": text[start:end],
                        "start": start,
                        "end": end,
                        "other_start": other_start,
                        "other_end": other_end,
                        "similarity": similarity,
                    }
                    for start, end, other_start, other_end, similarity in passages
                ],
                "status": "drafted",
            }
        )
        warnings.append(("repeats", repeat_message(entries[-1])))
    return entries


def repeat_message(entry):
    """What a `repeats` entry tells the reviewer, in a warning of the draft or of the check."""
    passages = len(entry.get("passages") or ())
    coverage = entry.get("coverage")
    share = f"{coverage:.0%}" if isinstance(coverage, (int, float)) else "part"
    share += " of its words"
    if entry.get("verdict") == "repeats":
        return (
            f"the text repeats corpus article {entry.get('article')}: {share} are in the "
            f"{passages} passage(s) it shares with it: if one republishes the other, say so "
            "under `republishes:` (seeds/README.md); then delete `repeats`"
        )
    return (
        f"the text shares {passages} passage(s) with corpus article {entry.get('article')} "
        f"({share}): see `repeats`, then delete it"
    )


def _article_id(outlet, published, text_name):
    """OUTLET-DATE (as much of both as is known), or draft-NAME when the outlet is not."""
    if not outlet:
        return f"draft-{slug(Path(text_name).stem)}"
    return "-".join(part for part in (outlet, (published or "")[:10]) if part)


def _record_head(text, text_name, fields, options):
    """The draft's metadata, with empty lists of citations, mentions and denials."""
    record = {
        "status": "drafted",
        "text": text_name,
        "sha256": sha256(text.encode("utf-8")),
        "outlet": fields.get("outlet"),
        **{
            key: fields.get(key)
            for key in (
                "outlet_basis",
                "outlet_evidence",
                "title",
                "title_basis",
                "published",
                "date_precision",
                "date_basis",
                "date_evidence",
            )
        },
        "url": fields.get("url"),
        "byline": fields.get("byline"),
        "language": "en",
        "note": f"Drafted by the extractor ({options.label()}); review every item.",
        "citations": [],
        "mentions": [],
        "denials": [],
    }
    if not record["url"]:
        del record["url"]
    return record


def _propose_item_actor(proposed_actors, item, role, kind_field, knowledge):
    """Propose the actor an item credits (its source or denier) when it is not known."""
    _propose(
        proposed_actors,
        item.fields[role],
        item.fields.get("_name"),
        knowledge,
        item.fields.get(kind_field),
    )


def _draft_citation(text, item, citation_ids):
    """A drafted citation as the seeds write it, under a local id noted in citation_ids."""
    source = item.fields["source"]
    local = _unique(slug(f"{source or 'report'} {item.fields['cue']}"), citation_ids.values())
    citation_ids[id(item)] = local
    return {
        "id": local,
        **_located(text, item),
        "cue": item.fields["cue"],
        # a report credited to no one leaves its source out, as the seeds do
        **({"source": source} if source else {}),
        "source_basis": item.fields["source_basis"],
        "medium": item.fields["medium"],
        **_status(item),
    }


def _draft_denial(text, item, taken, proposed_claims):
    """A drafted denial as the seeds write it, its id not among taken; a denial of no known
    claim proposes the claim it denies."""
    local = _unique(slug(f"{item.fields['denier']} denial"), taken)
    if item.fields["claim"] is None:  # denies something like no known claim
        item.fields["claim"] = _propose_claim(proposed_claims, item.quote, "allegation")
    denial = {
        "id": local,
        "claim": item.fields["claim"],
        "denier": item.fields["denier"],
        "medium": item.fields["medium"],
        **_located(text, item),
        "cue": item.fields["cue"],
        **_status(item),
    }
    if not denial["cue"]:
        del denial["cue"]  # in the denier's own words: no denial verb
    grounds = [_draft_ground(text, ground) for ground in item.fields.get("grounds", ())]
    if grounds:
        denial["grounds"] = grounds
    return denial


def _draft_ground(text, ground):
    """A denial's ground: its kind and quote, with the quote's occurrence when it repeats."""
    entry = {"ground": ground["ground"], "quote": ground["quote"]}
    starts = appearances(text, ground["quote"])
    if len(starts) > 1:
        entry["occurrence"] = starts.index(ground["start"]) + 1
    return entry


def _draft_mention(text, item, citation_ids, proposed_claims):
    """A drafted claim mention as the seeds write it; one of no known claim proposes it."""
    claim = item.fields["claim"]
    if claim is None:
        claim = _propose_claim(proposed_claims, item.quote, "reporting")
    cited = item.fields["citation"]
    return {
        "claim": claim,
        **_located(text, item),
        "stance": item.fields["stance"],
        "hedges": item.fields["hedges"],
        "citation": citation_ids.get(id(cited)) if cited else None,
        **_status(item),
    }


def _propose_claim(proposed_claims, statement, kind):
    """Propose a new claim stated as statement (an id from its first words); its id."""
    claim = _unique(slug(" ".join(statement.split()[:8])), proposed_claims)
    proposed_claims[claim] = {
        "id": claim,
        "statement": statement,
        "kind": kind,
        "topic": "reporting",
        "subject": None,
        "status": "drafted",
    }
    return claim


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
    """Note a new actor the draft refers to, with the words it was seen as (a known alias
    is never proposed: it names a known actor)."""
    if actor_id in knowledge.actors or not actor_id:
        return
    seen_as = " ".join((seen_as or actor_id.replace("-", " ")).split())
    entry = proposed.setdefault(
        actor_id,
        {
            "id": actor_id,
            "name": seen_as,
            "kind": kind or "anonymous_source",
            "aliases": [],
            "status": "drafted",
        },
    )
    if kind and entry["kind"] == "anonymous_source" and kind != "anonymous_source":
        entry["kind"] = kind
    known = {a["alias"] for a in knowledge.aliases}
    if seen_as not in entry["aliases"] and seen_as not in known and len(seen_as) <= 60:
        entry["aliases"].append(seen_as)


def _outlet_id(name, knowledge):
    """The actor id of an outlet named by a 'Source:' line or sign-off: the known alias it
    starts with, else a new id made from its name."""
    if not name:
        return None
    bare = re.sub(r"^(?:the|The)\s+", "", name)
    if knowledge is None:
        return slug(re.split(r"\s[–-]\s", bare)[0])
    for alias in sorted(knowledge.aliases, key=lambda a: -len(a["alias"])):
        if alias["alias"] in (name, bare) or alias["alias"].removeprefix("the ") == bare:
            return alias["actor_id"]
    for alias in sorted(knowledge.aliases, key=lambda a: -len(a["alias"])):
        if name.startswith(alias["alias"]):
            return alias["actor_id"]
    return slug(re.split(r"\s[–-]\s", bare)[0])


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
REPEATS_HEADER = """\
# - `repeats` names the corpus articles this text shares passages with (coverage: the
#   share of its words in them; verdict repeats: half or more). If the text republishes
#   one, say so under `republishes:`; then delete the section (the build does not read it).
"""


def draft_yaml(record, text_name):
    """The draft as YAML text, in the seeds' format, with the review instructions on top."""
    body = yaml.dump(
        record,
        Dumper=_NoAliasDumper,
        sort_keys=False,
        allow_unicode=True,
        width=1000,
        default_flow_style=False,
    )
    header = HEADER.format(text=text_name) + (REPEATS_HEADER if record.get("repeats") else "")
    return header + body


class _NoAliasDumper(yaml.SafeDumper):
    """Writes a repeated value out each time: a person edits each item on its own."""

    def ignore_aliases(self, data):
        return True


def write_draft(path, content, force=False, shown=None):
    """Write the draft, never over an existing file unless force."""
    path = Path(path)
    if path.exists() and not force:
        raise BuildError(
            [
                Problem(
                    shown or str(path),
                    None,
                    "",
                    "already exists: the draft was not written (use --force to overwrite it, or --output to write elsewhere)",
                )
            ]
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content, encoding="utf-8")
