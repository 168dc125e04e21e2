# gunicorn settings of the ARGE-Partnerportal: copy this file to the folder you start gunicorn in and run
# `gunicorn -c gunicorn.conf.py` (deploy/systemd/arge-partnerportal.service names /etc/arge-partnerportal/).
# Every value can be changed through the environment variable named next to it, so one file serves every host.
# Reference: https://docs.gunicorn.org/en/stable/settings.html
#
# The app itself reads its settings from the environment too (README, "Konfiguration"): PORTAL_ENV=production,
# SECRET_KEY, DATABASE_URL, PORTAL_DATA_DIR, PORTAL_BASE_URL, PORTAL_TRUSTED_PROXIES=1 behind nginx, MAIL_*.

import multiprocessing
import os

# --- The app ---------------------------------------------------------------------------------------------------------
# portal/wsgi.py builds the app from the environment; without PORTAL_ENV (or with a weak SECRET_KEY in production)
# it refuses to start: the first worker fails to boot and gunicorn exits with that error in the log.
wsgi_app = "portal.wsgi:app"
# Each worker loads the app itself (gunicorn's default): nothing opened in one process (database connections, the
# PDF processes) is shared with another by fork.
preload_app = False

# --- Where it listens ------------------------------------------------------------------------------------------------
# Only on the loopback address: nginx in front of it terminates TLS and serves the public site (deploy/nginx.conf).
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:" + os.environ.get("PORT", "8001"))

# --- Workers ---------------------------------------------------------------------------------------------------------
# Synchronous workers: each handles one request at a time (mail and publishing run in `portal worker`, not here).
# Two per core plus one is gunicorn's rule of thumb; the benchmarks (README, "Leistung") ran 4 on 2 cores. Each
# worker also starts PORTAL_PDF_WORKERS PDF processes when it first needs one: count them into the memory.
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
# A worker silent for this long is killed and replaced (its request gets a 502 from nginx). Requests never wait for
# SMTP or a publish run; the PDF worker has its own limit (PORTAL_PDF_TIMEOUT, 60 s).
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))
# On `systemctl reload` or stop, running requests get this long to finish.
graceful_timeout = 30
# Keep-alive between nginx and gunicorn (nginx's upstream keepalive); short, a sync worker is busy while it waits.
keepalive = 5
# Workers are replaced after this many requests (with jitter, so not all at once): memory from a large upload or
# export does not stay with a worker for ever.
max_requests = 2000
max_requests_jitter = 200
# Request line and headers: gunicorn's limits; the body limit is PORTAL_MAX_UPLOAD_MB in the app and
# client_max_body_size in nginx.
limit_request_line = 8190
limit_request_fields = 100

# --- Proxy -----------------------------------------------------------------------------------------------------------
# gunicorn trusts X-Forwarded-Proto only from these addresses (nginx on the same host). The app reads the client's
# address from X-Forwarded-For itself (PORTAL_TRUSTED_PROXIES).
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# --- Logging ---------------------------------------------------------------------------------------------------------
# One JSON object a line on stderr (journald keeps it), for gunicorn's own messages and the app's, which carry the
# request id (portal/logs.py). gunicorn's access log is off: the app logs one line per request with the request id
# and the route pattern, while gunicorn's line would show the full path, and some paths carry a one-time token.
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "portal.logs.formatter", "log_format": "json"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}},
    "root": {"level": os.environ.get("GUNICORN_LOG_LEVEL", "INFO"), "handlers": ["stderr"]},
    "loggers": {
        "gunicorn.error": {"level": "INFO", "handlers": [], "propagate": True},
        "gunicorn.access": {"level": "WARNING", "handlers": [], "propagate": False},
    },
}
# The process name in `ps` and `top`.
proc_name = "arge-partnerportal"
# No control socket (gunicorn ≥ 27): systemd steers gunicorn with signals (reload: HUP, stop: TERM).
control_socket_disable = True
