"""renda settings, read from the environment (and an optional `.env` file).

With nothing set, the portal runs on embedded defaults: a SQLite file under `var/`
and a Celery broker on the filesystem, so a demo needs no server. `DATABASE_URL`
switches to PostgreSQL, `REDIS_URL` to Redis for the Celery broker and the cache.
`DJANGO_ENV=production` turns on the hardened profile (`check --deploy` clean).
"""

import os
from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from renda import keys

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")

DJANGO_ENV = env("DJANGO_ENV", default="development")
PRODUCTION = DJANGO_ENV == "production"

if PRODUCTION:
    # Missing, published or weak: refuse to start rather than sign sessions with it.
    SECRET_KEY = keys.production_key(env("SECRET_KEY", default=""))
else:
    # A random key of this installation's own, kept in var/ (never a default from the source).
    SECRET_KEY = env("SECRET_KEY", default="") or keys.development_key(VAR_DIR / "secret_key")

DEBUG = env.bool("DEBUG", default=not PRODUCTION)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # django.contrib.admin, with the optional staff two-factor (RENDA_OTP_REQUIRED_FOR_STAFF).
    "apps.core.otp.RendaAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "simple_history",
    "import_export",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "apps.core",
    "apps.representatives",
    "apps.notifications",
    "apps.proposals",
    "apps.liaison",
    "apps.training",
    "apps.posts",
    "apps.groups",
    "apps.livelihood",
    "apps.dashboard",
    # On top of everything: the cross-app pages, and the demo data loaders (manage.py load_demo).
    "apps.portal",
    "apps.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Outside the others, so a database outage in any of them is a 503 page, not a 500.
    "apps.core.middleware.DatabaseUnavailableMiddleware",
    # Outside the rest, so the responses other middleware make (CSRF failure, lock-out, session
    # expiry) carry it too: a logged-in user's pages are never stored by a cache.
    "apps.core.middleware.PrivateNoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "apps.core.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Keeps the request for the audit rows written by signals (admin writes, permission changes).
    "apps.core.audit.AuditRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After messages: an expired session is logged out with a message saying why.
    "apps.core.sessions.SessionLimitMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Axes must be last: it turns a lock-out into its own response.
    "axes.middleware.AxesMiddleware",
]

if PRODUCTION:
    # Static files come from collectstatic's folder through WhiteNoise; no CDN, no extra server.
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "renda.urls"
WSGI_APPLICATION = "renda.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "apps.core.display.context",
                "apps.core.context_processors.county",
            ],
        },
    },
]

# --- Data -------------------------------------------------------------------------------

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'renda.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The demo's web server, worker and beat share one file: wait for locks, use WAL.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "init_command": "PRAGMA journal_mode=WAL;", "transaction_mode": "IMMEDIATE"}
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    # One test database per test process, so runs sharing a server never collide.
    DATABASES["default"]["TEST"] = {"NAME": env("TEST_DATABASE_NAME", default=f"test_renda_{os.getpid()}")}
    # A kept connection is checked before a request reuses it: one cut by a database restart is
    # replaced, so the app recovers by itself (tests/faults/test_postgres_restart.py).
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # A database host that does not answer fails the request in seconds (the 503 page) instead
    # of holding a web worker until the server's own timeout kills it.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", env.int("DATABASE_CONNECT_TIMEOUT", default=5)
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"

REDIS_URL = env("REDIS_URL", default="")

