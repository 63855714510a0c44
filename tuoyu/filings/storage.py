"""Where filing documents live: MEDIA_ROOT/filings, outside the web root, with no public URL.

Files are only ever sent by the `filings:document` view, after a scoped lookup. The storage itself is
core's PrivateStorage; this name stays because migrations refer to it.
"""

from __future__ import annotations

from typing import Any

from django.utils.deconstruct import deconstructible

from tuoyu.core.files import PrivateStorage


@deconstructible(path="tuoyu.filings.storage.FilingStorage")
class FilingStorage(PrivateStorage):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__("filings", **kwargs)


filing_storage = FilingStorage()
