"""The search-server client (elasticsearch-py 7.13.4), imported through this module only.

That client is the last 7.x release that talks to OpenSearch (requirements-elasticsearch.txt).
When NumPy is installed it lists NumPy's scalar types for its JSON serialiser, among them
`numpy.float_`, which NumPy 2 removed, so importing it fails with an AttributeError. The
archive has NumPy 2 (pandas and pyarrow write the commitments panels). The client only uses
the name to recognise such values when serialising; `numpy.float_` was always an alias of
`numpy.float64`, so the alias is restored before the client is imported.
"""

from __future__ import annotations

try:
    import numpy
except ImportError:  # the client then leaves NumPy out of its serialiser
    numpy = None

if numpy is not None and "float_" not in vars(numpy):
    numpy.float_ = numpy.float64

import elasticsearch
from elasticsearch import helpers

__all__ = ["elasticsearch", "helpers"]
