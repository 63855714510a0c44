from django.urls import path

from . import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("gov/", views.GovHomeView.as_view(), name="gov_home"),
    path("gov/regions/<str:code>/", views.GovRegionView.as_view(), name="gov_region"),
    path(
        "gov/regions/<str:code>/institutions/",
        views.GovInstitutionListView.as_view(),
        name="gov_institutions",
    ),
    path("gov/institutions/<int:pk>/", views.GovInstitutionDetailView.as_view(), name="gov_institution"),
    path("inst/", views.InstHomeView.as_view(), name="inst_home"),
    path("inst/new/", views.InstNewView.as_view(), name="inst_new"),
    path("inst/institutions/<int:pk>/record/", views.InstRecordView.as_view(), name="inst_record"),
    path("parent/", views.ParentHomeView.as_view(), name="parent_home"),
    path("public/", views.PublicRegisterView.as_view(), name="public_register"),
    path("public/map/", views.public_map, name="public_map"),
    path("photos/<int:pk>/", views.photo, name="photo"),
    path("public/institutions/<int:pk>/", views.public_institution, name="public_institution"),
]
