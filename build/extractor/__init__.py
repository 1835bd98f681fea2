"""The automatic extractor: draft the annotations of a new article, and score the drafts."""
