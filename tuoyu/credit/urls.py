"""Pages of the credit app (mounted under /credit/)."""

from django.urls import path

from . import views

app_name = "credit"

urlpatterns = [
    path("", views.CreditHomeView.as_view(), name="home"),
    path("institution/<int:pk>/", views.InstitutionCreditView.as_view(), name="institution"),
    path("mine/", views.MyCreditView.as_view(), name="mine"),
    path("tiers/", views.TierListView.as_view(), name="tiers"),
    path("tiers/export.xlsx", views.TierExportView.as_view(), name="export"),
    path("person/", views.PersonRecordsView.as_view(), name="person"),
]
