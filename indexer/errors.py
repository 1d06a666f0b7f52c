"""Errors the indexer reports to the user (a file skipped, a build refused)."""


class ExtractionError(Exception):
    """A page could not be read or held no posts; the message says why, for a person."""
