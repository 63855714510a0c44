"""Pages of the spotchecks app (mounted under /spotchecks/)."""

from django.urls import path

from . import views

app_name = "spotchecks"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("plans/<int:pk>/", views.PlanDetailView.as_view(), name="plan"),
    path("plans/<int:pk>/batches/new/", views.BatchCreateView.as_view(), name="batch_create"),
    path("batches/<int:pk>/", views.BatchDetailView.as_view(), name="batch"),
    path("draws/<int:pk>/", views.DrawDetailView.as_view(), name="draw"),
    path("inspectors/", views.InspectorsView.as_view(), name="inspectors"),
    path("inspectors/<int:pk>/", views.InspectorView.as_view(), name="inspector"),
    path("public/", views.public_draws, name="public_draws"),
    path("public/<int:pk>/", views.public_draw, name="public_draw"),
]
