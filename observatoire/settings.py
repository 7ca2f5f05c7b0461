"""Settings for Observatoire, read from environment variables.

Every variable is listed in the README's configuration table (a test checks it).
"""

import os
import secrets
import sys
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: str) -> bool:
    return os.environ.get(name, default).strip().lower() in {"1", "true", "yes", "on"}


def envint(name: str, default: str) -> int:
    return int(os.environ.get(name, default))


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = envbool("DEBUG", "1")


def _secret_key() -> str:
    """A SECRET_KEY from the environment; in DEBUG, one generated once and kept under var/."""
    key = os.environ.get("SECRET_KEY", "")
    if key:
        return key
    if not DEBUG:
        sys.exit(
            "Observatoire: SECRET_KEY is required when DEBUG is off; "
            "set it, e.g. SECRET_KEY=\"$(python3 -c 'import secrets; print(secrets.token_urlsafe(50))')\"."
        )
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
WAGTAILADMIN_BASE_URL = SITE_URL

INSTALLED_APPS = [
    # In dependency order: `observatoire demo` loads each app's demo data in this order.
    "observatoire.pages",
    "observatoire.territories",
    "observatoire.directory",
    "observatoire.barometer",
    "observatoire.barometer.results",
    "observatoire.editorial",
    "observatoire.accounts",
    "observatoire.api",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.simple_translation",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.locales",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_tasks",
    "django_tasks_db",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "observatoire.security.ContentSecurityPolicyMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # /api/ only: rate limit, CORS, ETag/304 and problem documents (observatoire/api).
    "observatoire.api.middleware.ApiMiddleware",
    # Before sessions: a cached anonymous page is served without touching the session.
    "observatoire.pages.cache.AnonymousPageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "observatoire.accounts.middleware.SecondFactorMiddleware",
    "observatoire.accounts.middleware.AuditLogAccessMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "observatoire.uploads.UploadStorageErrorMiddleware",
    "observatoire.badinput.RejectNulCharactersMiddleware",
    "observatoire.pages.errors.SiteNotFoundMiddleware",
]

ROOT_URLCONF = "observatoire.urls"
WSGI_APPLICATION = "observatoire.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "observatoire" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "observatoire.pages.navigation.navigation",
            ],
        },
    },
]

# The embedded default is a SQLite file under var/; production sets a PostgreSQL URL.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'observatoire.sqlite3'}"),
        conn_max_age=envint("DATABASE_CONN_MAX_AGE", "0"),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers proceed while the task worker writes; IMMEDIATE avoids lock upgrades.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Background jobs (imports, invitation waves, report builds) go to a database-backed queue
# that `observatoire db_worker --backend background` runs. Wagtail's own small housekeeping tasks stay immediate.
# One cache shared by every server process and the task worker, kept in the database (its table
# is made by the migration pages.0002): rate limits count across processes, and cached charts
# and trends survive a restart. Nothing to run beside the database.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "observatoire_cache",
        "OPTIONS": {"MAX_ENTRIES": envint("CACHE_MAX_ENTRIES", "20000")},
    }
}

TASKS = {
    "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
    "background": {"BACKEND": "django_tasks_db.DatabaseBackend"},
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français"), ("en", "English")]
WAGTAIL_I18N_ENABLED = True
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
LOCALE_PATHS = [BASE_DIR / "observatoire" / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns about a missing folder
STATICFILES_DIRS = [BASE_DIR / "observatoire" / "static"]
NODE_MODULES_DIR = BASE_DIR / "node_modules"
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# E-mail: by default every message is written to one file in var/outbox/; SMTP in production.
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if os.environ.get("EMAIL_HOST")
    else "django.core.mail.backends.filebased.EmailBackend",
)
EMAIL_FILE_PATH = Path(os.environ.get("EMAIL_OUTBOX", VAR_DIR / "outbox"))
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", "25")
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", "0")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Observatoire <observatoire@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Barometer: invitation waves are throttled to BAROMETER_SEND_RATE messages per second (0: no
# limit); a client that tries more than BAROMETER_TOKEN_FAILURES unknown personal links within
# BAROMETER_TOKEN_FAILURE_WINDOW minutes is refused until the window has passed.
BAROMETER_SEND_RATE = envint("BAROMETER_SEND_RATE", "10")
# A running wave whose worker gave no sign of life for BAROMETER_WAVE_STALLED_AFTER seconds is
# "stalled": the next worker (or staff, "Reprendre") resumes it.
BAROMETER_WAVE_STALLED_AFTER = envint("BAROMETER_WAVE_STALLED_AFTER", "60")
BAROMETER_TOKEN_FAILURES = envint("BAROMETER_TOKEN_FAILURES", "20")
BAROMETER_TOKEN_FAILURE_WINDOW = envint("BAROMETER_TOKEN_FAILURE_WINDOW", "15")
# Barometer results: a figure with fewer than BAROMETER_RESULTS_THRESHOLD respondents is not
# published ("effectif insuffisant"); weighting cells under BAROMETER_RESULTS_MIN_CELL respondents
# are merged, weights above BAROMETER_RESULTS_TRIM_FACTOR x the cell median are trimmed.
BAROMETER_RESULTS_THRESHOLD = envint("BAROMETER_RESULTS_THRESHOLD", "10")
BAROMETER_RESULTS_MIN_CELL = envint("BAROMETER_RESULTS_MIN_CELL", "5")
BAROMETER_RESULTS_TRIM_FACTOR = envint("BAROMETER_RESULTS_TRIM_FACTOR", "5")
# Files answered to `image` / `file` questions: kept outside MEDIA_ROOT (never served by a public
# URL), at most BAROMETER_UPLOAD_MAX_MB each, of the kinds listed (checked by content).
BAROMETER_UPLOADS_ROOT = Path(os.environ.get("BAROMETER_UPLOADS_ROOT", VAR_DIR / "private"))
BAROMETER_UPLOAD_MAX_MB = envint("BAROMETER_UPLOAD_MAX_MB", "10")
BAROMETER_UPLOAD_TYPES = envlist(
    "BAROMETER_UPLOAD_TYPES", "jpeg,png,gif,webp,pdf,odt,ods,docx,xlsx,csv,txt"
)

WAGTAIL_SITE_NAME = "Observatoire des civic tech et de la démocratie numérique"
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "ods", "pdf", "pptx", "txt", "xlsx", "zip"]
# Anonymous public pages are served from the shared cache for at most this many seconds, and
# dropped at once when content is saved or published (observatoire/pages/cache.py); 0: off.
PUBLIC_PAGE_CACHE_SECONDS = envint("PUBLIC_PAGE_CACHE_SECONDS", "300")
# Uploaded and imported tables (contacts, XLSForm, cartography): refused above this size, or
# above this many data rows, with a message, before they fill memory (observatoire/lib/tabular.py).
IMPORT_MAX_MB = envint("IMPORT_MAX_MB", "20")
IMPORT_MAX_ROWS = envint("IMPORT_MAX_ROWS", "100000")
# Cartography imports (`observatoire directory import`) refuse larger files.
DIRECTORY_IMPORT_MAX_MB = envint("DIRECTORY_IMPORT_MAX_MB", "20")
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
# Public forms (event registration, newsletter, contact): posts per visitor IP and hour.
EDITORIAL_POSTS_PER_HOUR = envint("EDITORIAL_POSTS_PER_HOUR", "10")
# Reverse proxies that append to X-Forwarded-For (0: the connection's address is the visitor's):
# every rate limit counts visitors, not the proxy (observatoire/ratelimit.py).
PROXY_COUNT = envint("PROXY_COUNT", "0")
# Public API (/api/v1/): requests per visitor and minute, counted in the shared cache; beyond,
# 429 with Retry-After (observatoire/api/middleware.py). 0: no limit.
API_RATE_LIMIT = envint("API_RATE_LIMIT", "300")
# No request leaves the server at run time: no Gravatar, no update check, no news banner.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_ENABLE_WHATS_NEW_BANNER = False

