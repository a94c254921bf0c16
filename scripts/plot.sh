#!/bin/sh
# scripts/plot.sh DIR — draw the plots of a results folder and write its
# report.md, from what is in the folder only (results.csv, hyperfine.csv,
# run.txt, machine.txt, bench_*.txt): `make plot RESULTS=DIR` reruns it
# without rerunning the study.
#
# awk turns results.csv into small whitespace-separated tables under
# DIR/plots/data/; the gnuplot scripts of scripts/plot/*.gp draw each as
# DIR/plots/NAME.png and NAME.svg; scripts/report.sh writes report.md.
# A figure whose data are absent (no real runs yet) is not drawn, and the
# report says why.  Exit 1 if gnuplot fails on a figure.
set -u
dir=${1:?usage: scripts/plot.sh RESULTS_DIR}
here=$(cd "$(dirname "$0")" && pwd)
gp="$here/plot"
csv="$dir/results.csv"
out="$dir/plots"
data="$out/data"
rm -rf "$out"
mkdir -p "$data"
status=0

awkcsv() {
	prog=$1
	shift
	awk "$(cat "$gp/csv.awk")
$prog" "$@"
}

# draw SCRIPT NAME VARS: run one gnuplot script; VARS are gnuplot
# assignments; the script writes $out/NAME.png and .svg
draw() {
	if ! gnuplot -e "fmt='png'; gp='$gp'; out='$out/$2'; data='$data'; $3" "$gp/$1" \
		2>"$data/$2.gnuplot.log" ||
	   ! gnuplot -e "fmt='svg'; gp='$gp'; out='$out/$2'; data='$data'; $3" "$gp/$1" \
		2>>"$data/$2.gnuplot.log"; then
		echo "plot: $2: gnuplot failed:" >&2
		sed 's/^/  /' "$data/$2.gnuplot.log" >&2
		status=1
	elif [ ! -s "$out/$2.png" ]; then
		echo "plot: $2: no PNG written" >&2
		status=1
	fi
}

# The policy order of every legend: opt, fifo, then the others as listed
# by pagelab --list (policies.txt) or alphabetically; colours follow it.
policy_order() {
	{
		echo opt; echo fifo
		[ -s "$dir/policies.txt" ] && awk '$1 == "reclaim" { print $2 }' "$dir/policies.txt"
		sort -u
	} | awk '!seen[$0]++' | tr '\n' ' '
}

