#!/bin/sh
# scripts/plot.sh DIR — draw the plots of a results folder and write its
# report.md, from what is in the folder only (results.csv, mrc/*.csv,
# hist/*.hist.csv, hyperfine.csv, run.txt, machine.txt, bench_*.txt):
# `make plot RESULTS=DIR` reruns it without rerunning the study.
#
# awk turns the folder's files into small whitespace-separated tables under
# DIR/plots/data/; the gnuplot scripts of scripts/plot/*.gp draw each as
# DIR/plots/NAME.png and NAME.svg; scripts/report.sh writes report.md.
# Every policy and allocator is drawn in the style scripts/plot/styles.txt
# gives it, the same in every figure and every folder.  A trace's seeds
# (traces/KIND.sN.trace: the name up to the first dot is the trace) are
# summarized as the median and the min-max band.  A figure whose data are
# absent (no real runs yet) is not drawn, and the report says why.  Exit 1
# if gnuplot fails on a figure.
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
	else
		[ -s "$data/$2.gnuplot.log" ] || rm -f "$data/$2.gnuplot.log"
	fi
}

# styles NAME...: the gnuplot variables that draw these names in the
# order given, in their styles.txt styles: names, cols, dts, pts
styles() {
	awk -v list="$*" '
	!/^#/ && NF >= 4 { c[$1] = $2; d[$1] = $3; p[$1] = $4 }
	END {
		# the palette of names styles.txt does not list
		np = split("#843c39 #637939 #7b4173 #ad494a #3182bd #e6550d #31a354 #756bb1 #636363 #d6616b", pal, " ")
		n = split(list, w, " ")
		for (i = 1; i <= n; i++) {
			x = w[i]
			if (!(x in c)) {	# a checksum of the name picks its colour
				h = 0
				for (j = 1; j <= length(x); j++) h = (h * 31 + index("abcdefghijklmnopqrstuvwxyz0123456789:=-_.", substr(x, j, 1))) % 9973
				c[x] = pal[h % np + 1]; d[x] = h % 5 + 1; p[x] = h % 13 + 1
			}
			sn = sn (i > 1 ? " " : "") x; sc = sc (i > 1 ? " " : "") c[x]
			sd = sd (i > 1 ? " " : "") d[x]; sp = sp (i > 1 ? " " : "") p[x]
		}
		printf "names=\"%s\"; cols=\"%s\"; dts=\"%s\"; pts=\"%s\"", sn, sc, sd, sp
	}' "$gp/styles.txt"
}

# in_order NAME...: the names in legend order: styles.txt's order first
# (opt and fifo lead it and are kept even when absent), then the others
# alphabetically
in_order() {
	{
		awk '!/^#/ && NF >= 4 { print $1 }' "$gp/styles.txt" | while read -r n; do
			case " $* " in *" $n "*) echo "$n" ;; *) case $n in opt | fifo) echo "$n" ;; esac ;; esac
		done
		printf '%s\n' "$@" | sort
	} | awk 'NF && !seen[$0]++' | tr '\n' ' ' | sed 's/ $//'
}

# median/min/max of the values of one key, for the seed bands: prints
# "median min max n" (awk function text, prepended where used)
MEDIAN='function mmm(v, n,    i, j, x) {
	for (i = 2; i <= n; i++)
		for (j = i; j > 1 && v[j - 1] > v[j]; j--) { x = v[j]; v[j] = v[j - 1]; v[j - 1] = x }
	return sprintf("%.6g %.6g %.6g %d", (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2, v[1], v[n], n)
}'

