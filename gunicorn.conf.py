"""Gunicorn settings for `make run` and production (override with GUNICORN_*)."""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(
    os.environ.get("GUNICORN_WORKERS", min(multiprocessing.cpu_count() + 1, 8))
)
# Threaded workers, one request at a time each by default (as sync workers
# were), because sync workers close the connection after every response: a
# phone on a 400 ms link then pays a new connection for each file. A gthread
# worker keeps idle connections in its poller, not in a thread, so a leader
# typing a password or reading the results index keeps hers open.
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread")
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
# The timeout bounds a whole request, the raw download of a million
# responses (about a minute) included; longer ones: flask export-raw.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))
graceful_timeout = 20
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "30"))  # seconds idle
max_requests = 5000  # recycle workers now and then: bounded memory
max_requests_jitter = 500
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-")
# Invitation tokens and query values (comment searches) never reach the log.
logger_class = "survey.accesslog.RedactingLogger"
# No client address (%(h)s) and no user agent (%(a)s): the access log must not
# undo the form's promise that neither is kept.
access_log_format = '%(t)s "%(r)s" %(s)s %(b)s %(M)sms'

control_socket_disable = True
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def post_worker_init(worker):
    """Warm the worker up, then freeze what it made out of the garbage
    collector's way (see survey/warmup.py for the warm-up).

    A full collection walked every module, class and function of the app and
    its libraries each time: about 100 ms, every dozen results pages, on this
    2-core machine. Frozen objects are never walked (they are never freed
    either, and were never going to be).
    """
    import gc

    from survey.warmup import warm_up

    warm_up(worker.wsgi)
    gc.freeze()