if REDIS_URL:
    # A Redis outage makes the cache miss instead of failing the page; short timeouts so a frozen
    # Redis costs a request a second, not a worker.
    CACHES = {
        "default": {
            "BACKEND": "apps.core.cache.ForgivingRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Celery -----------------------------------------------------------------------------

CELERY_BROKER_URL = REDIS_URL or "filesystem://"
if REDIS_URL:
    CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 5}
else:
    _queue = VAR_DIR / "celery" / "queue"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue),
        "data_folder_out": str(_queue),
        "processed_folder": str(VAR_DIR / "celery" / "processed"),
        # kombu's default is "control" in the working directory: keep the broker under var/.
        "control_folder": str(VAR_DIR / "celery" / "control"),
        "store_processed": False,
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
# A task whose worker died is put back on the queue instead of being lost.
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# Publishing must not hang a web request when the broker is down: give up quickly, the
# outbox rows are in the database and the sweep sends them.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_TIMEZONE = "Asia/Shanghai"
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Schedules are declared here, in code, so every deployment runs the same scans.
CELERY_BEAT_SCHEDULE = {
    # Annual reports asked for while the broker was down, or whose worker died, are sent again.
    "dashboard-requeue-reports": {
        "task": "apps.dashboard.tasks.requeue_reports",
        "schedule": timedelta(minutes=2),
    },
    # Export jobs likewise (a job whose worker died three times stays failed).
    "core-requeue-exports": {
        "task": "apps.core.tasks.requeue_exports",
        "schedule": timedelta(seconds=env.int("JOB_REQUEUE_SECONDS", default=120)),
    },
    # Housekeeping (RENDA_HOUSEKEEPING): each run is shown in the admin's 后台任务心跳 and 运行状态.
    "core-expire-job-files": {
        "task": "apps.core.tasks.expire_job_files",
        "schedule": timedelta(seconds=env.int("HOUSEKEEPING_SECONDS", default=3600)),
    },
    "core-remove-upload-leftovers": {
        "task": "apps.core.tasks.remove_upload_leftovers",
        "schedule": timedelta(seconds=env.int("HOUSEKEEPING_SECONDS", default=3600)),
    },
    "notifications-purge-sent": {
        "task": "apps.notifications.tasks.purge_sent",
        "schedule": timedelta(seconds=env.int("HOUSEKEEPING_SECONDS", default=3600)),
    },
    "core-heartbeat": {
        "task": "apps.core.tasks.beat_heartbeat",
        "schedule": timedelta(seconds=env.int("HEARTBEAT_SECONDS", default=60)),
    },
    "notifications-sweep": {
        "task": "apps.notifications.tasks.sweep_outbox",
        "schedule": timedelta(seconds=env.int("OUTBOX_SWEEP_SECONDS", default=60)),
    },
    "liaison-purge-rate-limits": {
        "task": "apps.liaison.tasks.purge_rate_limits",
        "schedule": timedelta(hours=6),
    },
    "notifications-scan": {
        "task": "apps.notifications.tasks.scan_reminders",
        "schedule": timedelta(seconds=env.int("REMINDER_SCAN_SECONDS", default=900)),
    },
    "core-purge-audit-events": {
        "task": "apps.core.tasks.purge_audit_events",
        "schedule": timedelta(hours=24),
    },
    "livelihood-close-ballots": {
        "task": "apps.livelihood.tasks.close_due_ballots",
        "schedule": timedelta(seconds=env.int("LIVELIHOOD_CLOSE_SECONDS", default=60)),
    },
}

# --- Auth and security ------------------------------------------------------------------

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "landing"
LOGOUT_REDIRECT_URL = "home"

AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=30))
# Two separate counts, each locking on its own: failures from one address whatever the usernames
# (guessing many accounts), and failures of one username whatever the addresses (one account
# from many). The address is the one the public forms' limits count (apps.core.network), never
# a forwarded-for header a client wrote itself.
AXES_LOCKOUT_PARAMETERS = ["ip_address", "username"]
AXES_CLIENT_IP_CALLABLE = "apps.core.network.client_ip"
# A successful login clears only that username's failures from that address, not the address's.
AXES_HANDLER = "apps.core.lockout.LockoutHandler"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

# The audit log (apps/core/audit.py) keeps its rows this many days; 等保 2.0 asks for at least
# six months, so less is refused at start-up.
RENDA_AUDIT_RETENTION_DAYS = env.int("RENDA_AUDIT_RETENTION_DAYS", default=180)
if RENDA_AUDIT_RETENTION_DAYS < 180:
    raise ImproperlyConfigured(
        f"RENDA_AUDIT_RETENTION_DAYS={RENDA_AUDIT_RETENTION_DAYS}: the audit log must be kept at least 180 days "
        "(等保 2.0 安全审计; 网络安全法 第二十一条). Set 180 or more."
    )

