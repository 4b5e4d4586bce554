#!/usr/bin/env bash
# One-time migration: common/ split into rooms; sasl into server/auth. Idempotent for the
# include rewrite part (run again after merging branches written against the old paths).
set -euo pipefail
cd "${1:-.}"
declare -A room=(
 [app_main]=base [base64]=base [errors]=base [ipv4]=base [line_reader]=base [seconds]=base [version]=base
 [mail_address]=mail [mail_date]=mail [mime_text]=mail [password_hash]=mail
 [dns_message]=dns [dns_update]=dns [tsig]=dns [dns_resolver_tcp]=dns
 [journal]=journal [journal_event]=journal [journal_file]=journal [journey]=journal [event_catalogue]=journal
 [config]=config [config_faults]=config [config_registry]=config [config_registry_same]=config [config_registry_yaml]=config [config_yaml]=config [yaml_checks]=config [zone]=config
 [name_lookup]=lookup [dns_resolver]=lookup [mail_services]=lookup
 [log]=ops [fault_gate]=ops [control_socket]=ops
)
moves=()
for b in "${!room[@]}"; do
	for ext in h cpp; do
		if [ -e "common/$b.$ext" ]; then
			mkdir -p "common/${room[$b]}"
			git mv "common/$b.$ext" "common/${room[$b]}/$b.$ext"
		fi
	done
	moves+=("s#\"common/$b\\.h\"#\"common/${room[$b]}/$b.h\"#g")
done
for ext in h cpp; do
	if [ -e "common/sasl.$ext" ]; then mkdir -p server/auth; git mv "common/sasl.$ext" "server/auth/sasl.$ext"; fi
done
moves+=('s#"common/sasl\.h"#"server/auth/sasl.h"#g')
python3 - "$(declare -p room)" <<'PY'
import re, subprocess, os, sys
room = dict(re.findall(r'\[(\w+)\]="?(\w+)"?', sys.argv[1]))
files = subprocess.run(['git', 'ls-files'], capture_output=True, text=True).stdout.split()
pat = re.compile(r'common/([a-z_0-9]+)\.(h|cpp|o)\b')
def rep(m):
    b = m.group(1)
    if b == 'sasl': return 'server/auth/sasl.' + m.group(2)
    return f'common/{room[b]}/{b}.{m.group(2)}' if b in room else m.group(0)
for f in files:
    if not os.path.isfile(f) or os.path.islink(f): continue
    try: s = open(f).read()
    except UnicodeDecodeError: continue
    n = pat.sub(rep, s)
    if n != s: open(f, 'w').write(n)
PY
# first-line comments name the file's path in some files? (they name only the base name)
left=$(ls common/*.h common/*.cpp 2>/dev/null || true)
[ -z "$left" ] || { echo "still flat in common/: $left" >&2; exit 1; }
