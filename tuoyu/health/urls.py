"""Pages of the health app (mounted under /health/)."""

from django.urls import path

from . import views

app_name = "health"
urlpatterns = [
    path("checks/", views.ChecksView.as_view(), name="checks"),
    path("immunisations/", views.InstitutionImmunisationsView.as_view(), name="immunisations"),
    path("child/<int:pk>/immunisations/", views.ChildImmunisationsView.as_view(), name="child_immunisations"),
    path("alerts/", views.AlertsView.as_view(), name="alerts"),
    path("overview/", views.OverviewView.as_view(), name="overview"),
]
