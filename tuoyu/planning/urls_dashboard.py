"""Planning dashboard pages (included by planning/urls.py)."""

from django.urls import URLPattern, path

from . import views_dashboard

urlpatterns: list[URLPattern] = [
    path("dashboard/", views_dashboard.DashboardView.as_view(), name="dashboard"),
]
