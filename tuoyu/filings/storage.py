"""Where filing documents live: MEDIA_ROOT/filings, outside the web root, with no public URL.

Files are only ever sent by `views.document_download`, after a scoped lookup.
"""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.deconstruct import deconstructible


@deconstructible(path="tuoyu.filings.storage.FilingStorage")
class FilingStorage(FileSystemStorage):
    # Read from settings on every use (not cached) so a changed MEDIA_ROOT (tests) is honoured.
    @property  # type: ignore[override]
    def base_location(self) -> str:
        return os.path.join(settings.MEDIA_ROOT, "filings")

    @property  # type: ignore[override]
    def location(self) -> str:
        return os.path.abspath(self.base_location)

    def url(self, name: Any) -> str:
        raise NotImplementedError("Filing documents have no public URL; use filings:document.")


filing_storage = FilingStorage()
