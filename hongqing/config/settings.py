"""HongQing settings, read from the environment (see .env.example)."""

from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from .env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent  # the hongqing package
PROJECT_DIR = BASE_DIR.parent

DEBUG = env_bool("DEBUG", True)
SECRET_KEY = env_str("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "dev-only-insecure-key-hongqing-0123456789abcdefghijklmnopqrstuvwxyz"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_tables2",
    "django_htmx",
    "template_partials",
    "treebeard",
    "auditlog",
    "axes",
    "hongqing.core",
    "hongqing.organization",
    "hongqing.accounts",
    "hongqing.people",
    "hongqing.party",
    "hongqing.learning",
    "hongqing.points",
    "hongqing.assessment",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "hongqing.core.middleware.RequestIdMiddleware",
    "hongqing.core.middleware.RuleCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "hongqing.core.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "hongqing.core.middleware.IdleTimeoutMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "hongqing.config.urls"
WSGI_APPLICATION = "hongqing.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "hongqing.core.context_processors.navigation",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{PROJECT_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the dev server and a background import share the file.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_USER_MODEL = "accounts.User"
# The tenant model (like AUTH_USER_MODEL): core names it by setting, so it imports no domain app.
HONGQING_TENANT_MODEL = "organization.Hospital"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "hongqing.accounts.backends.HQModelBackend",  # Django's, the staff record read with the user
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "hongqing.accounts.validators.LettersAndDigitsValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Sessions end after 30 minutes without a request (等保: idle timeout).
SESSION_IDLE_SECONDS = env_int("SESSION_IDLE_SECONDS", 30 * 60)
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 12 * 60 * 60)
SESSION_SAVE_EVERY_REQUEST = False

# Lockout: 15 minutes after 5 failures for the same username.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_ENABLED = env_bool("AXES_ENABLED", True)

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(PROJECT_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(PROJECT_DIR / "media")))

# Imports: the largest file accepted, and whether the commit runs in a background thread.
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_BYTES", 5 * 1024 * 1024)
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 20000)
IMPORT_BACKGROUND_MIN_ROWS = env_int("IMPORT_BACKGROUND_MIN_ROWS", 1000)
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
EXPORT_MAX_ROWS = env_int("EXPORT_MAX_ROWS", 50000)
ATTACHMENT_MAX_BYTES = env_int("ATTACHMENT_MAX_BYTES", 20 * 1024 * 1024)

REST_FRAMEWORK = {
    # Token first: its WWW-Authenticate header makes an anonymous request 401 (session-first gives 403).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "hongqing.core.drf.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["hongqing.core.drf.ScopedPermission"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "hongqing.core.drf.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "HongQing 红擎 API",
    "DESCRIPTION": "Organisation tree, people and Party work of a public hospital. Every list is scoped.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models have a "status" with different choices: each set gets its own name.
    "ENUM_NAME_OVERRIDES": {
        "MeetingStatusEnum": "hongqing.party.choices.MeetingStatus",
        "AttendanceStatusEnum": "hongqing.party.choices.AttendanceStatus",
        "AgendaItemStatusEnum": "hongqing.party.choices.ItemStatus",
        "MembershipStageEnum": "hongqing.people.choices.Stage",
        "AppraisalStageEnum": "hongqing.party.choices.AppraisalStage",
        "RatingEnum": "hongqing.party.choices.Rating",
        "PointEntryKindEnum": "hongqing.points.choices.EntryKind",
        "VolunteeringKindEnum": "hongqing.points.choices.VolunteeringKind",
        "HonorKindEnum": "hongqing.points.choices.HonorKind",
        "ProposalStatusEnum": "hongqing.points.choices.ProposalStatus",
        "NominationStatusEnum": "hongqing.points.choices.NominationStatus",
        "RoundStatusEnum": "hongqing.points.choices.RoundStatus",
        "StudyAttendanceStatusEnum": "hongqing.learning.choices.StudyAttendanceStatus",
        "SelfStudyStatusEnum": "hongqing.learning.choices.SelfStudyStatus",
        "QuizStatusEnum": "hongqing.learning.choices.QuizStatus",
        "SessionKindEnum": "hongqing.learning.choices.SessionKind",
        "SelfStudyKindEnum": "hongqing.learning.choices.SelfStudyKind",
        "QuestionKindEnum": "hongqing.learning.choices.QuestionKind",
        "ResponsibilityRoleEnum": "hongqing.assessment.choices.OwnerRole",
        "SchemePeriodEnum": "hongqing.assessment.choices.PeriodKind",
        "ScoringMethodEnum": "hongqing.assessment.choices.Method",
        "NominationDecisionMethodEnum": "hongqing.points.choices.DecisionMethod",
    },
}

DJANGO_TABLES2_TEMPLATE = "django_tables2/bootstrap5-responsive.html"

# Audit: the request id of the current request is the change log's correlation id.
AUDITLOG_CID_GETTER = "hongqing.core.middleware.get_request_id"
AUDITLOG_STORE_JSON_CHANGES = True

EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "hongqing@localhost")
# The address users reach the site at, for links in e-mail (e.g. https://hongqing.hospital.example).
SITE_URL = env_str("SITE_URL", "")

if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
    CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", True)
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

HONGQING_PRODUCT_NAME = _("HongQing")
# Benchmarks only (bench/list_latency.py): mounts /bench/minimal/, the baseline view. Never in production.
HONGQING_BENCH = env_bool("HONGQING_BENCH", False)
LOGIN_URL_PATH = "/accounts/login/"
# Lockout is per username: wards share one IP behind NAT, and locking the IP would lock a whole ward.
# HSTS preload concerns public hosts; a hospital intranet host is never on the browsers' preload list.
SILENCED_SYSTEM_CHECKS = ["axes.W006", "security.W021"]
