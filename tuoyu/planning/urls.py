"""Planning pages (mounted under /gov/planning/)."""

from django.urls import path

from . import views

app_name = "planning"

urlpatterns = [
    path("indicators/", views.IndicatorsView.as_view(), name="indicators"),
    path("residential/<str:code>/", views.ResidentialProjectsView.as_view(), name="residential"),
]
