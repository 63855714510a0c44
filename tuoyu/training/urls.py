"""Training pages (mounted under /training/)."""

from django.urls import path

from . import views

app_name = "training"

urlpatterns = [
    path("", views.TrainingHomeView.as_view(), name="home"),
    path("bases/new/", views.BaseAddView.as_view(), name="base_add"),
    path("trainers/new/", views.TrainerAddView.as_view(), name="trainer_add"),
    path("courses/new/", views.CourseAddView.as_view(), name="course_add"),
    path("sessions/new/", views.SessionAddView.as_view(), name="session_add"),
    path("sessions/<int:pk>/", views.SessionView.as_view(), name="session"),
    path("people/<int:pk>/", views.PersonLedgerView.as_view(), name="person"),
]
