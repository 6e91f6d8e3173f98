#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# kunit-py.sh [--arch=x86_64] [kunit.py run options...]: the kernel's own
# KUnit runner on this project, as a kernel developer runs it:
#
#   ./tools/testing/kunit/kunit.py run --kunitconfig=mm/hakmem
#
# in the 6.12 tree holding the project at mm/hakmem (intree-env.sh), with
# the project's .kunitconfig.  UML by default (kunit.py's default: native,
# one CPU); --arch=x86_64 builds an x86_64 kernel and runs it in QEMU.
# The build directory is cached per architecture in
# $HAKMEM_CACHE/intree/kunit-ARCH: after the first build (minutes), a run
# rebuilds only what changed.  kunit.py's exit status is ours.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

arch=um
for a in "$@"; do
	case "$a" in
	--arch=*) arch=${a#--arch=} ;;
	esac
done
"$TESTBED/deps.sh" all >/dev/null
ensure_ksrc
dir=$HAKMEM_CACHE/intree/kunit-$arch
mkdir -p "$dir"
export PYTHONDONTWRITEBYTECODE=1
# shellcheck disable=SC2016
exec nice -n 10 "$TESTBED/intree-env.sh" bash -c 'cd "$1" && shift &&
	exec ./tools/testing/kunit/kunit.py run --kunitconfig=mm/hakmem "$@"' \
	kunit-py "$KSRC" --build_dir="$dir" --jobs=2 "$@"