# Staff sign-in (docs/security.md): failed passwords per account and visitor address within
# the window before that pair is refused; a second factor (TOTP) asked of every staff member.
AUTHENTICATION_BACKENDS = ["observatoire.accounts.throttle.ThrottledModelBackend"]
WAGTAILADMIN_USER_LOGIN_FORM = "observatoire.accounts.throttle.ThrottledLoginForm"
OBSERVATOIRE_LOGIN_FAILURES = envint("OBSERVATOIRE_LOGIN_FAILURES", "5")
OBSERVATOIRE_LOGIN_WINDOW = envint("OBSERVATOIRE_LOGIN_WINDOW", "900")
OBSERVATOIRE_STAFF_2FA_REQUIRED = envbool("OBSERVATOIRE_STAFF_2FA_REQUIRED", "0")
OTP_TOTP_ISSUER = "Observatoire"

# Production hardening; `manage.py check --deploy` passes with DEBUG=0 and the documented variables.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", "0" if DEBUG else "1")
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = not DEBUG
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000")
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", "0")
# Joining the browsers' HSTS preload list is hard to undo: a per-deployment choice, not a default.
SILENCED_SYSTEM_CHECKS = ["security.W021"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp; docs/security.md): the public site runs only its own
# scripts and stylesheets, no inline script, style or style attribute, and no nonce (a nonce
# would be wrong in a page served from a cache). The Wagtail admin needs inline scripts and
# styles: it gets the looser CONTENT_SECURITY_POLICY_ADMIN (observatoire/security.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
CONTENT_SECURITY_POLICY_ADMIN = {
    "DIRECTIVES": {
        **CONTENT_SECURITY_POLICY["DIRECTIVES"],
        "script-src": ["'self'", "'unsafe-inline'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        # The page editor's live preview frames an admin URL of the same origin.
        "frame-src": ["'self'"],
        "frame-ancestors": ["'self'"],
    }
}
# Permissions-Policy (django-permissions-policy): no page of ours uses any of these features.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
        "xr-spatial-tracking",
        "interest-cohort",
        "browsing-topics",
    )
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    "loggers": {"django.server": {"level": "WARNING"}},
}

# Territories: the référentiel's snapshot and the barometer's sampling frame rules
# (docs/territories.md explains each rule and the counts it gives).
TERRITORIES_SNAPSHOT = Path(
    os.environ.get(
        "TERRITORIES_SNAPSHOT",
        BASE_DIR / "observatoire" / "territories" / "data" / "decoupage-6.0.0.json.gz",
    )
)
TERRITORIES_FRAME_COMMUNE_MIN_POPULATION = envint(
    "TERRITORIES_FRAME_COMMUNE_MIN_POPULATION", "3500"
)
TERRITORIES_FRAME_ZONES = {
    "commune": ["metro", "drom", "com"],
    "epci": ["metro", "drom", "com"],
    "departement": ["metro", "drom"],
    "region": ["metro", "drom"],
}
TERRITORIES_FRAME_EXCLUDED = {"departement": ["75", "2A", "2B", "972", "973"], "region": ["06"]}
TERRITORIES_FRAME_BANDS = {
    "commune": [3500, 10000, 20000, 50000, 100000],
    "epci": [0, 20000, 50000, 100000, 300000],
    "departement": [0, 250000, 500000, 1000000],
    "region": [0, 2000000, 4000000],
}
