/*
 * workloads/trace_opts.c — the command-line options that say how to read a
 * trace, one parser for every command that reads one (trace info/cat/
 * convert, sim, real, compare, mrc): --in-format, --csv, --block-unit,
 * --lackey-instr.  (--page-size is parsed by each command: the engines
 * take it too.)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "workloads/trace.h"

const char trace_opts_usage[] =
	"  --in-format F      the trace's format (default: detect): native, text,\n"
	"                     oracle, csv, lackey, txt, vscsi, twr, twrNS\n"
	"  --csv SPEC         csv columns, e.g. key=5,op=3,size=4,header=1,sep=,\n"
	"  --block-unit B     block traces: bytes per offset unit (default 512 for\n"
	"                     vscsi and csv with lbn and size columns); each request\n"
	"                     becomes an access to every page it touches; 0 = one\n"
	"                     key per request\n"
	"  --lackey-instr     lackey: instruction fetches are accesses too\n";

int trace_opts_is_flag(const char *name)
{
	return !strcmp(name, "--lackey-instr");
}

int trace_opts_set(struct trace_opts *o, const char *name, const char *val,
		   char *err, size_t errlen)
{
	if (!strcmp(name, "--lackey-instr")) {
		o->lackey_instr = 1;
		return 1;
	}
	if (strcmp(name, "--in-format") && strcmp(name, "--csv") &&
	    strcmp(name, "--block-unit"))
		return 0;
	if (!val) {
		snprintf(err, errlen, "%s needs a value", name);
		return -1;
	}
	if (!strcmp(name, "--in-format")) {
		o->format = val;
	} else if (!strcmp(name, "--csv")) {
		o->csv = val;
	} else {
		char *end;
		unsigned long long v;
		errno = 0;
		v = strtoull(val, &end, 10);
		if (!*val || *val == '-' || *end || errno || v > (1u << 30)) {
			snprintf(err, errlen, "--block-unit: '%s' is not a number of "
				 "bytes in [0, 2^30]", val);
			return -1;
		}
		o->block_unit = (uint32_t)v;
		o->block_unit_set = 1;
	}
	return 1;
}
