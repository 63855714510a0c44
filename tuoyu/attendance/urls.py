"""Pages of the attendance app (mounted under /attendance/)."""

from django.urls import path

from . import views

app_name = "attendance"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("class/<int:pk>/", views.RosterView.as_view(), name="roster"),
    path("follow-up/", views.FollowUpView.as_view(), name="follow_up"),
    path("staff/", views.StaffView.as_view(), name="staff"),
    path("kiosk/<int:institution_id>/", views.KioskView.as_view(), name="kiosk"),
    path("child/<int:pk>/", views.ChildView.as_view(), name="child"),
    path("kiosk-code/<int:child_id>/", views.KioskCodeView.as_view(), name="kiosk_code"),
]
