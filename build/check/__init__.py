"""Checking: records -> rows and problems."""
