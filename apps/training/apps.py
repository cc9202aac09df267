from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    name = "apps.training"
    verbose_name = _("培训学习")

    def ready(self):
        from apps.training.links import register_links

        register_links()  # the page each recipient of this app's notifications opens
        from apps.core import checkin, roles
        from apps.representatives.duty import register
        from apps.training import checkin as training_checkin
        from apps.training import reminders  # noqa: F401  (registers the reminder rules)
        from apps.training.duty import SOURCE

        register(SOURCE)
        checkin.register(training_checkin.KIND)
        from apps.representatives.signals import retraining_called_for
        from apps.training.signals import assign_retraining_called_for

        retraining_called_for.connect(assign_retraining_called_for, dispatch_uid="training_retraining_called_for")

        # Township staff run their township's hall; the county's they only read (the scope sees to it).
        township = (
            roles.crud("training", "lecturehall", "instructor", "lecture", "attendance")
            + " training.import_lecture training.export_lecture"
            + " training.import_attendance training.export_attendance"
            + " training.view_retraining training.change_retraining"
        )
        roles.grant(roles.Role.COMMITTEE, township + " training.add_retraining training.delete_lecture")
        roles.grant(roles.Role.TOWNSHIP, township)
        roles.grant(
            roles.Role.LIAISON,
            roles.crud("training", "lecturehall", "instructor", "lecture", "attendance", "retraining", verbs=("view",)),
        )
