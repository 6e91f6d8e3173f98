#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Install what the userspace harness needs, if missing (Debian 12, as root).
set -e
PKGS="clang valgrind libmimalloc-dev libjemalloc-dev libgoogle-perftools-dev libclang-rt-14-dev make gcc"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
if [ -z "$missing" ]; then
	echo "deps: all present"
	exit 0
fi
echo "deps: installing$missing"
if [ "$(id -u)" != 0 ]; then
	echo "deps: need root for apt-get" >&2
	exit 1
fi
apt-get update
DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $missing
