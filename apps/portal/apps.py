from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """The pages that gather several apps for one person: the public landing page, a
    representative's home, a handling unit's home and the 活动码 check-in. It sits above the
    feature apps and has no models; apps.core stays below everything (tests/test_architecture.py)."""

    name = "apps.portal"
    verbose_name = _("门户")
