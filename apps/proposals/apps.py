from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProposalsConfig(AppConfig):
    name = "apps.proposals"
    verbose_name = _("代表建议")

    def ready(self):
        from apps.proposals.links import register_links

        register_links()  # the page each recipient of this app's notifications opens
        from apps.proposals.workbench import register_sources

        register_sources()  # the rows this app puts on staff workbenches
        from apps.proposals.duty import SOURCE
        from apps.representatives.duty import register

        register(SOURCE)  # its part of the duty record, as every app registers it
        from apps.core import roles
        from apps.proposals import reminders  # noqa: F401  (registers the reminder rules)

        models = [
            "proposal",
            "assignment",
            "assignmentbatch",
            "returnrequest",
            "extension",
            "contactrecord",
            "reply",
            "feedback",
            "supervision",
            "notice",
            "cosigner",
            "assistopinion",
        ]
        perms = roles.crud("proposals", *models)
        roles.grant(
            roles.Role.COMMITTEE,
            perms + " proposals.view_proposalevent proposals.export_proposal proposals.import_proposal",
        )
        roles.grant(roles.Role.TOWNSHIP, "proposals.view_proposal")
