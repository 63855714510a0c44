"""Planning dashboard pages (included by planning/urls.py)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
