# shellcheck shell=bash
# Shared helper, sourced by bin/* scripts (not executable on its own).
#
#  * cd's to the repository root (computed from this file's location),
#  * ensures a Python 3.11 virtualenv at .venv,
#  * (re)installs requirements.txt into it only when requirements.txt changed
#    since the last successful install (sha256 stamp in .venv/.requirements.sha256),
#  * puts .venv/bin first on PATH.
#
# Quiet on the happy path; prints an error and returns non-zero otherwise
# (callers run with `set -e`, so that aborts them).

_renda_die() {
    echo "bin/_env.sh: error: $*" >&2
    return 1
}

_renda_env_setup() {
    local root py candidate want have
    root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)" || return 1
    cd "$root" || return 1
    RENDA_ROOT="$root"
    export RENDA_ROOT

    if [ ! -e .venv/bin/python ]; then
        py=""
        for candidate in python3.11 python3; do
            if command -v "$candidate" >/dev/null 2>&1 &&
                "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; then
                py="$candidate"
                break
            fi
        done
        [ -n "$py" ] || _renda_die "Python 3.11 not found (apt-get install python3 python3-venv)" || return 1
        echo "==> creating virtualenv .venv ($(command -v "$py"))" >&2
        "$py" -m venv .venv ||
            _renda_die "'$py -m venv .venv' failed (on Debian: apt-get install python3-venv)" || return 1
    fi
    .venv/bin/python -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null ||
        _renda_die ".venv/bin/python is broken or not Python 3.11; remove .venv and re-run" || return 1

    [ -f requirements.txt ] || _renda_die "requirements.txt not found in $root" || return 1
    want="$(sha256sum requirements.txt | cut -d' ' -f1)" || return 1
    have="$(cat .venv/.requirements.sha256 2>/dev/null || true)"
    if [ "$want" != "$have" ]; then
        echo "==> installing requirements.txt into .venv" >&2
        rm -f .venv/.requirements.sha256
        .venv/bin/python -m pip install --quiet --disable-pip-version-check \
            --no-input -r requirements.txt ||
            _renda_die "pip install -r requirements.txt failed" || return 1
        printf '%s\n' "$want" >.venv/.requirements.sha256 || return 1
    fi

    VIRTUAL_ENV="$root/.venv"
    PATH="$VIRTUAL_ENV/bin:$PATH"
    export VIRTUAL_ENV PATH
    unset PYTHONHOME
}

_renda_env_setup
