#!/usr/bin/env bash
# install-deps.sh - install the Debian packages that building, running, testing and
# benchmarking the project need. Skips what is already installed; fails loudly when
# apt-get fails. Called by the Makefile, so a fresh Debian 12 machine needs nothing else.
#
#   scripts/install-deps.sh [GROUP ...]     groups: build run test fuzz bench lint
#
# Each make target asks for its own groups (make: build; make run: build run; make test:
# build test; make fuzz: fuzz; make bench: bench), so `make run` installs no clang or
# tshark. Without a group: build, run, test and fuzz. WITH_BENCH=1 and WITH_LINT=1 add
# those groups.
set -euo pipefail

# build: compiler is assumed (g++, make); libraries and tools below (ccache: rebuilds in a
# fresh clone or worktree are cache hits)
BUILD_PKGS=(g++ make ccache pkg-config libpoco-dev libssl-dev libyaml-cpp-dev libboost-test-dev libedit-dev)
# run: what the topology scripts use (dig, ss, pgrep; python3 for foreground.py)
RUN_PKGS=(dnsutils iproute2 procps python3)
# fuzzing: libFuzzer comes with clang
FUZZ_PKGS=(clang)
# tests: GNU parallel runs the bats files side by side (scripts/run-tests.sh); real peers and helpers
# the integration tests drive (nsd serves the exported zone in dns_nsd.bats, bind9-utils'
# named-checkzone checks it and its nsupdate signs UPDATEs; bind9: the private named of
# class_bind.bats and class.sh, never the system service; postfix: postfix_peer.bats, only
# its private instances run, scripts/postfix.sh; chromium: the web console's browser test)
TEST_PKGS=(bats parallel bats-support bats-assert man-db dnsutils netcat-openbsd swaks libnet-ssleay-perl curl jq python3 iproute2 procps fetchmail mpop openssl iputils-ping tshark libcap2-bin s-nail mutt tmux nsd bind9 bind9-utils postfix chromium)
# benchmarks: the reference software (nsd and postfix from the test group), load generators
# (smtp-source and smtp-sink come with postfix) and perf for profiling where a target is missed (make bench only)
EXTRA_PKGS=(dnsperf python3-yaml dovecot-pop3d dovecot-imapd linux-perf)
# formatting and linting (make format, format-check, lint only)
LINT_PKGS=(clang-format clang-tidy)

groups=("$@")
[ ${#groups[@]} -gt 0 ] || groups=(build run test fuzz)
if [ "${WITH_BENCH:-0}" = 1 ]; then groups+=(bench); fi
if [ "${WITH_LINT:-0}" = 1 ]; then groups+=(lint); fi
want=()
for group in "${groups[@]}"; do
	case $group in
	build) want+=("${BUILD_PKGS[@]}") ;;
	run) want+=("${RUN_PKGS[@]}") ;;
	test) want+=("${RUN_PKGS[@]}" "${TEST_PKGS[@]}") ;;
	fuzz) want+=("${FUZZ_PKGS[@]}") ;;
	bench) want+=("${RUN_PKGS[@]}" "${TEST_PKGS[@]}" "${EXTRA_PKGS[@]}") ;;
	lint) want+=("${LINT_PKGS[@]}") ;;
	*) echo "install-deps: unknown group $group (build run test fuzz bench lint)" >&2; exit 64 ;;
	esac
done

# One dpkg-query for all of them (make test calls this each time; one query per package
# cost seconds): the installed ones, by name; a package dpkg does not know is missing.
declare -A installed=()
while read -r p status; do
	[ "$status" = "install ok installed" ] && installed[$p]=1
done < <(dpkg-query -W -f='${Package} ${Status}\n' "${want[@]}" 2>/dev/null)
missing=()
declare -A listed=()
for p in "${want[@]}"; do
	[ -n "${installed[$p]:-}" ] || [ -n "${listed[$p]:-}" ] || { missing+=("$p"); listed[$p]=1; }
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "install-deps: installing ${missing[*]}" >&2
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
# Another apt (an unattended upgrade, a second make) may hold the lock: wait for it.
apt=(apt-get -o DPkg::Lock::Timeout=600)
if ! $SUDO "${apt[@]}" update -qq; then
	echo "install-deps: apt-get update failed" >&2
	exit 1
fi
# tshark asks whether non-root users may capture; answer no without a prompt.
echo "wireshark-common wireshark-common/install-setuid boolean false" | $SUDO debconf-set-selections 2>/dev/null || true
# postfix is wanted only for the private instances the tests and benchmarks start
# (scripts/postfix.sh): no system mail server configured, nothing listening on port 25.
echo "postfix postfix/main_mailer_type select No configuration" | $SUDO debconf-set-selections 2>/dev/null || true
if ! $SUDO "${apt[@]}" install -y -qq --no-install-recommends "${missing[@]}" >&2; then
	echo "install-deps: apt-get install failed for: ${missing[*]}" >&2
	exit 1
fi
