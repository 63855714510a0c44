"""Government register tools: export, import, overview (mounted under /gov/registry/)."""

from django.urls import path

from . import views

app_name = "registry"

urlpatterns = [
    path("<str:code>/", views.RegistryOverviewView.as_view(), name="overview"),
    path("<str:code>/export.xlsx", views.RegistryExportView.as_view(), name="export"),
    path("<str:code>/import/", views.RegistryImportView.as_view(), name="import"),
    path(
        "<str:code>/import/template.xlsx", views.RegistryImportTemplateView.as_view(), name="import_template"
    ),
]
