"""Planning scenarios pages (included by planning/urls.py)."""

from django.urls import URLPattern, path

from . import views_scenarios

urlpatterns: list[URLPattern] = [
    path("scenarios/", views_scenarios.ScenarioView.as_view(), name="scenario"),
]
