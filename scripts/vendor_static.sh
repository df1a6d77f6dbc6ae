#!/usr/bin/env bash
# Copy the front-end libraries from node_modules/ into hongqing/static/vendor/ (git-ignored).
#
#   scripts/vendor_static.sh
#
# Runs `npm ci` first when node_modules/ is missing or older than package-lock.json.
# The vendor folder is rebuilt from scratch each time (built beside it, then swapped in),
# so it holds exactly the files listed below and nothing stale.
set -euo pipefail
cd "$(dirname "$0")/.."

nm=node_modules
lock=package-lock.json
dest=hongqing/static/vendor

if [[ ! -f $nm/.package-lock.json || $lock -nt $nm/.package-lock.json || package.json -nt $nm/.package-lock.json ]]; then
    command -v npm >/dev/null || { echo "vendor_static: npm is not installed (Node.js 20 + npm needed)" >&2; exit 1; }
    echo "vendor_static: npm ci"
    npm ci --no-audit --no-fund --loglevel=error
    touch "$nm/.package-lock.json"
fi

mkdir -p "$(dirname "$dest")"
tmp=$(mktemp -d hongqing/static/.vendor.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

# copy SRC DEST_RELATIVE_TO_VENDOR
copy() {
    local src=$nm/$1 dst=$tmp/$2
    [[ -f $src ]] || { echo "vendor_static: missing $src (package layout changed?)" >&2; exit 1; }
    mkdir -p "$(dirname "$dst")"
    cp -p "$src" "$dst"
}

copy bootstrap/dist/css/bootstrap.min.css          bootstrap/bootstrap.min.css
copy bootstrap/dist/js/bootstrap.bundle.min.js     bootstrap/bootstrap.bundle.min.js
# The two files above end with a sourceMappingURL comment; ManifestStaticFilesStorage (DEBUG off,
# collectstatic) fails on a missing map, so the maps come along.
copy bootstrap/dist/css/bootstrap.min.css.map      bootstrap/bootstrap.min.css.map
copy bootstrap/dist/js/bootstrap.bundle.min.js.map bootstrap/bootstrap.bundle.min.js.map
copy htmx.org/dist/htmx.min.js                     htmx/htmx.min.js
copy echarts/dist/echarts.min.js                   echarts/echarts.min.js
# bootstrap-icons.min.css loads url("fonts/bootstrap-icons.woff2?…"), relative to the css file.
copy bootstrap-icons/font/bootstrap-icons.min.css  bootstrap-icons/bootstrap-icons.min.css
copy bootstrap-icons/font/fonts/bootstrap-icons.woff2 bootstrap-icons/fonts/bootstrap-icons.woff2
copy bootstrap-icons/font/fonts/bootstrap-icons.woff  bootstrap-icons/fonts/bootstrap-icons.woff

chmod 755 "$tmp"
rm -rf "$dest"
mv "$tmp" "$dest"
trap - EXIT
echo "vendor_static: $(find "$dest" -type f | wc -l) files in $dest"
