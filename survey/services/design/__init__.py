"""Designing surveys: drafts, versions, definitions in and out, translation, links."""
