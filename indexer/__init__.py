"""The indexer: turns blog pages (HTML or text dumps) into Post records and writes the search index."""
