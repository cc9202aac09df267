"""The liaison app's pages, by audience: citizens (public), the public directory (directory), and
those who handle concerns and keep duty (handlers). apps/liaison/urls.py names each page."""

from apps.liaison.views.public import PHOTO_LINK_SALT, client_ip

# Kept for callers that read these from the old single module (tests of the signing salt and of
# the one client-address rule).
__all__ = ["PHOTO_LINK_SALT", "client_ip"]
