"""Pages of the complaints app (mounted under /complaints/)."""

from django.urls import path

from . import views

app_name = "complaints"

urlpatterns = [
    path("", views.QueueView.as_view(), name="home"),
    path("<int:pk>/", views.DetailView.as_view(), name="detail"),
    path("new/<int:institution>/", views.ComplaintNewView.as_view(), name="new"),
    path("submitted/", views.submitted, name="submitted"),
    path("track/", views.track_page, name="track"),
    path("mine/", views.mine, name="mine"),
    path("institution/", views.InstHomeView.as_view(), name="inst_home"),
    path("institution/<int:pk>/", views.InstDetailView.as_view(), name="inst_detail"),
]