SESSION_ENGINE = "django.contrib.sessions.backends.db"
# A session ends after this many minutes without a request, and this many hours after login
# whatever the activity (apps/core/sessions.py); logout and deactivation end it at once.
RENDA_SESSION_IDLE_MINUTES = env.int("RENDA_SESSION_IDLE_MINUTES", default=30)
RENDA_SESSION_MAX_HOURS = env.int("RENDA_SESSION_MAX_HOURS", default=12)
# The cookie and the row outlive the idle limit, so the middleware, not a silently missing row,
# ends an idle session: the row is deleted and the login page says why.
SESSION_COOKIE_AGE = RENDA_SESSION_MAX_HOURS * 3600
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# The back office asks staff for a TOTP token (django-otp) on top of the password; devices are
# added by a superuser in the admin. Portal users are never asked. On by default in production
# (staff see personal data of the whole county); turning it off there is an explicit choice.
RENDA_OTP_REQUIRED_FOR_STAFF = env.bool("RENDA_OTP_REQUIRED_FOR_STAFF", default=PRODUCTION)
OTP_TOTP_ISSUER = env("RENDA_SITE_NAME", default="人大代表工作平台")

# No inline scripts or styles anywhere: every script and stylesheet is a static file (the
# admin templates of django-import-export and simple-history that had inline ones are copied
# without them into templates/). Styles set from scripts through the CSSOM (Django admin, ECharts)
# are not inline styles and are allowed.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

if PRODUCTION:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    # A load balancer checks health over plain HTTP inside the network.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# --- Language and time ------------------------------------------------------------------

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static and media -------------------------------------------------------------------

