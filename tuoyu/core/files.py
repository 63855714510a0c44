"""Uploaded files: recognised by their bytes, kept outside the web root, sent only by scoped views."""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.deconstruct import deconstructible

# Content type → the signatures its bytes start with. The name and the client's declared type are
# not trusted.
SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "application/pdf": (b"%PDF-",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
}
EXTENSIONS = {"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg"}


def sniff_content_type(head: bytes, allowed: tuple[str, ...] = tuple(SIGNATURES)) -> str | None:
    """The allowed content type whose signature `head` starts with, or None."""
    for content_type in allowed:
        if any(head.startswith(sig) for sig in SIGNATURES[content_type]):
            return content_type
    return None


@deconstructible(path="tuoyu.core.files.PrivateStorage")
class PrivateStorage(FileSystemStorage):
    """MEDIA_ROOT/<subdir>, with no URL: files are sent by views after a scoped lookup."""

    def __init__(self, subdir: str = "private", **kwargs: Any) -> None:
        self.subdir = subdir
        super().__init__(**kwargs)

    # Read from settings on every use so that a changed MEDIA_ROOT (tests) is honoured.
    @property  # type: ignore[override]
    def base_location(self) -> str:
        return os.path.join(settings.MEDIA_ROOT, self.subdir)

    @property  # type: ignore[override]
    def location(self) -> str:
        return os.path.abspath(self.base_location)

    def url(self, name: Any) -> str:
        raise NotImplementedError("Private files have no URL; a scoped view sends them.")
