"""Care pages (mounted under /care/)."""

from django.urls import path

from . import views

app_name = "care"

urlpatterns = [
    path("medication/", views.MedicationTodayView.as_view(), name="medication"),
    path("child/<int:pk>/medication/", views.ChildMedicationView.as_view(), name="child_medication"),
    path("incidents/", views.IncidentListView.as_view(), name="incidents"),
    path("incidents/<int:pk>/", views.IncidentDetailView.as_view(), name="incident"),
    path("reports/", views.ReportsView.as_view(), name="reports"),
    path("menus/", views.MenuListView.as_view(), name="menus"),
    path("menus/<int:pk>/", views.MenuDetailView.as_view(), name="menu"),
    path("day/", views.ClassDayView.as_view(), name="class_day"),
    path("diary/photos/<int:pk>/", views.diary_photo, name="diary_photo"),
]
