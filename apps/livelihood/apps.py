from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LivelihoodConfig(AppConfig):
    name = "apps.livelihood"
    verbose_name = _("民生实事")

    def ready(self):
        pass
