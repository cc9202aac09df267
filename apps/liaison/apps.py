from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LiaisonConfig(AppConfig):
    name = "apps.liaison"
    verbose_name = _("联系群众")

    def ready(self):
        from apps.liaison import deadlines  # noqa: F401  (registers the concerns' deadline source)
        from apps.liaison.links import register_links

        register_links()  # the page each recipient of this app's notifications opens
        from apps.liaison.workbench import register_sources

        register_sources()  # the rows this app puts on staff workbenches
        from apps.liaison.duty import SOURCE
        from apps.representatives.duty import register

        register(SOURCE)  # its part of the duty record, as every app registers it
        from apps.core import checkin, roles
        from apps.liaison import checkin as liaison_checkin
        from apps.liaison import reminders, signals  # noqa: F401  (reminders: registers the reminder rules)

        signals.connect()

        checkin.register(liaison_checkin.KIND)

        everything = roles.crud(
            "liaison",
            "liaisonoffice",
            "funding",
            "receptionschedule",
            "receptionday",
            "dutyshift",
            "concern",
            "receptionrecord",
            "revisit",
            "concernphoto",
            "concernevent",
            "concernreturnrequest",
        )
        personal = " liaison.view_concern_personal"
        roles.grant(roles.Role.COMMITTEE, everything + personal + " liaison.export_concern")
        roles.grant(roles.Role.TOWNSHIP, everything + personal + " liaison.export_concern")
        roles.grant(
            roles.Role.LIAISON,
            roles.crud(
                "liaison",
                "receptionday",
                "dutyshift",
                "concern",
                "receptionrecord",
                "revisit",
                "concernphoto",
                "concernreturnrequest",
            )
            + " liaison.view_liaisonoffice liaison.view_receptionschedule liaison.view_concernevent"
            + personal,
        )
