#!/usr/bin/env bash
# include-roots.sh DIR - makes one include root per top-level folder under DIR.
#
# Sources include project headers by their path from the root ("common/config.h"). Each
# folder is compiled with -I DIR/<folder>, a directory of links to the folders it may
# include, and nothing else: common sees only common; dns, server and agent see common and
# themselves; the tests see everything. So `#include "server/..."` in agent/ or dns/ fails
# to compile instead of quietly coupling the programs.
set -euo pipefail
dir=${1:?usage: include-roots.sh DIR}
top=$(cd "$(dirname "$0")/.." && pwd)
declare -A may=(
	[common]="common"
	[dns]="common dns"
	[server]="common server"
	[agent]="common agent"
	[test]="common dns server agent test"
)
for folder in "${!may[@]}"; do
	rm -rf "${dir:?}/$folder"
	mkdir -p "$dir/$folder"
	for allowed in ${may[$folder]}; do
		ln -s "$top/$allowed" "$dir/$folder/$allowed"
	done
done
