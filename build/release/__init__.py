"""Releasing: versions, the data changelog, licences per resource, the text-free package, CITATION.cff."""
