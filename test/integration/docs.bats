#!/usr/bin/env bats
# The docs cannot drift: every ```sh block of README.md, docs/operating.md and docs/api.md
# runs (scripts/doc-test.sh, against a demo topology of its own on free ports), and the
# README's Layout names every source folder and every source file where it lives.

load ../lib/common

setup() { cd "$REPO_ROOT"; }

@test "every sh block of README.md, docs/operating.md and docs/api.md runs as written" {
	run scripts/doc-test.sh
	echo "$output"
	[ "$status" -eq 0 ]
	# the summary: some blocks, all of them ok (a block that did not run is not ok)
	[[ "${lines[-1]}" =~ ^doc-test:\ ([0-9]+)\ blocks,\ ([0-9]+)\ ok,\ 0\ failed$ ]]
	[ "${BASH_REMATCH[1]}" -ge 20 ]
	[ "${BASH_REMATCH[1]}" = "${BASH_REMATCH[2]}" ]
	# each of the three files has blocks that ran
	for f in README.md docs/operating.md docs/api.md; do
		grep -q "^ok     $f:" <<<"$output" || { echo "no block of $f ran"; return 1; }
	done
}

@test "doc-test runs blocks against its own copy, and reports a failing block or a bad fence" {
	doc=$BATS_TEST_TMPDIR/probe.md
	cat >"$doc" <<-'MD'
		# probe

		```sh
		dig @127.0.0.1 -p 10053 +short offline.example MX | grep -qx '10 mx.offline.example.'
		touch doc-test-probe.written
		```

		```sh
		echo "the output"; false
		```

		```bash
		echo never run
		```
	MD
	run scripts/doc-test.sh "$doc"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"ok     $doc:3 "* ]]           # the demo's DNS port reached the copy (only it has offline.example)
	[ ! -e doc-test-probe.written ]                 # and the block ran in the mirror, not here
	[[ "$output" == *"FAILED $doc:8 (exit 1)"* ]]
	[[ "$output" == *"the output"* ]]
	[[ "$output" == *"FAILED $doc:12: a fence must be"* ]]
	[[ "$output" != *"never run"* ]]
	[[ "${lines[-1]}" == "doc-test: 3 blocks, 1 ok, 2 failed" ]]
}

# layout_entries: the README's Layout block as "FOLDER<TAB>the text of its entry" lines,
# an entry being a line that starts with a folder name plus the lines indented under it.
layout_entries() {
	sed -n '/^## Layout/,/^## /p' README.md | awk '
		/^```/ { inblock = !inblock; next }
		!inblock { next }
		match($0, /^ *[A-Za-z][A-Za-z0-9_.-]*(\/[A-Za-z0-9_.-]+)*\/ /) {
			if (folder != "") print folder "\t" text
			folder = substr($0, RSTART, RLENGTH - 1); gsub(/ /, "", folder); text = $0; next
		}
		{ text = text " " $0 }
		END { if (folder != "") print folder "\t" text }'
}

@test "README Layout names every source folder and, under its folder, every source file" {
	entries=$(layout_entries)
	[ -n "$entries" ]
	# what must be named: each folder as "F/", each source file by its stem in its folder's entry
	{
		printf 'folder %s/\n' common dns agent server
		find agent server test scripts -mindepth 1 -maxdepth 1 -type d -printf 'folder %p/\n'
		find common dns agent server \( -name '*.cpp' -o -name '*.h' \) ! -name main.cpp -printf 'file %p\n'
	} | sort -u >"$BATS_TEST_TMPDIR/wanted"
	run awk -F'\t' '
		NR == FNR { entry[$1] = " " $2 " "; next }
		$1 == "folder" { if (!($2 in entry)) print "folder " $2; next }
		{
			dir = $2; sub(/[^\/]*$/, "", dir); stem = substr($2, length(dir) + 1); sub(/\.[^.]*$/, "", stem)
			# the stem as a whole word (letters, digits and _ on neither side)
			if (!(dir in entry) || entry[dir] !~ ("[^A-Za-z0-9_]" stem "[^A-Za-z0-9_]")) print $2 " (under " dir ")"
		}' <(echo "$entries") FS=' ' "$BATS_TEST_TMPDIR/wanted"
	[ "$status" -eq 0 ]
	if [ -n "$output" ]; then
		echo "not in README.md \"Layout\":"
		echo "$output"
		return 1
	fi
}
