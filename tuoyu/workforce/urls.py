"""Workforce pages (mounted under /workforce/)."""

from django.urls import path

from . import views

app_name = "workforce"

urlpatterns = [
    path("institutions/<int:pk>/staff/", views.StaffView.as_view(), name="staff"),
    path("people/<int:pk>/", views.PersonView.as_view(), name="person"),
    path("bans/", views.BanListView.as_view(), name="bans"),
]
