from django.urls import path

app_name = "filings"

urlpatterns: list = [  # type: ignore[type-arg]
]
