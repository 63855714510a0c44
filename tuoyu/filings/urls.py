from django.urls import path

from . import views

app_name = "filings"

urlpatterns = [
    path("", views.FilingQueueView.as_view(), name="queue"),
    path("start/", views.FilingStartView.as_view(), name="start"),
    path("<int:pk>/", views.FilingDetailView.as_view(), name="detail"),
    path("documents/<int:pk>/", views.FilingDocumentView.as_view(), name="document"),
]
