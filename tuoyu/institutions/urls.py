"""Government register tools: export, import, overview (mounted under /gov/registry/)."""

from django.urls import path

app_name = "registry"

urlpatterns: list = [  # type: ignore[type-arg]
]
