"""Builds that redo only what changed: the build cache and the narrowed rebuild."""
