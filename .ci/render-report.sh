#!/usr/bin/env bash
# Renders the demo's Word report and a meeting's appendix to PDF and PNG, to look at them.
# Needs LibreOffice and poppler (apt-get install libreoffice-writer-nogui poppler-utils), and, where
# Times New Roman is not installed, Liberation Serif 2 (fonts-liberation2): the older Liberation
# fonts lack some Vietnamese letters, which then come from another font. Too heavy for .ci/run,
# which does not call this. Usage: .ci/render-report.sh [OUT_DIR] [QUERY]
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-target/render-report}"
query="${2:-period=2022-H2&as_of=2022-12-31}"
for tool in soffice pdftoppm curl; do
  command -v "$tool" >/dev/null || { echo "render-report: $tool is missing" >&2; exit 1; }
done
if command -v fc-list >/dev/null && ! fc-list : family file | grep -qi -e "times new roman" -e "/liberation2/LiberationSerif"; then
  echo "render-report: neither Times New Roman nor Liberation Serif 2; Vietnamese letters may look mixed (apt-get install fonts-liberation2)" >&2
fi
mkdir -p "$out"
work=$(mktemp -d)
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

cargo build --quiet
bin="${CARGO_TARGET_DIR:-target}/debug/dondoc"
port=$((20000 + RANDOM % 20000))
export DATABASE_URL="sqlite://$work/dondoc.db" DONDOC_BIND="127.0.0.1:$port" \
  DONDOC_BASE_URL="http://127.0.0.1:$port" DONDOC_MAIL_DIR="$work/mail" \
  DONDOC_FILES_DIR="$work/files" DONDOC_REMINDER_INTERVAL=0
"$bin" demo >/dev/null
"$bin" serve >"$work/serve.log" 2>&1 &
pid=$!
base="http://127.0.0.1:$port"
for _ in $(seq 1 50); do curl -fs "$base/healthz" >/dev/null && break; sleep 0.2; done

jar="$work/cookies"
csrf=$(curl -fs -c "$jar" -b "$jar" "$base/login" | grep -o 'name="csrf" value="[^"]*"' | head -n1 | sed 's/.*value="//; s/"$//')
sign_in() {
  curl -fs -c "$jar" -b "$jar" -o /dev/null --data-urlencode "csrf=$csrf" \
    --data-urlencode "email=$1" --data-urlencode "password=$2" \
    --data-urlencode "next=/dashboard" "$base/login"
}
# RENDER_LAYOUT=state: a state body's names instead of the demo's Party layout.
if [ "${RENDER_LAYOUT:-party}" = state ]; then
  sign_in quantri@dondoc.local quantri-2022
  # Signing in starts a new session with its own form token.
  csrf=$(curl -fs -c "$jar" -b "$jar" "$base/account/password" | grep -o 'name="csrf" value="[^"]*"' | head -n1 | sed 's/.*value="//; s/"$//')
  curl -fs -c "$jar" -b "$jar" -o /dev/null --data-urlencode "csrf=$csrf" \
    --data-urlencode "layout=state" --data-urlencode "parent_body=UBND tỉnh Hà Nam" \
    --data-urlencode "issuer=Sở Nội vụ" --data-urlencode "issuer_short=SNV" \
    --data-urlencode "place=Hà Nam" --data-urlencode "signer_authority=K/T Giám đốc" \
    --data-urlencode "signer_title=Phó Giám đốc" --data-urlencode "signer_name=Nguyễn Văn An" \
    --data-urlencode "recipients=$(printf 'UBND tỉnh (để b/c)\nCác phòng, đơn vị thuộc Sở\nLưu: VT, VP')" \
    "$base/admin/report"
fi
sign_in lanhdao@dondoc.local lanhdao-2022
curl -fs -b "$jar" -o "$out/bao-cao.docx" "$base/dashboard/report.docx?$query"
curl -fs -b "$jar" -o "$out/phu-luc.docx" "$base/meetings/1/tasks.docx"
curl -fs -b "$jar" -o "$out/phu-luc.xlsx" "$base/meetings/1/tasks.xlsx"

soffice --headless --convert-to pdf --outdir "$out" "$out/bao-cao.docx" "$out/phu-luc.docx" >/dev/null
pdftoppm -png -r 70 -f 1 -l 3 "$out/bao-cao.pdf" "$out/bao-cao"
pdftoppm -png -r 70 -f 1 -l 1 "$out/phu-luc.pdf" "$out/phu-luc"
ls -1 "$out"
