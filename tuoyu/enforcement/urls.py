"""Pages of the enforcement app (mounted under /enforcement/)."""

from django.urls import path

from . import views

app_name = "enforcement"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("institution/", views.InstHomeView.as_view(), name="inst_home"),
    path("actions/new/", views.ActionCreateView.as_view(), name="action_new"),
    path("actions/<int:pk>/", views.ActionDetailView.as_view(), name="action"),
    path("closures/new/", views.ClosureCreateView.as_view(), name="closure_new"),
    path("closures/<int:pk>/", views.ClosureDetailView.as_view(), name="closure"),
    path("emergencies/new/", views.EmergencyCreateView.as_view(), name="emergency_new"),
    path("emergencies/<int:pk>/", views.EmergencyDetailView.as_view(), name="emergency"),
]
