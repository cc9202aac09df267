from django.utils.translation import gettext

from apps.core.county_settings import county_code_for_user, county_path, county_setting


def county(request):
    """The county's names and contact text for every page: the deployment's only county, else the
    signed-in user's, else the defaults. No query while the county settings are cached."""
    path = county_path(county_code_for_user(getattr(request, "user", None)))
    return {
        # The embedded default is a msgid, shown in the reader's language; a county's own name as set.
        "renda_site_name": gettext(county_setting(path, "SITE_NAME")),
        "renda_committee_name": county_setting(path, "COMMITTEE_NAME"),
        "renda_public_contact": county_setting(path, "PUBLIC_CONTACT"),
    }