if [ -s "$csv" ]; then
	# --- miss-ratio curves: sim, full observation, one file per (trace, policy)
	awkcsv '
	NR == 1 { csv_header($0); next }
	{ csv_split($0, f) }
	col(f, "mode") == "sim" && col(f, "observe") == "full" && col(f, "accesses") > 0 {
		print tname(col(f, "trace")), col(f, "reclaim"), col(f, "ram_pages"),
		      col(f, "load_faults") / col(f, "accesses")
	}' "$csv" | sort -k1,1 -k2,2 -k3,3n -u | awk -v d="$data" '
	{ f = d "/mrc-" $1 "-" $2 ".dat"
	  if (!(f in open)) { open[f] = 1; print "# ram_pages miss_ratio" > f }
	  print $3, $4 > f }'
	# opt and fifo keep their places (and colours) even when absent
	all_policies=$(ls "$data" | sed -nE 's/^mrc-[^-]+-(.*)\.dat$/\1/p' | sort -u | policy_order |
		tr ' ' '\n' | while read -r p; do
			case $p in opt | fifo) echo "$p" ;; *) ls "$data"/mrc-*-"$p".dat >/dev/null 2>&1 && echo "$p" ;; esac
		done | tr '\n' ' ')
	for t in $(ls "$data" | sed -nE 's/^mrc-([^-]+)-.*\.dat$/\1/p' | sort -u); do
		draw mrc.gp "mrc-$t" "trace='$t'; policies='$all_policies'"
	done

	# --- full vs faults observation: per policy, the mean over RAM sizes of
	# the miss-ratio difference (percentage points), one column per trace
	awkcsv '
	NR == 1 { csv_header($0); next }
	{ csv_split($0, f) }
	col(f, "mode") == "sim" && col(f, "accesses") > 0 &&
	(col(f, "observe") == "full" || col(f, "observe") == "faults") {
		k = tname(col(f, "trace")) SUBSEP col(f, "reclaim") SUBSEP col(f, "ram_pages") SUBSEP col(f, "page_size")
		mr[k, col(f, "observe")] = col(f, "load_faults") / col(f, "accesses")
		key[k] = 1
	}
	END {
		for (k in key) {
			if (!((k, "full") in mr) || !((k, "faults") in mr)) continue
			split(k, p, SUBSEP)
			print p[1], p[2], 100 * (mr[k, "faults"] - mr[k, "full"])
		}
	}' "$csv" | sort -k2,2 -k1,1 | awk -v order="$all_policies" '
	{ s[$2, $1] += $3; n[$2, $1]++; tr[$1] = 1; po[$2] = 1 }
	END {
		nt = 0
		for (t in tr) trs[++nt] = t
		for (i = 2; i <= nt; i++)	# insertion sort: awk has no sort
			for (j = i; j > 1 && trs[j - 1] > trs[j]; j--) { x = trs[j]; trs[j] = trs[j - 1]; trs[j - 1] = x }
		if (nt == 0) exit
		printf "policy"
		for (i = 1; i <= nt; i++) printf " %s", trs[i]
		printf "\n"
		np = split(order, ord, " ")
		for (q = 1; q <= np; q++) {
			pol = ord[q]
			if (!(pol in po)) continue
			printf "%s", pol
			for (i = 1; i <= nt; i++)
				if ((pol, trs[i]) in n) printf " %.3f", s[pol, trs[i]] / n[pol, trs[i]]
				else printf " ?"
			printf "\n"
		}
	}' >"$data/obsgap.dat"
	if [ -s "$data/obsgap.dat" ]; then
		draw obsgap.gp obsgap "ncols=$(head -n 1 "$data/obsgap.dat" | wc -w)"
	else
		rm -f "$data/obsgap.dat"
	fi

	# --- kernel VMAs per allocator: sim, lru, faults, 4 KiB pages; the
	# largest vmas_peak over the RAM sizes, per (trace, allocator)
	awkcsv '
	NR == 1 { csv_header($0); next }
	{ csv_split($0, f) }
	col(f, "mode") == "sim" && col(f, "reclaim") == "lru" && col(f, "observe") == "faults" &&
	col(f, "page_size") == 4096 {
		k = tname(col(f, "trace")) SUBSEP col(f, "alloc")
		if (!(k in v) || col(f, "vmas_peak") + 0 > v[k]) v[k] = col(f, "vmas_peak") + 0
		if (!(k in ram) || col(f, "ram_pages") + 0 > ram[k]) ram[k] = col(f, "ram_pages") + 0
		al[col(f, "alloc")] = 1; tr[tname(col(f, "trace"))] = 1
	}
	END {
		# a plain NAME next to its variants NAME:fit=... is the default
		# variant again (the policy sweep'"'"'s rows): drop it
		for (a in al) if (index(a, ":") == 0) for (b in al) if (index(b, a ":") == 1) { delete al[a]; break }
		na = 0
		for (a in al) as[++na] = a
		for (i = 2; i <= na; i++)
			for (j = i; j > 1 && as[j - 1] > as[j]; j--) { x = as[j]; as[j] = as[j - 1]; as[j - 1] = x }
		nt = 0
		for (t in tr) ts[++nt] = t
		for (i = 2; i <= nt; i++)
			for (j = i; j > 1 && ts[j - 1] > ts[j]; j--) { x = ts[j]; ts[j] = ts[j - 1]; ts[j - 1] = x }
		if (na == 0) exit
		printf "trace"
		for (i = 1; i <= na; i++) printf " %s", as[i]
		printf "\n"
		for (q = 1; q <= nt; q++) {
			printf "%s", ts[q]
			for (i = 1; i <= na; i++)
				printf " %s", ((ts[q], as[i]) in v) ? v[ts[q], as[i]] : "?"
			printf "\n"
		}
	}' "$csv" >"$data/vmas.dat"
	if [ -s "$data/vmas.dat" ]; then
		draw vmas.gp vmas "ncols=$(head -n 1 "$data/vmas.dat" | wc -w)"
	else
		rm -f "$data/vmas.dat"
	fi

	# --- simulator throughput per policy: hyperfine's whole command (median,
	# min, max) and the replay loop alone (wall_s, median over the rows)
	hftrace=$(sed -n 's/^hyperfine_trace: //p' "$dir/run.txt" 2>/dev/null | sed 's/\..*//')
	awkcsv '
	FILENAME ~ /hyperfine.csv$/ {
		if (FNR == 1) { delete C; csv_header($0); next }
		csv_split($0, f)
		p = col(f, "parameter_policy")
		if (p == "") next
		hmed[p] = col(f, "median"); hmin[p] = col(f, "min"); hmax[p] = col(f, "max")
		next
	}
	FNR == 1 { delete C; csv_header($0); next }
	{ csv_split($0, f) }
	col(f, "mode") == "sim" && col(f, "observe") == "full" {
		t = tname(col(f, "trace"))
		if (t == hft || hft == "") acc = col(f, "accesses")
		if (col(f, "wall_s") > 0 && (t == hft || hft == "")) {
			p = col(f, "reclaim")
			r[p, ++nr[p]] = col(f, "accesses") / col(f, "wall_s") / 1e6
		}
	}
	END {
		n = split(order, ord, " ")
		for (q = 1; q <= n; q++) {
			p = ord[q]
			if (!(p in nr) && !(p in hmed)) continue
			m = "?"
			if (p in nr) {	# median of r[p, 1..nr[p]]
				k = nr[p]
				for (i = 2; i <= k; i++)
					for (j = i; j > 1 && r[p, j - 1] > r[p, j]; j--) { x = r[p, j]; r[p, j] = r[p, j - 1]; r[p, j - 1] = x }
				m = (k % 2) ? r[p, (k + 1) / 2] : (r[p, k / 2] + r[p, k / 2 + 1]) / 2
			}
			if ((p in hmed) && acc > 0 && hmed[p] > 0)
				printf "%s %.4f %.4f %.4f %s\n", p, acc / hmed[p] / 1e6, acc / hmax[p] / 1e6, acc / hmin[p] / 1e6, m
			else
				printf "%s ? ? ? %s\n", p, m
		}
	}' hft="$hftrace" order="$all_policies" $( [ -s "$dir/hyperfine.csv" ] && echo "$dir/hyperfine.csv") "$csv" \
		>"$data/throughput.dat"
	if [ -s "$data/throughput.dat" ]; then
		draw throughput.gp throughput "hftrace='$hftrace'"
	else
		rm -f "$data/throughput.dat"
	fi

	# --- fault latency of the real runs: per (page size, class) the row
	# with the most faults of that class; its percentiles as points of the
	# tail (fraction of faults slower than x), max at 1/faults
	awkcsv '
	NR == 1 { csv_header($0); next }
	{ csv_split($0, f) }
	col(f, "mode") == "real" {
		ps = col(f, "page_size") == 4096 ? "shmfs" : "hugetlbfs"
		nc = split("load map dirty ref", cl, " ")
		for (i = 1; i <= nc; i++) {
			c = cl[i]; n = col(f, c "_faults") + 0
			if (n == 0 || col(f, c "_p50_ns") + 0 <= 0) continue
			if ((ps, c) in best && best[ps, c] >= n) continue
			best[ps, c] = n
			line[ps, c] = col(f, c "_p50_ns") " 0.5\n" col(f, c "_p90_ns") " 0.1\n" \
				col(f, c "_p99_ns") " 0.01\n" col(f, c "_p999_ns") " 0.001\n" \
				col(f, c "_max_ns") " " 1 / n
		}
	}
	END {
		for (k in line) {
			split(k, p, SUBSEP)
			file = d "/lat-" p[1] "-" p[2] ".dat"
			print "# latency_ns fraction_slower (" best[k] " faults)" > file
			print line[k] > file
		}
	}' d="$data" "$csv"
	if ls "$data"/lat-*.dat >/dev/null 2>&1; then
		# the kernel's own minor fault on shmfs: bench_fault's "kernel" row
		kfault=$(awk '$1 == "shmfs" && $2 == "kernel" { print $3; exit }' "$dir/bench_fault.txt" 2>/dev/null)
		draw latency.gp latency "kfault='${kfault:-}'"
	fi

	# --- simulator against real: the same configuration in both engines
	awkcsv '
	NR == 1 { csv_header($0); next }
	{ csv_split($0, f)
	  k = tname(col(f, "trace")) SUBSEP col(f, "reclaim") SUBSEP col(f, "alloc") SUBSEP \
	      col(f, "observe") SUBSEP col(f, "ram_pages") SUBSEP col(f, "page_size") }
	col(f, "mode") == "sim" { sf[k] = col(f, "faults"); sm[k] = col(f, "model_fault_ns"); sv[k] = col(f, "vmas_peak") }
	col(f, "mode") == "real" {
		rf[k] = col(f, "faults"); rv[k] = col(f, "vmas_peak")
		if (col(f, "fault_ns") != "") rm[k] = col(f, "fault_ns")
		else {	# faults x median latency, per class
			t = 0
			nc = split("load map dirty ref", cl, " ")
			for (i = 1; i <= nc; i++) t += col(f, cl[i] "_faults") * col(f, cl[i] "_p50_ns")
			rm[k] = t
		}
	}
	END {
		for (k in rf) if (k in sf) {
			split(k, p, SUBSEP)
			printf "%s %s %s %s %s %s %s %s %s %s\n", sf[k], rf[k], sm[k] / 1e6, rm[k] / 1e6,
				sv[k], rv[k], p[6], p[1], p[3], p[5]
		}
	}' "$csv" | sort -k7,7n -k8,8 -k9,9 -k10,10n >"$data/simreal.dat"
	if [ -s "$data/simreal.dat" ]; then
		sed -i '1i # sim_faults real_faults sim_model_ms real_measured_ms sim_vmas real_vmas page_size trace alloc ram_pages' \
			"$data/simreal.dat"
		draw simreal.gp simreal ""
	else
		rm -f "$data/simreal.dat"
	fi
fi

"$here/report.sh" "$dir" || status=1
exit $status
