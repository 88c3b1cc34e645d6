#!/usr/bin/env bash
# Runs an OpenAPI fuzzer (schemathesis, every check) against the API, once per
# role, on a fresh SQLite database with the demo data. Exits non-zero on any
# failure: a 5xx, a status or a body the document does not declare, valid input
# refused, invalid input accepted, an undeclared method not answered 405.
# The refusals no document can rule out (values that contradict each other or
# what is stored, an as-of date before the period, a file's content) are named
# one by one in .ci/schemathesis_hooks.py. The seed is fixed: the same binary
# gives the same run.
#
#   .ci/schemathesis.sh                 # all four roles
#   ROLES="official" .ci/schemathesis.sh
#   MAX_EXAMPLES=20 .ci/schemathesis.sh  # more cases per operation (default 8)
#   DONDOC_BIN=path/to/dondoc .ci/schemathesis.sh  # without building
#   .ci/schemathesis.sh --install       # only install the fuzzer
# The test suite runs it (tests/api_fuzz.rs).
set -euo pipefail
cd "$(dirname "$0")/.."

venv="${SCHEMATHESIS_VENV:-$HOME/.cache/dondoc-schemathesis}"
st_version="${SCHEMATHESIS_VERSION:-4.32.5}"
if ! "$venv/bin/schemathesis" --version 2>/dev/null | grep -q "$st_version"; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q "schemathesis==$st_version"
fi
# `--install`: only make the venv (CI does it before the tests run it).
[ "${1:-}" = "--install" ] && exit 0

if [ -n "${DONDOC_BIN:-}" ]; then
  bin="$DONDOC_BIN"   # a binary built already
else
  cargo build --locked --quiet --bin dondoc
  bin="${CARGO_TARGET_DIR:-target}/debug/dondoc"
fi

work="$(mktemp -d)"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

port="${PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')}"
export DATABASE_URL="sqlite://$work/dondoc.db"
export DONDOC_BIND="127.0.0.1:$port"
export DONDOC_BASE_URL="http://127.0.0.1:$port"
export DONDOC_MAIL_DIR="$work/mail"
export DONDOC_FILES_DIR="$work/files"
export DONDOC_REMINDER_INTERVAL=0
export RUST_LOG="${RUST_LOG:-warn}"

"$bin" demo >/dev/null
declare -A emails=(
  [official]=chuyenvien@dondoc.local
  [unit]=bantuyengiao@dondoc.local
  [leader]=lanhdao@dondoc.local
  [admin]=quantri@dondoc.local
)
declare -A tokens=()
for role in "${!emails[@]}"; do
  tokens[$role]="$("$bin" token create --email "${emails[$role]}" | tail -n 1)"
done

"$bin" serve >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log"; exit 1; }
  sleep 0.2
done

# The hooks file the project's fuzzer settings name (schemathesis.toml), as an absolute path:
# the runs below start in the temporary folder.
hooks="$PWD/$(python3 -c 'import tomllib; print(tomllib.load(open("schemathesis.toml", "rb"))["hooks"])')"
[ -f "$hooks" ] || { echo "schemathesis.toml names a missing hooks file: $hooks"; exit 1; }
failed=()
for role in ${ROLES:-official unit leader admin}; do
  echo "== schemathesis as $role"
  # From the temporary folder: schemathesis keeps its cache in the current one.
  if ! (cd "$work" && SCHEMATHESIS_HOOKS="$hooks" "$venv/bin/schemathesis" run "http://127.0.0.1:$port/api/v1/openapi.json" \
      --checks all \
      --header "Authorization: Bearer ${tokens[$role]}" \
      --max-examples "${MAX_EXAMPLES:-8}" \
      --seed "${SEED:-1}" \
      --workers 1 \
      --no-color \
      --suppress-health-check all \
      --warnings off); then
    failed+=("$role")
  fi
done

if ! kill -0 "$server_pid" 2>/dev/null; then
  echo "the server stopped during the run:"; tail -n 50 "$work/server.log"; exit 1
fi
if [ ${#failed[@]} -gt 0 ]; then
  echo "schemathesis failed for: ${failed[*]}"
  exit 1
fi
echo "schemathesis: no failures for any role"
