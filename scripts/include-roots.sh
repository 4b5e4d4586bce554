#!/usr/bin/env bash
# include-roots.sh DIR - makes one include root per folder that compiles on its own.
#
# Sources include project headers by their path from the root ("common/config/config.h").
# Each program folder and each room of common/ is compiled with -I DIR/<folder>, a
# directory of links to the folders it may include, and nothing else. So an include that
# breaks the layering fails to compile instead of quietly coupling two parts:
#   - common/'s rooms are layered: base, dns (the DNS wire format) and journal use
#     only themselves, mail uses base; config uses base, mail and dns; lookup (the resolver) and ops
#     (logging, faults, the control socket) use config and what it uses;
#   - dns, server and agent see themselves and the rooms of common/ they use (mail-dns
#     has no mail text); the tests see everything.
set -euo pipefail
dir=${1:?usage: include-roots.sh DIR}
top=$(cd "$(dirname "$0")/.." && pwd)
declare -A rooms=(
	[common/base]="base"
	[common/mail]="base mail"
	[common/dns]="dns"
	[common/journal]="journal"
	[common/config]="base mail dns config"
	[common/lookup]="base mail dns config lookup"
	[common/ops]="base mail dns config ops"
	[dns]="base dns journal config lookup ops"
	[agent]="base mail dns journal config lookup ops"
	[server]="base mail dns journal config lookup ops"
	[test]="base mail dns journal config lookup ops"
)
declare -A programs=(
	[dns]="dns"
	[agent]="agent"
	[server]="server"
	[test]="dns server agent test"
)
rm -rf "${dir:?}"/*
for folder in "${!rooms[@]}"; do
	mkdir -p "$dir/$folder/common"
	for room in ${rooms[$folder]}; do
		ln -s "$top/common/$room" "$dir/$folder/common/$room"
	done
	for allowed in ${programs[$folder]:-}; do
		ln -s "$top/$allowed" "$dir/$folder/$allowed"
	done
done
