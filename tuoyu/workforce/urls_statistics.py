"""Workforce statistics pages (mounted under /workforce/statistics/)."""

from django.urls import path

from . import views_statistics

app_name = "workforce_statistics"

urlpatterns = [
    path("", views_statistics.StatisticsView.as_view(), name="overview"),
    path("export.xlsx", views_statistics.StatisticsExportView.as_view(), name="export"),
]
