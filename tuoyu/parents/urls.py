"""Pages of the parent end (mounted under /parents/)."""

from django.urls import path

from . import views

app_name = "parents"

urlpatterns = [
    path("", views.ParentHomeView.as_view(), name="home"),
    path("signup/", views.SignupView.as_view(), name="signup"),
    path("child/<int:pk>/", views.ChildTodayView.as_view(), name="child_today"),
    path("child/<int:pk>/attendance/", views.ChildAttendanceView.as_view(), name="child_attendance"),
    path("child/<int:pk>/absence/", views.ChildAbsenceView.as_view(), name="child_absence"),
    path("child/<int:pk>/messages/", views.ChildMessagesView.as_view(), name="child_messages"),
    path("notifications/", views.NotificationListView.as_view(), name="notifications"),
    path("messages/", views.StaffInboxView.as_view(), name="staff_inbox"),
    path("messages/child/<int:pk>/", views.StaffThreadView.as_view(), name="staff_thread"),
]
