from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LivelihoodConfig(AppConfig):
    name = "apps.livelihood"
    verbose_name = _("民生实事")

    def ready(self):
        from apps.livelihood.links import register_links

        register_links()  # the page each recipient of this app's notifications opens
        from apps.core import roles
        from apps.livelihood import reminders  # noqa: F401  (registers the reminder rules)

        followed = ("project", "milestone", "progressreport", "supervision", "ballot", "ballotitem")
        # Tallies are never granted: counts are read from the result sheet once a ballot closes.
        roles.grant(
            roles.Role.COMMITTEE,
            roles.crud("livelihood", "idea", *followed, "paperbatch")
            + " livelihood.view_ballotvoter livelihood.view_idea_personal"
            + " livelihood.import_project livelihood.export_project",
        )
        # Township staff collect the ideas of their township and follow the projects.
        roles.grant(
            roles.Role.TOWNSHIP,
            roles.crud("livelihood", "idea")
            + " livelihood.view_idea_personal "
            + roles.crud("livelihood", *followed, verbs=("view",)),
        )
        roles.grant(roles.Role.LIAISON, "livelihood.view_idea")
