"""Pages of the children app (mounted under /children/)."""

from django.urls import path

from . import views

app_name = "children"
urlpatterns = [
    path("", views.ChildrenHomeView.as_view(), name="home"),
    path("<int:pk>/", views.ChildDetailView.as_view(), name="child"),
    path("applications/", views.ApplicationQueueView.as_view(), name="applications"),
    path("applications/mine/", views.MyApplicationsView.as_view(), name="my_applications"),
    path("checks/", views.ChecksDueView.as_view(), name="checks"),
    path("apply/<int:institution_id>/", views.ApplyView.as_view(), name="apply"),
]