STATIC_URL = "static/"
STATIC_ROOT = env("STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploads live outside the web root and no URL serves MEDIA_ROOT (not even in DEBUG): each file
# goes out through a view that checks the viewer's scope (apps.core.downloads). MEDIA_URL only
# names the address nothing answers.
MEDIA_URL = "media/"
MEDIA_ROOT = env("MEDIA_ROOT", default=str(VAR_DIR / "media"))
# Readable by the app's own user and group only, whatever the process umask.
FILE_UPLOAD_PERMISSIONS = 0o640
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o750
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# --- Import / export --------------------------------------------------------------------

IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = False
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "import"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "export"
# A cell starting with = + - @ would run as a formula in Excel: apps.core.exports' formats
# neutralise those (the library's own switch would only strip "=" and turn numbers into text).
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = False

# --- Mail and SMS -----------------------------------------------------------------------

# EMAIL_URL (smtp://user:pass@host:587 and the like) sets EMAIL_BACKEND, EMAIL_HOST and friends.
globals().update(env.email("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="renda@localhost")
# SMS goes through an adapter: the console one logs; a gateway's adapter is a class with
# send(*, phone, text). FileSMSBackend appends JSON lines to RENDA_SMS_FILE.
RENDA_SMS_BACKEND = env("RENDA_SMS_BACKEND", default="apps.notifications.channels.ConsoleSMSBackend")
RENDA_SMS_FILE = env("RENDA_SMS_FILE", default=str(VAR_DIR / "sms.jsonl"))
RENDA_NOTIFICATIONS = {
    "CHANNELS": env.list("RENDA_NOTIFICATION_CHANNELS", default=["inbox", "email", "sms"]),
    "MAX_ATTEMPTS": env.int("RENDA_NOTIFICATION_MAX_ATTEMPTS", default=5),
    "RETRY_BASE_SECONDS": env.int("RENDA_NOTIFICATION_RETRY_SECONDS", default=60),
    # A row claimed longer ago than this is taken to be abandoned by a dead sender.
    "SENDING_TIMEOUT_SECONDS": env.int("RENDA_NOTIFICATION_SENDING_TIMEOUT", default=300),
}

# --- Proposals (DOMAIN.md §1, §7) -------------------------------------------------------

RENDA_PROPOSALS = {
    # Reply within 3 months of assignment, 6 for wide-ranging, difficult ones (代表法 Art 51).
    "REPLY_MONTHS": env.int("RENDA_REPLY_MONTHS", default=3),
    "REPLY_MONTHS_COMPLEX": env.int("RENDA_REPLY_MONTHS_COMPLEX", default=6),
    "EXTENSION_MAX_DAYS": env.int("RENDA_EXTENSION_MAX_DAYS", default=90),
    "ASSIST_OPINION_DAYS": env.int("RENDA_ASSIST_OPINION_DAYS", default=30),
    "RETURN_MISASSIGNED_WORKDAYS": env.int("RENDA_RETURN_MISASSIGNED_WORKDAYS", default=7),
    "REHANDLE_DAYS": env.int("RENDA_REHANDLE_DAYS", default=30),
    "FEEDBACK_WORKDAYS": env.int("RENDA_FEEDBACK_WORKDAYS", default=20),
    # Local practice: no reply before the unit has talked with the representative.
    "REQUIRE_CONTACT_BEFORE_REPLY": env.bool("RENDA_REQUIRE_CONTACT_BEFORE_REPLY", default=True),
    # Days before the deadline when units are reminded.
    "DUE_SOON_DAYS": env.list("RENDA_DUE_SOON_DAYS", cast=int, default=[14, 3]),
    # Shown instead of the NPC wording of the A/B/C/D outcome classes, when set.
    "OUTCOME_LABELS": env.dict("RENDA_OUTCOME_LABELS", default={}),
}

# --- Liaison offices and citizens' concerns (DOMAIN.md §3) --------------------------------

RENDA_LIAISON = {
    # Working days to accept a concern, and to resolve it once accepted.
    "ACCEPT_WORKDAYS": env.int("RENDA_CONCERN_ACCEPT_WORKDAYS", default=2),
    "RESOLVE_WORKDAYS": env.int("RENDA_CONCERN_RESOLVE_WORKDAYS", default=15),
    # Handlers and office staff are reminded once this many days before the resolution deadline.
    "DUE_SOON_DAYS": env.int("RENDA_CONCERN_DUE_SOON_DAYS", default=2),
    # Reception days are published, and the representatives on duty told, this many days ahead.
    "RECEPTION_NOTICE_DAYS": env.int("RENDA_RECEPTION_NOTICE_DAYS", default=3),
    # Abuse limits of the public forms, per IP address and hour.
    "SUBMIT_PER_HOUR": env.int("RENDA_CONCERN_SUBMIT_PER_HOUR", default=5),
    "LOOKUP_PER_HOUR": env.int("RENDA_CONCERN_LOOKUP_PER_HOUR", default=30),
    # A form filled faster than this is a robot's.
    "MIN_FILL_SECONDS": env.int("RENDA_CONCERN_MIN_FILL_SECONDS", default=4),
    "PHOTO_MAX_BYTES": env.int("RENDA_CONCERN_PHOTO_MAX_BYTES", default=5 * 1024 * 1024),
    "PHOTO_MAX_COUNT": env.int("RENDA_CONCERN_PHOTO_MAX_COUNT", default=3),
}
# How many reverse proxies in front of the portal append to RENDA_TRUSTED_PROXY_HEADER; 0 = none,
# the header is ignored and the connection's address is used. Per-IP limits and login lock-out
# count the address the first trusted proxy saw (apps.core.network.client_ip).
RENDA_TRUSTED_PROXIES = env.int("RENDA_TRUSTED_PROXIES", default=0)
RENDA_TRUSTED_PROXY_HEADER = env("RENDA_TRUSTED_PROXY_HEADER", default="X-Forwarded-For")
# The whole request: three photos and the text, with room to spare.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=2 * 1024 * 1024)
# Every uploaded image is decoded before it is kept: one with more pixels than this is refused
# (a few-KB PNG can declare 30000x30000 and take gigabytes to decode).
RENDA_IMAGE_MAX_PIXELS = env.int("RENDA_IMAGE_MAX_PIXELS", default=40_000_000)

# --- Training "1+12" (apps/training) -----------------------------------------------------

RENDA_TRAINING = {
    # Lectures each instructor gives a year unless their own quota says otherwise.
    "DEFAULT_YEARLY_QUOTA": env.int("RENDA_TRAINING_DEFAULT_QUOTA", default=2),
    "MATERIAL_MAX_BYTES": env.int("RENDA_TRAINING_MATERIAL_MAX_BYTES", default=20 * 1024 * 1024),
    # From this month on, instructors behind their quota are reminded, at most once a quarter.
    "REMIND_FROM_MONTH": env.int("RENDA_TRAINING_REMIND_FROM_MONTH", default=7),
}

# --- 活动码: representatives check in with a QR code (apps/core/checkin.py) ------------------

RENDA_CHECKIN = {
    # A code opens this long before the event starts (a lecture's start, a reception day's hours).
    "EARLY_MINUTES": env.int("RENDA_CHECKIN_EARLY_MINUTES", default=60),
    # A lecture with a start time takes check-ins this long after it; without one, all its day.
    "LECTURE_HOURS": env.int("RENDA_CHECKIN_LECTURE_HOURS", default=4),
}

# --- Duty posts (apps/posts) --------------------------------------------------------------

RENDA_POSTS = {
    "PHOTO_MAX_BYTES": env.int("RENDA_POST_LOG_PHOTO_MAX_BYTES", default=5 * 1024 * 1024),
    "PHOTO_MAX_COUNT": env.int("RENDA_POST_LOG_PHOTO_MAX_COUNT", default=3),
    # The programme new posts belong to unless staff say otherwise (Chengbu's 2022 programme).
    "DEFAULT_PROGRAMME": env("RENDA_POSTS_DEFAULT_PROGRAMME", default="双培三联四岗"),
    # Longest work log a representative may write, in characters.
    "LOG_MAX_CHARS": env.int("RENDA_POST_LOG_MAX_CHARS", default=2000),
}

# --- Duty record, points and evaluation (apps/representatives, DOMAIN.md §4) -------------

RENDA_DUTY = {
    # Points for each counted record of a kind, and the most a kind can earn in a year.
    # Kinds are declared by the apps that record them (apps/*/duty.py); unknown kinds earn 0.
    "POINTS": {
        "lecture_attended": 2,
        "lecture_taught": 4,
        "shift_attended": 3,
        "concern_handled": 2,
        "post_held": 5,
        "post_log": 1,
        "group_activity": 3,
        "campaign_record": 2,
        "inspection": 4,
        "proposal_led": 5,
        "proposal_cosigned": 2,
        "activity_meeting": 3,
        "activity_survey": 4,
        "activity_voters": 3,
        "activity_group": 3,
        "activity_other": 1,
    },
    "CAPS": {
        "lecture_attended": 20,
        "shift_attended": 24,
        "concern_handled": 20,
        "post_log": 12,
        "campaign_record": 10,
        "proposal_led": 20,
        "proposal_cosigned": 10,
        "activity_other": 5,
    },
    # Lowest points for each grade, best first; the last grade is the floor. With the points above,
    # the 2022 demo grades about 23% 优秀 and 7% 不称职.
    "GRADES": [("excellent", 70), ("competent", 15), ("incompetent", 0)],
    # Voters' satisfaction rate ((满意 + 基本满意) / all) below which a representative is put
    # on the retraining list whatever their points.
    "VOTER_SATISFACTION_MIN": env.float("RENDA_VOTER_SATISFACTION_MIN", default=0.6),
}

# --- Livelihood projects (apps/livelihood, DOMAIN.md §2) ---------------------------------

RENDA_LIVELIHOOD = {
    # A candidate is approved with more than this share of all representatives of the
    # congress voting for it (选举法 Art 45 analogue), within the ballot's slots.
    "MIN_VOTE_RATIO": env.float("RENDA_LIVELIHOOD_MIN_VOTE_RATIO", default=0.5),
    # The satisfaction grading rule: "zhenhai" (DOMAIN.md §2) by default.
    "GRADING_RULE": env("RENDA_LIVELIHOOD_GRADING_RULE", default="zhenhai"),
    # Days before a milestone's date when the responsible unit is reminded.
    "MILESTONE_DUE_SOON_DAYS": env.int("RENDA_LIVELIHOOD_MILESTONE_DUE_SOON_DAYS", default=7),
}

# --- Portal homes (representatives, handling units) -----------------------------------------

# How apps.core's portal decorator (apps.core.access.representative_required) finds the
# representative an account belongs to: a dotted path, so core does not import the roster app.
RENDA_REPRESENTATIVE_LOOKUP = "apps.representatives.selectors.representative_for_user"

RENDA_PORTAL = {
    # How far ahead a representative's home lists their shifts, reception days and lectures.
    "HOME_DAYS_AHEAD": env.int("RENDA_PORTAL_HOME_DAYS_AHEAD", default=14),
    # How far back a representative's home recalls the records staff did not confirm.
    "HOME_DAYS_BACK": env.int("RENDA_PORTAL_HOME_DAYS_BACK", default=30),
    # At most this many items in each block of a home page; the block's own page lists them all.
    "HOME_LIST_SIZE": env.int("RENDA_PORTAL_HOME_LIST_SIZE", default=20),
}

# --- Dashboard and annual report (apps/dashboard) ----------------------------------------

RENDA_DASHBOARD = {
    # Generated annual reports (xlsx, PDF) live here, outside the web root; they are served
    # only through a view that checks who asked for them.
    "REPORT_DIR": env("RENDA_REPORT_DIR", default=str(VAR_DIR / "reports")),
}

# --- Background jobs and housekeeping -----------------------------------------------------

RENDA_JOBS = {
    # A job is tried at most this often when its worker dies under it; then it stays failed,
    # with its error shown and a retry action in the admin.
    "MAX_ATTEMPTS": env.int("RENDA_JOB_MAX_ATTEMPTS", default=3),
    # A job still running this long after it started lost its worker: beat sends it again.
    # Longer than each task's hard time limit (exports 30 min, reports 10 min).
    "EXPORT_STALE_SECONDS": env.int("RENDA_EXPORT_STALE_SECONDS", default=35 * 60),
    "REPORT_STALE_SECONDS": env.int("RENDA_REPORT_STALE_SECONDS", default=15 * 60),
}

RENDA_HOUSEKEEPING = {
    # Export and report files are deleted this many days after they were written; the rows stay,
    # marked expired.
    "JOB_FILE_RETENTION_DAYS": env.int("RENDA_JOB_FILE_RETENTION_DAYS", default=30),
    # Sent email and SMS rows, and read inbox messages, are deleted this many days after they
    # were sent and their deadline passed (the audit log keeps its own lines).
    "NOTIFICATION_RETENTION_DAYS": env.int("RENDA_NOTIFICATION_RETENTION_DAYS", default=365),
    # Half-written files (a worker killed mid-write) older than this are removed.
    "LEFTOVER_HOURS": env.int("RENDA_LEFTOVER_HOURS", default=24),
}

# --- Logging ----------------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "renda.audit": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "axes": {"level": env("AXES_LOG_LEVEL", default="WARNING")},
        # WeasyPrint logs every font and stylesheet of each report PDF at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# --- renda ------------------------------------------------------------------------------

RENDA = {
    # Shown in the page header and titles.
    "SITE_NAME": env("RENDA_SITE_NAME", default="人大代表工作平台"),
    # Absolute address of the portal, for links in email and SMS.
    "BASE_URL": env("RENDA_BASE_URL", default="http://127.0.0.1:8000"),
    # Public roster page size.
    "PUBLIC_PAGE_SIZE": env.int("RENDA_PUBLIC_PAGE_SIZE", default=50),
    # A beat heartbeat older than this is shown as a warning in the admin.
    "HEARTBEAT_STALE_MINUTES": env.int("RENDA_HEARTBEAT_STALE_MINUTES", default=10),
    # A housekeeping task's last run older than this many hours is shown as a warning.
    "HOUSEKEEPING_STALE_HOURS": env.int("RENDA_HOUSEKEEPING_STALE_HOURS", default=26),
}
