"""Use cases that touch the database. They flush; the caller commits."""
