#!/usr/bin/env bash
echo "run: the demo topology script is being built" >&2; exit 1
