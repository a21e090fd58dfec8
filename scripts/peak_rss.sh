#!/usr/bin/env bash
# Runs a command and prints its peak anonymous and file-backed RSS, sampled every 20 ms from
# /proc/PID/status (the figures of README "Memory while indexing"). The command's output goes to
# $PEAK_RSS_LOG (default /tmp/peak_rss.log). Usage: scripts/peak_rss.sh rapport index ...
set -uo pipefail
log=${PEAK_RSS_LOG:-/tmp/peak_rss.log}
"$@" >"$log" 2>&1 &
pid=$!
max_anon=0
max_file=0
while kill -0 "$pid" 2>/dev/null; do
    read -r anon file < <(awk '/^RssAnon/ {a = $2} /^RssFile/ {f = $2} END {print a + 0, f + 0}' "/proc/$pid/status" 2>/dev/null)
    [ "${anon:-0}" -gt "$max_anon" ] && max_anon=$anon
    [ "${file:-0}" -gt "$max_file" ] && max_file=$file
    sleep 0.02
done
wait "$pid"
status=$?
echo "exit $status; peak RssAnon $((max_anon / 1024)) MB, peak RssFile $((max_file / 1024)) MB (output: $log)"
exit $status
