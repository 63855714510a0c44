from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SpotchecksConfig(AppConfig):
    name = "tuoyu.spotchecks"
    verbose_name = _("Spot checks")
