from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """Chengbu County's demo data (`manage.py load_demo`, run by bin/demo): one loader module per
    app it fills, through that app's services. Nothing at runtime imports it; it sits on top of
    every other app (tests/test_architecture.py)."""

    name = "apps.demo"
    verbose_name = _("演示数据")
