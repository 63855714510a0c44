"""Planning reports pages (included by planning/urls.py): the list, one report, its Excel file and
its national export."""

from django.urls import URLPattern, path

from . import views_reports

urlpatterns: list[URLPattern] = [
    path("reports/", views_reports.ReportListView.as_view(), name="reports"),
    path("reports/<int:pk>/", views_reports.ReportView.as_view(), name="report"),
    path("reports/<int:pk>/xlsx/", views_reports.ReportExcelView.as_view(), name="report_xlsx"),
    path("reports/<int:pk>/national/", views_reports.ReportNationalView.as_view(), name="report_national"),
]