if [ -s "$csv" ]; then
	# --- miss-ratio curves: sim, full observation; per (trace, policy) and
	# RAM size the median, min and max over the trace's seeds
	awkcsv "$MEDIAN"'
	NR == 1 { csv_header($0); next }
	{ csv_split($0, f) }
	col(f, "mode") == "sim" && col(f, "observe") == "full" && col(f, "accesses") > 0 {
		k = tname(col(f, "trace")) SUBSEP col(f, "reclaim") SUBSEP col(f, "ram_pages")
		v[k, ++n[k]] = col(f, "load_faults") / col(f, "accesses")
	}
	END {
		for (k in n) {
			for (i = 1; i <= n[k]; i++) w[i] = v[k, i]
			split(k, p, SUBSEP)
			print p[1], p[2], p[3], mmm(w, n[k])
		}
	}' "$csv" | sort -k1,1 -k2,2 -k3,3n | awk -v d="$data" '
	{ f = d "/mrc-" $1 "-" $2 ".dat"
	  if (!(f in open)) { open[f] = 1; print "# ram_pages miss_ratio_median min max seeds" > f }
	  print $3, $4, $5, $6, $7 > f }'
	# the exact LRU curve (pagelab mrc, mrc/*.csv) over the swept sizes:
	# per size the median over the seeds (beyond a seed's distinct pages its
	# curve stays at its last value: cold misses only)
	set -- "$dir"/mrc/*.csv
	if [ -e "$1" ]; then
		awkcsv "$MEDIAN"'
		FNR == 1 { delete C; csv_header($0); nf++; next }
		{ csv_split($0, f); t = tname(col(f, "trace")); r = col(f, "ram_pages") + 0
		  m[nf, r] = col(f, "miss_ratio"); tf[nf] = t; if (r > top[nf]) top[nf] = r; size[t, r] = 1 }
		END {
			for (k in size) {
				split(k, p, SUBSEP); t = p[1]; r = p[2] + 0; c = 0
				for (i = 1; i <= nf; i++) if (tf[i] == t) {
					if ((i, r) in m) w[++c] = m[i, r]
					else if (r > top[i]) w[++c] = m[i, top[i]]
				}
				if (c) print t, r, mmm(w, c)
			}
		}' "$@" | sort -k1,1 -k2,2n >"$data/exact.tmp"
		# the swept range of each trace: its smallest and largest size
		for f in "$data"/mrc-*.dat; do
			[ -e "$f" ] || continue
			t=$(basename "$f" .dat); t=${t#mrc-}; t=${t%%-*}
			awk -v t="$t" '!/^#/ { print t, $1 }' "$f"
		done | sort -k1,1 -k2,2n | awk '{ if (!($1 in lo)) lo[$1] = $2; hi[$1] = $2 }
			END { for (t in lo) print t, lo[t], hi[t] }' >"$data/range.tmp"
		awk -v d="$data" '
		NR == FNR { lo[$1] = $2; hi[$1] = $3; next }
		($1 in lo) && $2 >= lo[$1] && $2 <= hi[$1] {
			f = d "/mrc-" $1 "-lru-exact.dat"
			if (!(f in open)) { open[f] = 1; print "# ram_pages miss_ratio_median min max seeds (pagelab mrc)" > f }
			print $2, $3, $4, $5, $6 > f }' "$data/range.tmp" "$data/exact.tmp"
		rm -f "$data/exact.tmp" "$data/range.tmp"
	fi
	for t in $(ls "$data" | sed -nE 's/^mrc-([^-]+)-.*\.dat$/\1/p' | sort -u); do
		pols=$(ls "$data" | sed -nE "s/^mrc-$t-(.*)\\.dat\$/\\1/p" | grep -vx lru-exact)
		order=$(in_order $pols)
		exact=0
		[ -s "$data/mrc-$t-lru-exact.dat" ] && exact=1
		draw mrc.gp "mrc-$t" "trace='$t'; exact=$exact; $(styles $order lru-exact)"
	done
	all_policies=$(in_order $(ls "$data" | sed -nE 's/^mrc-[^-]+-(.*)\.dat$/\1/p' | grep -vx lru-exact | sort -u))

	# --- full vs faults observation: per trace, policy and RAM size, the
	# miss-ratio difference in percentage points (median over the seeds
	# that ran both)
	awkcsv "$MEDIAN"'
	NR == 1 { csv_header($0); next }
	{ csv_split($0, f) }
	col(f, "mode") == "sim" && col(f, "accesses") > 0 && col(f, "page_size") == 4096 &&
	(col(f, "observe") == "full" || col(f, "observe") == "faults") &&
	(col(f, "observe") == "full" || col(f, "alloc") == dflt || dflt == "") {
		k = col(f, "trace") SUBSEP col(f, "reclaim") SUBSEP col(f, "ram_pages")
		mr[k, col(f, "observe")] = col(f, "load_faults") / col(f, "accesses")
		key[k] = 1
	}
	END {
		for (k in key) {
			if (!((k, "full") in mr) || !((k, "faults") in mr)) continue
			split(k, p, SUBSEP)
			g = tname(p[1]) SUBSEP p[2] SUBSEP p[3]
			v[g, ++n[g]] = 100 * (mr[k, "faults"] - mr[k, "full"])
		}
		for (g in n) {
			for (i = 1; i <= n[g]; i++) w[i] = v[g, i]
			split(g, p, SUBSEP)
			print p[1], p[2], p[3], mmm(w, n[g])
		}
	}' dflt="$(awk '$1 == "alloc" { print $2; exit }' "$dir/policies.txt" 2>/dev/null)" "$csv" |
	sort -k1,1 -k2,2 -k3,3n | awk -v d="$data" '
	{ f = d "/obsgap-" $1 "-" $2 ".dat"
	  if (!(f in open)) { open[f] = 1; print "# ram_pages gap_pp_median min max seeds" > f }
	  print $3, $4, $5, $6, $7 > f }'
	gap_traces=$(ls "$data" | sed -nE 's/^obsgap-([^-]+)-.*\.dat$/\1/p' | sort -u | tr '\n' ' ')
	if [ -n "$gap_traces" ]; then
		gap_pols=$( (in_order $(ls "$data" | sed -nE 's/^obsgap-[^-]+-(.*)\.dat$/\1/p' | sort -u); echo) |
			tr ' ' '\n' | while read -r p; do ls "$data"/obsgap-*-"$p".dat >/dev/null 2>&1 && echo "$p"; done | tr '\n' ' ')
		draw obsgap.gp obsgap "traces='$gap_traces'; $(styles $gap_pols)"
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
		draw vmas.gp vmas "ncols=$(head -n 1 "$data/vmas.dat" | wc -w); $(styles $(head -n 1 "$data/vmas.dat" | cut -d' ' -f2-))"
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

	# --- fault latency of the real runs, from the full histograms
	# (hist/*.hist.csv): per (mechanism, class), where the mechanism is the
	# RAM type (and the `fault` column when there is one), the CDF of the
	# configuration with the most faults of that class
	set -- "$dir"/hist/*.hist.csv
	if [ -e "$1" ]; then
		awkcsv '
		FNR == 1 { delete C; csv_header($0); next }
		{ csv_split($0, f)
		  m = col(f, "page_size") == 4096 ? "shmfs" : "hugetlbfs"
		  if (col(f, "fault") != "") m = m "+" col(f, "fault")
		  mc = m SUBSEP col(f, "class")
		  cfg = FILENAME SUBSEP col(f, "trace") SUBSEP col(f, "alloc") SUBSEP col(f, "ram_pages")
		  tot[mc, cfg] += col(f, "count"); cfgs[mc, cfg] = 1
		  row[mc, cfg, ++nr[mc, cfg]] = col(f, "hi_ns") " " col(f, "count") }
		END {
			for (k in cfgs) {
				split(k, p, SUBSEP); mc = p[1] SUBSEP p[2]
				if (!(mc in best) || tot[k] > tot[mc, best[mc]])
					best[mc] = p[3] SUBSEP p[4] SUBSEP p[5] SUBSEP p[6]
			}
			for (mc in best) {
				k = mc SUBSEP best[mc]
				split(k, p, SUBSEP)
				file = d "/lat-" p[1] "-" p[2] ".dat"
				tr = p[4]; sub(/.*\//, "", tr); sub(/\..*/, "", tr)
				printf "# latency_ns fraction_of_faults_at_most (%d faults; trace %s, alloc %s, ram_pages %s)\n", tot[k], tr, p[5], p[6] > file
				n = nr[k]
				for (i = 1; i <= n; i++) { split(row[k, i], x, " "); hi[i] = x[1] + 0; cnt[i] = x[2] + 0 }
				for (i = 2; i <= n; i++)	# by bin
					for (j = i; j > 1 && hi[j - 1] > hi[j]; j--) {
						y = hi[j]; hi[j] = hi[j - 1]; hi[j - 1] = y
						y = cnt[j]; cnt[j] = cnt[j - 1]; cnt[j - 1] = y }
				c = 0
				for (i = 1; i <= n; i++) { c += cnt[i]; printf "%d %.6f\n", hi[i], c / tot[k] > file }
				close(file)
			}
		}' d="$data" "$@"
	fi
	if ls "$data"/lat-*.dat >/dev/null 2>&1; then
		# the kernel's own minor fault on shmfs: bench_fault's "kernel" row
		kfault=$(awk '$1 == "shmfs" && $2 == "kernel" { print $3; exit }' "$dir/bench_fault.txt" 2>/dev/null)
		# legend order: by class, then mechanism
		lat=$(ls "$data" | sed -nE 's/^lat-(.*)\.dat$/\1/p' | sort -t- -k2,2 -k1,1 | tr '\n' ' ')
		draw latency.gp latency "kfault='${kfault:-}'; curves='$lat'"
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
