"""Linke settings, read from the environment (django-environ).

Every variable is optional: unset means the embedded default (SQLite file, local file
storage, Celery tasks run in-process), so `make run` needs no server. Production sets
DATABASE_URL, REDIS_URL, SECRET_KEY, ALLOWED_HOSTS and the S3 variables; see README.
"""

from pathlib import Path

import environ
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("LINKE_VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    env.read_env(str(BASE_DIR / ".env"))

DEBUG = env.bool("DEBUG", default=False)
# The embedded default gets a fixed development key; production must set SECRET_KEY
# (`check --deploy` flags a short or django-insecure key).
SECRET_KEY = env.str("SECRET_KEY", default="django-insecure-linke-embedded-default-only")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # First: its ready() puts 请选择 in place of "---------" before any form is built.
    "linke.apps.LinkeConfig",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "linke.apps.AxesConfig",  # django-axes, named in Chinese
    "django_celery_beat",
    # Linke: shared apps first, then one app per chapter of the Measures.
    "accounts",
    "audit",
    "numbering",
    "documents",
    "deadlines",
    "cases",
    "records",
    "avrecords",
    "review",
    "delivery",
    "archive",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A change refused because the case is sealed (第二十八条) is a 409 page, never a 500.
    "archive.guard.SealedMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes requires: it turns locked-out logins into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "linke.urls"
WSGI_APPLICATION = "linke.wsgi.application"

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
                "accounts.context_processors.roles",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'linke.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Persistent connections: opening one costs a PostgreSQL backend start (~5 ms) per request,
# more than the rest of a tus HEAD or a small PATCH; the health check drops one that died.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default serves a threaded dev server: wait for the write lock
    # rather than fail with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
    VAR_DIR.mkdir(parents=True, exist_ok=True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses locked-out credentials before they are checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

# The reverse proxies of our own in front of the app (the TLS proxy of the README: 1). The
# client's address is then taken from X-Forwarded-For (linke/clientip.py); 0 ignores it.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
# Failed logins: locked out for AXES_COOLOFF_MINUTES after AXES_FAILURE_LIMIT failures
# of the same user name from the same (client) address — an attacker elsewhere cannot lock
# a user out of their own address. Attempts during the lock-out do not restart it.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_MINUTES", default=30) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_CLIENT_IP_CALLABLE = "linke.clientip.client_ip"
AXES_LOCKOUT_TEMPLATE = "accounts/lockout.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

# --- Language and time ----------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

# --- Static and uploaded files --------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
MEDIA_URL = "media/"
# Originals of audio-visual records (第二十七条 专用存储器): a separate store that the app
# never deletes from or overwrites (the avrecords.storage backends refuse both). Locally its
# files are written read-only; on S3 each object gets Object Lock COMPLIANCE retention.
ORIGINALS_ROOT = Path(env.str("ORIGINALS_ROOT", default=str(VAR_DIR / "originals")))

S3_BUCKET = env.str("AWS_STORAGE_BUCKET_NAME", default="")
S3_ORIGINALS_BUCKET = env.str("AWS_ORIGINALS_BUCKET_NAME", default="")
_s3_common = {
    "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default=None),
    "region_name": env.str("AWS_S3_REGION_NAME", default=None),
    "access_key": env.str("AWS_ACCESS_KEY_ID", default=None),
    "secret_key": env.str("AWS_SECRET_ACCESS_KEY", default=None),
    "file_overwrite": False,
    "default_acl": None,
    "querystring_auth": True,
}
STORAGES = {
    "default": (
        {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {**_s3_common, "bucket_name": S3_BUCKET}}
        if S3_BUCKET
        else {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    ),
    "originals": (
        {
            "BACKEND": "avrecords.storage.OriginalsS3Storage",
            "OPTIONS": {**_s3_common, "bucket_name": S3_ORIGINALS_BUCKET},
        }
        if S3_ORIGINALS_BUCKET
        else {
            "BACKEND": "avrecords.storage.OriginalsFileStorage",
            "OPTIONS": {"location": ORIGINALS_ROOT, "base_url": None, "file_permissions_mode": 0o444},
        }
    ),
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG and env.bool("STATIC_MANIFEST", default=True)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Days an original stays under S3 Object Lock COMPLIANCE retention (on-scene recordings are
# commonly kept at least 6 months; see DOMAIN.md).
ORIGINALS_RETENTION_DAYS = env.int("ORIGINALS_RETENTION_DAYS", default=183)
# Once its case is concluded or sealed an original is kept as long as the case file
# (ARCHIVE_RETENTION, avrecords.retention); a permanent (Y) file's originals get a legal hold
# and COMPLIANCE retention for this many years (S3 needs a date).
ORIGINALS_PERMANENT_LOCK_YEARS = env.int("ORIGINALS_PERMANENT_LOCK_YEARS", default=100)
# Audio-visual uploads (tus, /api/v1/uploads/): where they accumulate until stored (web and
# worker processes must share it), the largest accepted file, and an optional queue of
# workers of their own for transcoding (empty: the ingest task's queue).
AV_STAGING_DIR = env.str("AV_STAGING_DIR", default=str(VAR_DIR / "av-staging"))
AV_UPLOAD_MAX_SIZE = env.int("AV_UPLOAD_MAX_SIZE", default=64 * 1024**3)
# A long PATCH is made durable, and its offset recorded, every this many bytes: a web process
# killed mid-PATCH (a restart, a timeout) loses at most this much of what it had received.
AV_UPLOAD_CHECKPOINT = env.int("AV_UPLOAD_CHECKPOINT", default=64 * 1024**2)
# Seconds a tus PATCH waits for more of its body before it ends with what arrived and frees
# the upload for the station's retry (a dropped 4G/NAT link leaves its socket open).
AV_UPLOAD_IDLE_TIMEOUT = env.float("AV_UPLOAD_IDLE_TIMEOUT", default=30)
# The Celery queue of the derive step (posters, proxies: ffmpeg, CPU-bound), consumed by
# transcoding workers of its own (docker-compose: worker-derive, `-Q derive`). Empty: the
# derive step runs on the queue of the ingest task (one worker does everything).
AV_DERIVE_QUEUE = env.str("AV_DERIVE_QUEUE", default="")
# The largest picture (width x height as coded) decoded for a poster, proxy or display image;
# a larger one is flagged and kept, not decoded: ffmpeg needs about 4 bytes a pixel for it
# (50 MP: ~200 MB), and the worker itself never holds more than a 1280 x 1280 picture.
AV_MAX_PIXELS = env.int("AV_MAX_PIXELS", default=50_000_000)
# The browser copy (播放副本) of a video: at most this many pixels on its longer side; a source
# browsers play as it is and within this size is remuxed (stream copy), anything else transcoded.
AV_PROXY_MAX_SIDE = env.int("AV_PROXY_MAX_SIDE", default=1280)
# Seconds before the first retry of a failed ingest step; each retry waits twice as long.
AV_RETRY_BACKOFF = env.float("AV_RETRY_BACKOFF", default=30)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# Serve static files from the app folders when there is no collectstatic output
# (the embedded default and the tests).
WHITENOISE_USE_FINDERS = DEBUG or not env.bool("STATIC_MANIFEST", default=True)
WHITENOISE_AUTOREFRESH = WHITENOISE_USE_FINDERS

# --- Celery ---------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
# Without a broker the embedded default runs every task in-process.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# Redis hands a task whose worker died unacknowledged (acks_late) to another worker after
# visibility_timeout seconds (kombu redis transport options, as JSON).
CELERY_BROKER_TRANSPORT_OPTIONS = env.json("CELERY_BROKER_TRANSPORT_OPTIONS", default={"visibility_timeout": 3600})
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Every send of the derive task (the ingest task's, a retry's, a redo by hand) goes to the
# transcoding workers when they have a queue.
CELERY_TASK_ROUTES = {"avrecords.tasks.record_derive_task": {"queue": AV_DERIVE_QUEUE}} if AV_DERIVE_QUEUE else {}
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE = {
    # 第三、四条: verify the audit chain incrementally and sign a checkpoint.
    "audit-verify": {"task": "audit.tasks.audit_verify_task", "schedule": crontab(minute="*/10")},
    # Deadlines: remind (due within one working day) and escalate overdue items.
    "deadlines-scan": {"task": "deadlines.tasks.deadlines_scan_task", "schedule": crontab(minute="*/15")},
    # Fixity: re-hash a bounded batch of AV originals (oldest check first), alert on mismatch.
    "av-fixity": {"task": "avrecords.tasks.fixity_scan_task", "schedule": crontab(minute="5,35")},
}
# Statistics (archive.stats): recompute missing or stale stored quality scores, nightly.
CELERY_BEAT_SCHEDULE["archive-scores"] = {
    "task": "archive.stats.case_scores_refresh_task",
    "schedule": crontab(hour=2, minute=20),
}
# Statistics (archive.stats_tally): fold the tally's appended rows into one per key.
CELERY_BEAT_SCHEDULE["archive-stats-tally"] = {
    "task": "archive.stats.stats_tally_compact_task",
    "schedule": crontab(minute="*/10"),
}
# Task modules outside the apps' tasks.py (autodiscovery finds only those).
CELERY_IMPORTS = ["archive.stats", "avrecords.retention"]

# --- Cache ----------------------------------------------------------------------------
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# --- E-mail ---------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="linke@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_ENABLED = env.bool("EMAIL_ENABLED", default="EMAIL_URL" in env.ENVIRON)
ADMINS = [("admin", a) for a in env.list("ADMIN_EMAILS", default=[])]

# --- Audit trail ----------------------------------------------------------------------
# Ed25519 private key (PEM) that signs audit checkpoints. The embedded default generates
# one under var/ on first use; production sets AUDIT_SIGNING_KEY or AUDIT_SIGNING_KEY_FILE.
AUDIT_SIGNING_KEY = env.str("AUDIT_SIGNING_KEY", default="", multiline=True)
AUDIT_SIGNING_KEY_FILE = env.str("AUDIT_SIGNING_KEY_FILE", default=str(VAR_DIR / "audit_signing_key.pem"))
AUDIT_VERIFY_BATCH = env.int("AUDIT_VERIFY_BATCH", default=200_000)

# --- 第六章: case files (案卷) ---------------------------------------------------------
# The order of the case file, per case kind: 正卷 then 副卷, each a list of document-type codes
# (documents.registry.DocTypeCode values) and record kinds ("attachment": the case's evidence
# files; "av_record": its AV records whose original is in dedicated storage, 0 pages, the
# original in the bag; the recorded rows made into generated pages, archive.record_pages.RECORD_PAGES:
# "case_source", "investigation_report", "review_approval", "legal_review",
# "collective_discussion", "closing_report"). Common practice (DOMAIN.md 第六章): 正卷 — filing
# approval, decision, other documents and delivery receipts, evidence; 副卷 — case source,
# investigation-end report, legal review, collective discussion, hearing report, closing report.
# A document of a type not listed (an attachment, an AV record) goes at the end of the 正卷 with a
# remark; a generated record kind not listed is left out; archive.casefile refuses an unknown code.
ARCHIVE_VOLUME_ORDER: dict[str, dict[str, list[str]]] = {
    "penalty": {
        "正卷": [
            "filing_approval",
            "penalty_decision",
            "no_penalty_decision",
            "penalty_notice",
            "hearing_notice",
            "evidence_collection",
            "inquiry",
            "inspection",
            "sampling",
            "preservation",
            "preservation_decision",
            "commission",
            "other_activity",
            "hearing_record",
            "enforcement_reminder",
            "service_receipt",
            "attachment",
            "av_record",
        ],
        "副卷": [
            "case_source",
            "non_filing_notice",
            "investigation_report",
            "review_approval",
            "legal_review",
            "collective_discussion",
            "hearing_report",
            "closing_report",
        ],
    },
    "licensing": {
        "正卷": [
            "acceptance_notice",
            "supplement_notice",
            "non_acceptance_decision",
            "licence_grant",
            "licence_refusal",
            "inspection",
            "other_activity",
            "hearing_notice",
            "hearing_record",
            "service_receipt",
            "attachment",
            "av_record",
        ],
        "副卷": ["review_approval", "legal_review", "collective_discussion", "hearing_report", "closing_report"],
    },
}
# Retention (国家档案局令第8号: 永久, 30年, 10年) per case kind. Unverified defaults: important
# penalty files are commonly permanent, others 30 years; licensing often 30 or 10 years.
ARCHIVE_RETENTION = {"penalty": "D30", "licensing": "D10"}
# 全宗号 (fonds number) and the class code (类别代码) per case kind in the 档号 (DA/T 22-2015).
# Placeholders until the archives bureau assigns them.
ARCHIVE_FONDS = env.str("ARCHIVE_FONDS", default="0001")
ARCHIVE_CLASS_CODE = {"penalty": "XZZF", "licensing": "XZXK"}
# 第二十八条: the case file within 30 (calendar) days of conclusion; "法律、法规和规章对归档期限有特殊
# 规定的，从其规定" — a period another regulation sets, per case kind, goes here.
ARCHIVE_PERIOD_DAYS = {"penalty": 30, "licensing": 30}
# 第二十九条 sets no length for a consultation's access period: the longest the head may grant, in
# calendar days from the approval (unverified default: neither the Measures nor DOMAIN.md gives one).
CONSULTATION_MAX_DAYS = env.int("CONSULTATION_MAX_DAYS", default=30)
# The furthest ahead an officer may fix a hearing (听证时间) or a 催告书's 履行期限, in calendar days:
# a bound against a mistyped year (2099), not a legal period — the law sets none for either
# (unverified default).
AHEAD_MAX_DAYS = env.int("AHEAD_MAX_DAYS", default=180)
# The largest scan (PDF, JPG, PNG) an officer or archivist uploads as a 送达回证, 缴款凭证,
# 意见书 or an addendum, in bytes (linke.validators.validate_scan).
SCAN_UPLOAD_MAX_SIZE = env.int("SCAN_UPLOAD_MAX_SIZE", default=20 * 1024 * 1024)
# The most pixels (width × height) an image scan may have: checked from the image's header before
# it is decoded, so a small file that unpacks to gigabytes (a decompression bomb) is refused at
# upload (linke.validators.image_pdf). An A4 page scanned at 600 dpi is 35 million pixels.
SCAN_MAX_PIXELS = env.int("SCAN_MAX_PIXELS", default=50_000_000)

# --- Agency ---------------------------------------------------------------------------
AGENCY_NAME = env.str("AGENCY_NAME", default="临沂市科学技术局")
# Prefix of case numbers (案号) and document numbers (文号), e.g. 临科罚立〔2026〕17号.
AGENCY_PREFIX = env.str("AGENCY_PREFIX", default="临科")
# The remedies a decision names (《行政处罚法》第五十九条第（五）项; 《行政许可法》第三十八条第二款):
# reconsideration within 60 days to the municipal government (行政复议法 2023 第二十条、第二十四条)
# and a suit within 6 months (行政诉讼法 第四十六条) to the court below.
REVIEW_RECONSIDERATION_BODY = env.str("REVIEW_RECONSIDERATION_BODY", default="临沂市人民政府")
# Unverified: which basic court hears suits against the agency (行政诉讼法 第十八条; Linyi may
# concentrate administrative cases in designated courts). Set it to the court the agency uses.
REVIEW_COURT = env.str("REVIEW_COURT", default="临沂市兰山区人民法院")

# --- 第十四、十五条: notice, defence and hearing (review/defence.py, review/hearing.py) ---------
# The period for statement and defence after the 行政处罚事先告知书 is served, in working days,
# per case kind (《行政处罚法》第四十五条 sets none; agencies commonly give 3 or 5 working days —
# the default 5 is unverified: set it to the agency's rule).
REVIEW_DEFENCE_WORKING_DAYS = env.json("REVIEW_DEFENCE_WORKING_DAYS", default={"penalty": 5})
# 第二十二条; 《民事诉讼法》第九十五条 (2021 amendment): an announcement counts as served this many
# days after its publication (60 before the amendment).
DELIVERY_ANNOUNCEMENT_DAYS = env.int("DELIVERY_ANNOUNCEMENT_DAYS", default=30)
# 《行政处罚法》第六十三条第一款第（一）项: 较大数额罚款 and 没收较大数额违法所得、较大价值非法财物
# give the party a hearing. The amounts are set by the province: the defaults below (yuan, at or
# above) are UNVERIFIED (figures seen elsewhere: citizens 1,000–5,000, organisations 30,000–100,000).
REVIEW_HEARING_FINE_PERSON_YUAN = env.int("REVIEW_HEARING_FINE_PERSON_YUAN", default=10_000)
REVIEW_HEARING_FINE_ORGANISATION_YUAN = env.int("REVIEW_HEARING_FINE_ORGANISATION_YUAN", default=100_000)
REVIEW_HEARING_CONFISCATION_PERSON_YUAN = env.int("REVIEW_HEARING_CONFISCATION_PERSON_YUAN", default=10_000)
REVIEW_HEARING_CONFISCATION_ORGANISATION_YUAN = env.int(
    "REVIEW_HEARING_CONFISCATION_ORGANISATION_YUAN", default=100_000
)

# --- Security (production) ------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 3600)
# Pages that must be framed (a PDF preview) use @xframe_options_sameorigin.
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG and env.bool("HTTPS", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SILENCED_SYSTEM_CHECKS = env.list("SILENCED_SYSTEM_CHECKS", default=[])
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Covering indexes (INCLUDE) are a PostgreSQL optimisation; SQLite builds them without.
    SILENCED_SYSTEM_CHECKS.append("models.W040")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

# --- Review: collective discussion and publication (第四章) ------------------------------
# 《行政处罚法》第五十七条第二款: complex or major cases are decided by the heads collectively.
# Which penalties count as heavy enough to need 集体讨论 is set by each agency's own rules
# (unverified defaults: a fine or confiscation of at least this many yuan, or one of these
# penalty kinds).
COLLECTIVE_DISCUSSION_FINE_YUAN = env.int("COLLECTIVE_DISCUSSION_FINE_YUAN", default=100_000)
COLLECTIVE_DISCUSSION_KINDS = env.list(
    "COLLECTIVE_DISCUSSION_KINDS",
    default=["revoke_licence", "downgrade_qualification", "order_suspension", "order_closure", "restrict_employment"],
)
# 行政执法公示: how long a published decision stays on the public page (DOMAIN.md: commonly
# one year; unverified as a rule), in calendar days.
PUBLICATION_PERIOD_DAYS = env.int("PUBLICATION_PERIOD_DAYS", default=365)

# Exported archival packages (archive.export): bag directories and the tars handed out.
ARCHIVE_EXPORT_DIR = Path(env.str("ARCHIVE_EXPORT_DIR", default=str(VAR_DIR / "exports")))
