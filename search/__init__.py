"""pprnet-search core library: the Post record, schema and analysis, querying, ranking and facets.

Imports nothing from ``indexer`` or ``webui``: both build on it.
"""
