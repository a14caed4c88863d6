"""The ingest pipeline: bytes of an uploaded file in, a ParseResult out.

Framework-free on purpose (no Django imports anywhere below this package), so that it can be
tested, benchmarked and run on files without a database: decode -> extract text -> strip site
chrome -> metadata -> sections and paragraphs -> commitments.
"""
