#!/bin/sh
# scripts/mkman.sh PAGELAB — write the man page pagelab(1) on stdout, made
# from the binary's own help texts (`pagelab --help`, every `pagelab CMD
# --help`, `pagelab trace SUB --help`, `pagelab --list`), so it lists every
# subcommand, option and policy of the pagelab it documents; the exit
# codes and file formats are stated here.  `make install` installs it.
set -eu
pl=${1:?usage: scripts/mkman.sh PAGELAB}

# verbatim TEXT: a help text as a no-fill block (troff escapes made safe)
verbatim() {
	printf '.nf\n.ft CR\n'
	sed -e 's/\\/\\e/g' -e "s/^\\([.']\\)/\\\\\\&\\1/"
	printf '.ft R\n.fi\n'
}
# help ARGS...: the help text of one command (some print it on stderr)
help() { "$pl" "$@" --help 2>&1 || true; }

version=$("$pl" --version | sed 's/^pagelab //')
cmds=$("$pl" --help | awk '/^commands:/ { on = 1; next } on && NF { print $1 }')

cat <<MAN
.TH PAGELAB 1 "" "pagelab $version" "pagelab manual"
.SH NAME
pagelab \\- a testbed for paging strategies: a real userspace pager and a trace-driven simulator sharing one set of policies
.SH SYNOPSIS
.B pagelab
.I COMMAND
.RI [ ARGS ]
.br
.B pagelab
.BR \\-\\-help " | " \\-\\-list " | " \\-\\-version " | " \\-V
.SH DESCRIPTION
pagelab replays page access traces through a simulator
.RB ( "pagelab sim" )
and through a real userspace virtual-memory manager that maps files and
loads pages on SIGSEGV faults
.RB ( "pagelab real" ),
both calling the same reclaim, pagemap and allocator policies, and writes one
CSV row per run.
.B pagelab compare
checks that both engines agree.
.SH COMMANDS
MAN
help | verbatim
for c in $cmds; do
	printf '.SS %s\n' "$c"
	if [ "$c" = trace ]; then
		help trace | verbatim
		for sub in gen info cat convert; do
			printf '.TP\n.B pagelab trace %s\n' "$sub"
			help trace "$sub" | verbatim
		done
	else
		help "$c" | verbatim
	fi
done
cat <<MAN
.SH POLICIES
Every policy of every kind, with its parameters and their defaults
.RB ( "pagelab \\-\\-list" ).
A policy spec is NAME or NAME:KEY=VALUE:...
MAN
"$pl" --list | verbatim
cat <<'MAN'
.SH EXIT STATUS
.TP
.B 0
success
.TP
.B 1
the run failed: an unreadable or damaged trace, a file that could not be
written, a refused system call;
.B pagelab compare
also exits 1 when the simulator and the real engine disagree
.TP
.B 2
usage error: an unknown command, option, policy or parameter, or a bad value
.PP
Every error is one line on stderr naming what was wrong and where (file,
offset or event). An output file named with
.B \-o
appears only when complete.
.SH FILES AND FORMATS
.TP
.B traces
native (binary, the format
.B pagelab trace gen
writes), text (one event a line), libCacheSim's oracleGeneral, CSV (columns
named with
.BR \-\-csv ),
and valgrind lackey output; any of them may be zstd-compressed.  The
formats are described field by field in
.IR share/doc/pagelab/FORMAT.md .
.TP
.B results CSV
one header row, then one row per (trace, policies, RAM size, mode) of
.BR sim ", " real " and " compare ;
every column is described in
.IR share/doc/pagelab/SCHEMA.md .
.TP
.B cost file
the per-fault-class costs
.B pagelab calibrate
writes and
.B sim \-\-costs
reads.
.TP
.B results folders
.B make bench
writes results/DATE-HOST/ (report.md, figures, results.csv); the
plot scripts that redraw one are installed under
.I share/pagelab
.RB ( "share/pagelab/plot.sh DIR" ).
.SH SEE ALSO
.IR share/doc/pagelab/README.md ,
.IR share/doc/pagelab/ENGINE.md
(what both engines count, event by event).
MAN
