#!/usr/bin/env bash
# A local Doccano 1.8.4 annotation server for skillner, bound to 127.0.0.1 only.
#
#   scripts/doccano.sh install   # create .venv-doccano (idempotent, marker file)
#   scripts/doccano.sh up        # migrate (once, via a template db), create the admin, start, wait for health
#   scripts/doccano.sh down      # stop the web server and the worker (idempotent)
#   scripts/doccano.sh status    # exit 0 if both recorded processes are alive
#
# Environment (all optional):
#   DOCCANO_PORT      port on 127.0.0.1                    (default 8000)
#   DOCCANO_USERNAME  admin user created by `up`            (default admin)
#   DOCCANO_PASSWORD  its password                          (default skillner-dev: a DEVELOPMENT
#                     default for a loopback-only server; set your own for anything else)
#   DOCCANO_HOME      db, media, pid files and logs         (default build/doccano)
#   DOCCANO_TEMPLATE  migrated empty db copied on first up  (default build/doccano-template.sqlite3)
#   DOCCANO_TIMEOUT   seconds to wait for /v1/health/       (default 90)
#   DOCCANO_PYTHON    interpreter for the venv              (default python3)
#
# Doccano runs in its own venv: its pins (Django 4.1, pandas 1.5, environs 9) clash with the
# project's. Plain `pip install doccano` resolves numpy 2 and marshmallow 4, which break pandas
# 1.5.3 and environs 9.5 at import, hence the two extra caps.
# `doccano webserver` always binds 0.0.0.0, so gunicorn is started directly instead.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv-doccano"
MARKER="$VENV/.installed"
REQUIREMENTS=("doccano==1.8.4" "numpy<2" "marshmallow<4")

PORT="${DOCCANO_PORT:-8000}"
USERNAME="${DOCCANO_USERNAME:-admin}"
PASSWORD="${DOCCANO_PASSWORD:-skillner-dev}"
HOME_DIR="${DOCCANO_HOME:-$ROOT/build/doccano}"
TEMPLATE="${DOCCANO_TEMPLATE:-$ROOT/build/doccano-template.sqlite3}"
TIMEOUT="${DOCCANO_TIMEOUT:-90}"
PYTHON="${DOCCANO_PYTHON:-python3}"

log() { echo "doccano: $*" >&2; }
die() { log "error: $*"; exit 1; }

