"""Pages of the supervision app (mounted under /supervision/)."""

from django.urls import path

from . import views

app_name = "supervision"

urlpatterns = [
    path("", views.HubView.as_view(), name="home"),
    path("institution/", views.InstHomeView.as_view(), name="inst_home"),
    path("inspections/", views.InspectionListView.as_view(), name="inspections"),
    path("inspections/<int:pk>/", views.InspectionDetailView.as_view(), name="inspection"),
    path("inspections/<int:pk>/checklist/", views.ChecklistView.as_view(), name="checklist"),
    path("items/", views.ItemsView.as_view(), name="items"),
    path("rectifications/<int:pk>/", views.RectificationView.as_view(), name="rectification"),
    path("photos/<int:pk>/", views.photo, name="photo"),
    path("signatures/<int:pk>/", views.signature, name="signature"),
    path("evidence/<int:pk>/", views.evidence, name="evidence"),
    path("sw.js", views.service_worker, name="service_worker"),
]
