#!/bin/bash
# install-links.sh BINDIR [--remove]: manage golxc's lxc-* links in BINDIR.
#
# The list of tools comes from the installed binary (golxc --list-implemented),
# so it lives in one place: the tool registry. A link is made only for a
# tool golxc implements, so LXC's own tools (/usr/bin/lxc-unshare, ...) stay
# reachable through PATH for the others. Links to golxc for names it does not
# implement (left by an older install) are removed; anything that is not a
# link to golxc (LXC's files, other links) is never touched.
# With --remove every link to golxc is removed (make uninstall).
# GOLXC_LIST names the golxc binary to ask for the list when BINDIR/golxc
# is not one (the bash completion directory, where golxc is the script).
# When BINDIR holds golxc-query (the query tools' small binary), the tools
# it lists (golxc-query --list-tools) link to it instead of golxc.
set -euo pipefail
bindir=${1:?usage: install-links.sh BINDIR [--remove]}
mode=${2:-install}
golxc=$bindir/golxc
query=$bindir/golxc-query

implemented=""
querytools=""
if [ "$mode" != --remove ]; then
	implemented=$("${GOLXC_LIST:-$golxc}" --list-implemented)
	if [ -z "${GOLXC_LIST:-}" ] && [ -x "$query" ]; then
		querytools=$("$query" --list-tools)
	fi
fi

# is_golxc_link PATH: PATH is a symlink whose target is golxc (or
# golxc-query) in BINDIR.
is_golxc_link() {
	[ -L "$1" ] || return 1
	local target
	target=$(readlink "$1")
	[ "$target" = golxc ] || [ "$target" = "$golxc" ] || [ "$target" = golxc-query ] || [ "$target" = "$query" ]
}

shopt -s nullglob
for link in "$bindir"/lxc-*; do
	is_golxc_link "$link" || continue
	if ! grep -qxF -- "${link##*/}" <<<"$implemented"; then
		rm -f -- "$link"
	fi
done
for tool in $implemented; do
	if [ -e "$bindir/$tool" ] || [ -L "$bindir/$tool" ]; then
		if ! is_golxc_link "$bindir/$tool"; then
			echo "install-links: $bindir/$tool exists and is not golxc's: left alone (remove it to use golxc's $tool)" >&2
			continue
		fi
	fi
	if grep -qxF -- "$tool" <<<"$querytools"; then
		ln -sfn golxc-query "$bindir/$tool"
	else
		ln -sfn golxc "$bindir/$tool"
	fi
done
