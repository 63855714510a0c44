"""Pages of the quality app (mounted under /quality/)."""

from django.urls import path

from . import views

app_name = "quality"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("institution/", views.InstHomeView.as_view(), name="inst_home"),
    path("assessments/<int:pk>/", views.AssessmentView.as_view(), name="assessment"),
    path("evidence/<int:pk>/", views.evidence_file, name="evidence"),
    path("forms/", views.FormListView.as_view(), name="forms"),
    path("forms/<int:pk>/", views.FormEditView.as_view(), name="form"),
]
