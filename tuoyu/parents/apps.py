from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ParentsConfig(AppConfig):
    name = "tuoyu.parents"
    verbose_name = _("Parents")
