#!/usr/bin/env bash
# A new user's install: the Python's own pip, as ensurepip ships it (not upgraded;
# pip 23.2 on Python 3.11), in a fresh venv, then a crawl of the demo portal and
# an extraction with the installed `provnews` command. Run by .ci/run.
# Each step has a time limit: a hang fails here in minutes, not at the CI deadline.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
work=$(mktemp -d)
portal_pid=
cleanup() { [ -n "$portal_pid" ] && kill "$portal_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
"$PYTHON" -m venv "$work/venv"
"$work/venv/bin/python" -m pip --version
"$work/venv/bin/python" -m pip install --quiet --disable-pip-version-check . 2>&1 | grep -v "is ignored" || true
"$work/venv/bin/provnews" --version
"$PYTHON" tests/fixtures/portal/server.py --port 0 --crawl-delay 0.02 > "$work/portal.url" &
portal_pid=$!
for _ in $(seq 50); do [ -s "$work/portal.url" ] && break; sleep 0.1; done
url=$(head -1 "$work/portal.url")
cd "$work"     # nothing of the checkout on the path: only what pip installed
HF_HUB_OFFLINE=1 PROVNEWS_SETTINGS=/dev/null timeout 600 venv/bin/provnews crawl "$url" --out corpus --delay 0
HF_HUB_OFFLINE=1 timeout 600 venv/bin/provnews extract --corpus corpus --quiet
HF_HUB_OFFLINE=1 venv/bin/provnews query "SELECT count(*) AS documents, (SELECT count(*) FROM records) AS records FROM documents" --corpus corpus
docs=$(HF_HUB_OFFLINE=1 venv/bin/provnews query "SELECT count(*) FROM documents" --corpus corpus --format csv | tail -1)
[ "$docs" -ge 14 ] || { echo "user-install: expected the demo portal's 14 articles, got $docs" >&2; exit 1; }
echo "user-install: ok ($docs documents)"
