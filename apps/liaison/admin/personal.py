"""Citizens' names and phones on the liaison admin pages."""

from apps.core.admin_mixins import PhoneSearchAuditMixin, audit_personal_view
from apps.core.masking import mask_name, mask_phone
from apps.liaison.resources import PERSONAL_PERMISSION, sees_personal_data


class PersonalDataMixin(PhoneSearchAuditMixin):
    """Names and phones: searchable only by staff allowed to see them, masked in every list, shown
    on the change page only to those staff (the others get the masked columns), each view logged.

    The fieldsets name the unmasked display fields (`shown_fields`); for other staff they are
    swapped for the masked ones, so no page, history page included, renders what they may not see."""

    personal_fields: tuple[str, str] = ("name", "phone")
    shown_fields: tuple[str, str] = ("citizen_name", "citizen_phone")
    masked_fields: tuple[str, str] = ("masked_name", "masked_phone")
    public_search_fields: list[str] = []

    @property
    def personal_data(self):
        name, phone = self.personal_fields
        return {name: (PERSONAL_PERMISSION, mask_name), phone: (PERSONAL_PERMISSION, mask_phone)}

    def get_search_fields(self, request):
        if sees_personal_data(request.user):
            return [*self.public_search_fields, *self.personal_fields]
        return self.public_search_fields

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if sees_personal_data(request.user):
            return fieldsets
        swap = dict(zip(self.shown_fields, self.masked_fields, strict=True))
        return [(name, {**opts, "fields": [swap.get(f, f) for f in opts["fields"]]}) for name, opts in fieldsets]

    def get_readonly_fields(self, request, obj=None):
        if obj is None and self.has_add_permission(request):
            return []
        return [f for _name, opts in self.get_fieldsets(request, obj) for f in opts["fields"]]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        self._log_personal_view(request, response, object_id)
        return response

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # An old version of the record shows the same fields as its change page.
        response = super().history_form_view(request, object_id, version_id, extra_context)
        self._log_personal_view(request, response, object_id)
        return response

    def _log_personal_view(self, request, response, object_id) -> None:
        if sees_personal_data(request.user):
            audit_personal_view(self, request, response, object_id)
