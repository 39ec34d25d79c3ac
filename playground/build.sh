#!/bin/sh
# Copies GraphiQL and React (installed by `npm ci` from package-lock.json) into OUTDIR, where
# rest/playground embeds them into the binary next to its own page script. No bundler: the npm
# packages ship browser-ready UMD builds. Each JS and CSS file also gets a gzip copy, served to
# browsers that accept it.
set -eu

if [ $# -ne 1 ]; then
	echo "usage: $0 OUTDIR" >&2
	exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
out=$1
modules=$here/node_modules

for f in react/umd/react.production.min.js react-dom/umd/react-dom.production.min.js \
	graphiql/graphiql.min.js graphiql/graphiql.min.css; do
	if [ ! -f "$modules/$f" ]; then
		echo "$0: $modules/$f is missing: run 'npm ci' in $here first" >&2
		exit 1
	fi
done

mkdir -p "$out"
# Remove what an earlier build left, keeping the committed README.md.
find "$out" -mindepth 1 -maxdepth 1 ! -name README.md -exec rm -rf {} +

cp "$modules/react/umd/react.production.min.js" "$out/react.production.min.js"
cp "$modules/react-dom/umd/react-dom.production.min.js" "$out/react-dom.production.min.js"
cp "$modules/graphiql/graphiql.min.js" "$out/graphiql.min.js"
cp "$modules/graphiql/graphiql.min.css" "$out/graphiql.min.css"
for license in react react-dom graphiql; do
	cp "$modules/$license/LICENSE" "$out/LICENSE.$license.txt"
done

for f in "$out"/*.js "$out"/*.css; do
	gzip -9 -n -c "$f" >"$f.gz"
done
