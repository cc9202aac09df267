"""Settings of the benchmark server: the production profile plus two measuring aids.

bench/run sets DJANGO_ENV=production, SECRET_KEY, ALLOWED_HOSTS=127.0.0.1 and
SECURE_SSL_REDIRECT=false (loopback has no TLS), and raises the per-IP limits of the public
forms through their own settings so that one load generator on one address is not refused.
"""

from renda.settings import *  # noqa: F403
from renda.settings import MIDDLEWARE

ROOT_URLCONF = "bench.urls"

# First, so it counts every query the request makes, the middleware's own included.
MIDDLEWARE = ["bench.middleware.QueryCountMiddleware", *MIDDLEWARE]

# The bench drives the server from one address; the audit lines of the tracking page would
# otherwise fill the terminal.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "root": {"handlers": [], "level": "WARNING"},
}