abspath() {  # absolute path without requiring it to exist
    case "$1" in
        /*) printf '%s\n' "$1" ;;
        *) printf '%s\n' "$PWD/$1" ;;
    esac
}

cmd_install() {
    if [[ -f "$MARKER" ]] && [[ "$(cat "$MARKER")" == "${REQUIREMENTS[*]}" ]]; then
        touch "$MARKER"  # fresh for make, whose target depends on this script
        return 0
    fi
    log "installing ${REQUIREMENTS[*]} into $VENV"
    [[ -x "$VENV/bin/python" ]] || "$PYTHON" -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check "${REQUIREMENTS[@]}"
    # fail now, not at `up`, if the resolver picked an incompatible set again
    "$VENV/bin/python" -c "import numpy, pandas, environs, django, gunicorn, celery"
    printf '%s\n' "${REQUIREMENTS[*]}" >"$MARKER"
}

setup_env() {
    HOME_DIR="$(abspath "$HOME_DIR")"
    TEMPLATE="$(abspath "$TEMPLATE")"
    mkdir -p "$HOME_DIR/media" "$HOME_DIR/logs" "$HOME_DIR/run"
    # A per-home secret, generated once and kept (sessions/tokens survive restarts).
    if [[ ! -s "$HOME_DIR/secret_key" ]]; then
        (umask 077; "$VENV/bin/python" -c "import secrets; print(secrets.token_urlsafe(50))" >"$HOME_DIR/secret_key")
    fi
    export DJANGO_SETTINGS_MODULE=config.settings.production
    export STANDALONE=True
    export DEBUG=False
    export DATABASE_URL="sqlite:///$HOME_DIR/db.sqlite3"
    export MEDIA_ROOT="$HOME_DIR/media"
    export SECRET_KEY="$(cat "$HOME_DIR/secret_key")"
    export DOCCANO_HOME="$HOME_DIR"  # read by the `doccano` CLI too (else it creates ~/doccano)
    export PYTHONUNBUFFERED=1
    unset CELERY_BROKER_URL  # the broker is the same SQLite file (kombu sqlalchemy transport)
    BACKEND="$("$VENV/bin/python" -c 'import backend, os; print(os.path.dirname(backend.__file__))')"
}

pidfile() { printf '%s\n' "$HOME_DIR/run/$1.pid"; }

ours() {  # ours PID -> 0 if PID runs a program of .venv-doccano (guards against reused pids)
    local cmd
    cmd="$(tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null)" || return 1
    [[ "$cmd" == *"$VENV/bin/"* ]]
}

alive() {  # alive NAME -> 0 if the pid in its file runs, and is ours
    local f pid
    f="$(pidfile "$1")"
    [[ -s "$f" ]] || return 1
    pid="$(cat "$f")"
    kill -0 "$pid" 2>/dev/null && ours "$pid"
}

port_busy() {
    "$VENV/bin/python" - "$PORT" <<'EOF'
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as gunicorn does: TIME_WAIT is not "busy"
try:
    s.bind(("127.0.0.1", int(sys.argv[1])))
except OSError:
    sys.exit(0)
finally:
    s.close()
sys.exit(1)
EOF
}

health_ok() {
    "$VENV/bin/python" - "http://127.0.0.1:$PORT/v1/health/" <<'EOF'
import sys, urllib.request
try:
    with urllib.request.urlopen(sys.argv[1], timeout=3) as r:
        sys.exit(0 if r.status == 200 else 1)
except Exception:
    sys.exit(1)
EOF
}

migrate_db() {
    local db="$HOME_DIR/db.sqlite3"
    [[ -s "$db" ]] && { "$VENV/bin/doccano" migrate >>"$HOME_DIR/logs/init.log" 2>&1 || die "migrate failed, see $HOME_DIR/logs/init.log"; return 0; }
    if [[ ! -s "$TEMPLATE" ]]; then
        log "migrating a template database (once): $TEMPLATE"
        mkdir -p "$(dirname "$TEMPLATE")"
        local tmp="$TEMPLATE.tmp.$$"
        rm -f "$tmp"
        DATABASE_URL="sqlite:///$tmp" "$VENV/bin/doccano" init >>"$HOME_DIR/logs/init.log" 2>&1 \
            || { rm -f "$tmp"; tail -n 30 "$HOME_DIR/logs/init.log" >&2; die "doccano init failed"; }
        mv -f "$tmp" "$TEMPLATE"
    fi
    cp "$TEMPLATE" "$db"
}

create_admin() {
    # `doccano createuser` ignores an existing user, but it also does not reset its password;
    # do both through Django so DOCCANO_PASSWORD always wins. The password goes via env, never argv.
    (cd "$BACKEND" && DOCCANO_ADMIN_USER="$USERNAME" DOCCANO_ADMIN_PASSWORD="$PASSWORD" "$VENV/bin/python" - <<'EOF'
import os
import django
django.setup()
from django.contrib.auth import get_user_model
User = get_user_model()
user, _ = User.objects.get_or_create(username=os.environ["DOCCANO_ADMIN_USER"])
user.is_staff = user.is_superuser = user.is_active = True
user.set_password(os.environ["DOCCANO_ADMIN_PASSWORD"])
user.save()
EOF
    ) >>"$HOME_DIR/logs/init.log" 2>&1 || { tail -n 30 "$HOME_DIR/logs/init.log" >&2; die "creating the admin user failed"; }
}

start_bg() {  # start_bg NAME LOG CMD...: own session/process group, so `down` can kill the whole group
    local name="$1" logf="$2" f
    shift 2
    f="$(pidfile "$name")"
    rm -f "$f"
    # the pid is written by the process itself just before exec (right even if setsid forks)
    setsid bash -c 'echo $$ >"$0"; exec "$@"' "$f" "$@" >>"$logf" 2>&1 </dev/null &
    local i
    for i in $(seq 1 50); do [[ -s "$f" ]] && return 0; sleep 0.1; done
    die "could not start $name"
}

stop_all() {  # TERM both process groups at once (celery's warm shutdown takes ~5 s), wait, then KILL
    local name f pid i pids=()
    for name in web worker; do
        f="$(pidfile "$name")"
        if [[ -s "$f" ]]; then
            pid="$(cat "$f")"
            # setsid made $pid a group leader: the negative pid reaches its children too
            if kill -0 -- "-$pid" 2>/dev/null && { ours "$pid" || ! kill -0 "$pid" 2>/dev/null; }; then
                kill -TERM -- "-$pid" 2>/dev/null || true
                pids+=("$pid")
            fi
        fi
    done
    for pid in "${pids[@]}"; do
        for i in $(seq 1 75); do
            kill -0 -- "-$pid" 2>/dev/null || break
            sleep 0.2
        done
        kill -KILL -- "-$pid" 2>/dev/null || true
    done
    rm -f "$(pidfile web)" "$(pidfile worker)"
}

cmd_up() {
    cmd_install
    setup_env
    if alive web && alive worker && health_ok; then
        create_admin  # so a changed DOCCANO_USERNAME/DOCCANO_PASSWORD still applies
        log "already running"
        echo "http://127.0.0.1:$PORT/"
        return 0
    fi
    cmd_down_quiet
    port_busy && die "port $PORT on 127.0.0.1 is already in use (set DOCCANO_PORT)"
    migrate_db
    create_admin
    : >"$HOME_DIR/logs/web.log"
    : >"$HOME_DIR/logs/worker.log"
    start_bg web "$HOME_DIR/logs/web.log" \
        "$VENV/bin/gunicorn" --bind "127.0.0.1:$PORT" --workers 2 --timeout 300 \
        --chdir "$BACKEND" --capture-output config.wsgi
    start_bg worker "$HOME_DIR/logs/worker.log" \
        bash -c "cd '$BACKEND' && exec '$VENV/bin/celery' --app=config worker --loglevel=INFO --concurrency=1 --pool=solo --without-mingle --without-gossip --without-heartbeat"
    local start=$SECONDS
    until health_ok; do
        if ! alive web || ! alive worker || ((SECONDS - start > TIMEOUT)); then
            log "not healthy after $((SECONDS - start)) s; last lines of the logs:"
            for f in web worker; do
                echo "--- $HOME_DIR/logs/$f.log" >&2
                tail -n 25 "$HOME_DIR/logs/$f.log" >&2 || true
            done
            cmd_down_quiet
            die "Doccano did not become healthy on http://127.0.0.1:$PORT/v1/health/"
        fi
        sleep 0.5
    done
    log "up in $((SECONDS - start)) s as user '$USERNAME' (home $HOME_DIR)"
    echo "http://127.0.0.1:$PORT/"
}

cmd_down_quiet() {
    stop_all
}

cmd_down() {
    HOME_DIR="$(abspath "$HOME_DIR")"
    [[ -d "$HOME_DIR/run" ]] || return 0
    cmd_down_quiet
    log "stopped ($HOME_DIR)"
}

cmd_status() {
    HOME_DIR="$(abspath "$HOME_DIR")"
    alive web && alive worker
}

case "${1:-}" in
    install) cmd_install ;;
    up) cmd_up ;;
    down) cmd_down ;;
    status) cmd_status ;;
    *) echo "usage: $0 {install|up|down|status}" >&2; exit 2 ;;
esac
