# scripts/plot/csv.awk — CSV helpers for the plot and report scripts
# (POSIX awk: mawk, gawk, busybox).  Prepended to a program's text:
#   awk "$(cat scripts/plot/csv.awk) PROGRAM" FILE
#
#   csv_split(line, f)  fields into f[1..n] (RFC 4180 quotes), returns n
#   csv_header(line)    C[name] = column number, NCOL = number of columns
#   col(f, name)        the field of that column ("" when there is none)
#   tname(path)         a trace's short name: basename up to the first dot

function csv_split(s, f,    n, i, c, v, inq) {
	if (index(s, "\"") == 0)
		return split(s, f, ",")
	n = 0; v = ""; inq = 0
	for (i = 1; i <= length(s); i++) {
		c = substr(s, i, 1)
		if (inq) {
			if (c == "\"") {
				if (substr(s, i + 1, 1) == "\"") { v = v c; i++ }
				else inq = 0
			} else v = v c
		} else if (c == "\"") inq = 1
		else if (c == ",") { f[++n] = v; v = "" }
		else v = v c
	}
	f[++n] = v
	return n
}

function csv_header(s,    h, i) {
	NCOL = csv_split(s, h)
	for (i = 1; i <= NCOL; i++)
		C[h[i]] = i
	return NCOL
}

function col(f, name) {
	return (name in C) ? f[C[name]] : ""
}

function tname(p) {
	sub(/.*\//, "", p)
	sub(/\..*/, "", p)
	return p
}
