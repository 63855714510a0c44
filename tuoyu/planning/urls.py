"""Planning pages (mounted under /gov/planning/)."""

from django.urls import path

from . import urls_dashboard, urls_reports, urls_scenarios, views

app_name = "planning"

urlpatterns = [
    path("indicators/", views.IndicatorsView.as_view(), name="indicators"),
    path("residential/<str:code>/", views.ResidentialProjectsView.as_view(), name="residential"),
    *urls_dashboard.urlpatterns,
    *urls_scenarios.urlpatterns,
    *urls_reports.urlpatterns,
]
