"""Pages of the growth app."""

from django.urls import path

from . import views

app_name = "growth"
urlpatterns = [
    path("", views.home, name="home"),
    path("child/<int:child_id>/", views.child, name="child"),
    path("child/<int:child_id>/record/", views.record, name="record"),
]
