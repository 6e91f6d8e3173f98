#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# intree-env.sh COMMAND [ARGS...]: run COMMAND where the 6.12 source tree
# ($KSRC) holds this project at mm/hakmem, sourced from mm/Kconfig and
# mm/Makefile, as a kernel developer would place it.
#
# The shared, unpacked source is never written: COMMAND runs in a private
# mount namespace (unshare -m, root) in which a read-only overlay of
# $HAKMEM_CACHE/intree/overlay/upper over $KSRC is bound over $KSRC itself
# (builds with O= write only to their build directory).
# The tree therefore keeps its path, and a kernel build directory made
# from it (a copy of a cached test kernel, or kunit.py's) keeps every
# command line: an incremental build recompiles only what the project's
# files and CONFIG_HAKMEM* touch.  Other processes on the machine see the
# plain tree.
#
# The project's files are synchronised into the upper layer by content
# (rsync --checksum, no times kept): an unchanged file keeps its old mtime
# and is not rebuilt; a changed one gets a new mtime and is.  Several
# checkouts share the upper layer: the synchronisation waits for every
# COMMAND running on it to end (flock, exclusive), COMMANDs run side by
# side (shared).
#
# INTREE_DIR (mm/hakmem) is where the project goes; INTREE_HASH_FILE, when
# set, receives a hash of what the tree holds of the project (for callers
# that cache build results).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ $# -gt 0 ] || die "usage: intree-env.sh COMMAND [ARGS...]"
[ "$(id -u)" = 0 ] || die "intree-env.sh mounts an overlay in a mount namespace: run it as root"
ensure_ksrc
INTREE_DIR=${INTREE_DIR:-mm/hakmem}
parent=${INTREE_DIR%/*}
base=$HAKMEM_CACHE/intree/overlay
upper=$base/upper
mkdir -p "$upper/$INTREE_DIR" "$base/merged"

# The project's files, as git sees them (tracked and untracked, not
# ignored), less what a kernel tree has no use for.
files=$(cd "$HAKMEM_TOP" &&
	{ git ls-files -co --exclude-standard 2>/dev/null ||
	  find . -type f ! -path './.git/*' | sed 's|^\./||'; } |
	grep -Ev '^(tools|Documentation|\.ci|\.git)/|^(README\.md|Makefile|dkms\.conf|\.gitignore)$' |
	while read -r f; do [ -f "$f" ] && echo "$f"; done | sort)
[ -n "$files" ] || die "no project files found in $HAKMEM_TOP"
# The parent's Kconfig sources ours inside its menu (before the last
# "endmenu", or at the end); its Makefile descends into our directory.
kconfig=$(awk -v src="source \"$INTREE_DIR/Kconfig\"" '
	{ line[NR] = $0 } /^endmenu/ { last = NR }
	END { for (i = 1; i <= NR; i++) { if (i == last) print src; print line[i] }
	      if (!last) print src }' "$KSRC/$parent/Kconfig")
makefile=$(cat "$KSRC/$parent/Makefile"; echo "obj-\$(CONFIG_HAKMEM) += ${INTREE_DIR##*/}/")

# rsync_files [OPTIONS]: the project's files into the upper layer, by
# content.
rsync_files() {
	printf '%s\n' "$files" |
		rsync -rc "$@" --files-from=- "$HAKMEM_TOP/" "$upper/$INTREE_DIR/"
}
# What the upper layer holds and the project no longer does.
stale_files() {
	(cd "$upper/$INTREE_DIR" && find . -type f | sed 's|^\./||' | sort) |
		comm -23 - <(printf '%s\n' "$files")
}
in_sync() {
	[ -z "$(rsync_files -n -i)" ] && [ -z "$(stale_files)" ] &&
		cmp -s "$upper/$parent/Kconfig" <(printf '%s\n' "$kconfig") &&
		cmp -s "$upper/$parent/Makefile" <(printf '%s\n' "$makefile")
}
# put FILE CONTENT: write FILE of the upper layer only when it changes.
put() {
	cmp -s "$1" <(printf '%s\n' "$2") || printf '%s\n' "$2" >"$1"
}

# Commands run side by side on the layer (a shared lock); changing it
# waits for every one of them to end (an exclusive lock).
exec 8>"$base.lock"
flock -s 8
if ! in_sync; then
	flock 8
	rsync_files
	stale_files | while read -r f; do rm -f "$upper/$INTREE_DIR/$f"; done
	put "$upper/$parent/Kconfig" "$kconfig"
	put "$upper/$parent/Makefile" "$makefile"
	flock -s 8
fi

if [ -n "${INTREE_HASH_FILE:-}" ]; then
	(cd "$upper" && find . -type f | sort | xargs sha256sum) |
		sha256sum | cut -c1-16 >"$INTREE_HASH_FILE"
fi

# The overlay is bound over $KSRC in a mount namespace of our own.
# shellcheck disable=SC2016
exec unshare -m --propagation private -- bash -c '
	set -e
	mount -t overlay overlay -o "ro,lowerdir=$2/upper:$1" "$2/merged"
	mount --bind "$2/merged" "$1"
	shift 2
	exec "$@"' intree-env "$KSRC" "$base" "$@"
