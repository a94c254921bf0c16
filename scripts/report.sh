#!/bin/sh
# scripts/report.sh DIR — write DIR/report.md from a results folder whose
# plots scripts/plot.sh has drawn: every figure with a paragraph saying
# what it shows and what the numbers were.  The figures quoted are
# computed here from the plot tables (DIR/plots/data/*.dat), run.txt,
# machine.txt and skipped.txt; nothing is typed in by hand.
set -u
dir=${1:?usage: scripts/report.sh RESULTS_DIR}
data="$dir/plots/data"
rep="$dir/report.md"
tmp="$rep.tmp"

# kv KEY FILE: the value of "KEY: value" in FILE, trailing blanks trimmed,
# "unknown" when the key is absent or empty (the header has no empty fields)
kv() {
	v=$(sed -n "s/^$1: //p" "$2" 2>/dev/null | head -n 1 | sed 's/[[:space:]]*$//')
	echo "${v:-unknown}"
}
# fig NAME ALT: the figure, PNG shown, SVG linked
fig() {
	printf '![%s](plots/%s.png)\n\n' "$2" "$1"
	printf '(SVG: [plots/%s.svg](plots/%s.svg); data: `plots/data/`)\n\n' "$1" "$1"
}
# why PART: the reason skipped.txt gives for a part, or a default
why() {
	r=$(grep -i "^$1" "$dir/skipped.txt" 2>/dev/null | head -n 1 | sed 's/^[^:]*: //')
	echo "${r:-$2}"
}

{
	# the study's name (run.txt), else the folder's
	name=$(kv name "$dir/run.txt")
	[ "$name" = unknown ] && name=$(basename "$dir" | sed 's/^\.incomplete-//')
	echo "# pagelab study $name"
	echo
	quick=$(kv quick "$dir/run.txt")
	dur=$(kv duration_s "$dir/run.txt")
	printf '%s run' "$([ "$quick" = 1 ] && echo 'A QUICK (small traces)' || echo 'The full')"
	[ "$dur" != unknown ] && printf ' of %s s' "$dur"
	printf ', started %s, commit %s, pagelab %s.\n' "$(kv started "$dir/run.txt")" \
		"$(kv commit "$dir/machine.txt")" "$(kv pagelab "$dir/machine.txt")"
	printf 'Machine: %s, %s cores (%s hardware threads), L1d %s, L2 %s, L3 %s, %s NUMA node(s); page sizes %s; %s; %s (full description in `machine.txt`).\n\n' \
		"$(kv cpu_model "$dir/machine.txt")" "$(kv cores "$dir/machine.txt")" \
		"$(kv pus "$dir/machine.txt")" "$(kv l1d "$dir/machine.txt")" \
		"$(kv l2 "$dir/machine.txt")" "$(kv l3 "$dir/machine.txt")" \
		"$(kv numa_nodes "$dir/machine.txt")" "$(kv page_sizes "$dir/machine.txt")" \
		"$(kv kernel "$dir/machine.txt")" "$(kv compiler "$dir/machine.txt")"
	# was the machine busy?  1-, 5- and 15-minute load averages
	printf 'Load average (1, 5, 15 min) at the start %s, at the end %s, on %s hardware threads: ' \
		"$(kv load_start "$dir/run.txt")" "$(kv load_end "$dir/run.txt")" "$(kv pus "$dir/machine.txt")"
	awk -v a="$(kv load_start "$dir/run.txt")" -v b="$(kv load_end "$dir/run.txt")" \
		-v n="$(kv pus "$dir/machine.txt")" 'BEGIN {
		split(a, x, " "); split(b, y, " "); m = x[1] > y[1] ? x[1] : y[1]
		if (a == "unknown" || n + 0 <= 0) print "unknown whether the machine was busy."
		else if (m > n * 0.5) printf "the machine was loaded by other work (timings are noisy).\n"
		else print "the machine was otherwise idle."
	}'
	stages=$(sed -n 's/^stage_\(.*\)_s: \([0-9]*\)\(.*\)/\1 \2 s\3/p' "$dir/run.txt" 2>/dev/null | paste -sd, - | sed 's/,/, /g')
	[ -n "$stages" ] && printf 'Time per stage: %s.\n' "$stages"
	echo

	if [ -s "$dir/results.csv" ]; then
		awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
		{ rows++; m[$c["mode"]]++; tr = $c["trace"]; sub(/.*\//, "", tr); sub(/\..*/, "", tr)
		  t[tr] = $c["accesses"]; p[$c["reclaim"]] = 1; a[$c["alloc"]] = 1; o[$c["observe"]] = 1 }
		function keys(x,   k, s) { s = ""; for (k in x) s = s (s == "" ? "" : ", ") k; return s }
		END {
			printf "`results.csv` holds %d rows (", rows
			n = 0; for (k in m) printf "%s%d %s", n++ ? ", " : "", m[k], k; printf ")"
			printf ": traces "
			n = 0; for (k in t) printf "%s%s (%d accesses)", n++ ? ", " : "", k, t[k]
			printf "; reclaim policies %s; allocators %s; observation %s.\n\n", keys(p), keys(a), keys(o)
		}' "$dir/results.csv"
		echo "RAM sizes swept: $(kv ram_sizes "$dir/run.txt") (\`ram_pages_TRACE\` in \`run.txt\`; real replays: $(kv real_ram_sizes "$dir/run.txt")); seeds: $(kv seeds "$dir/run.txt")."
		echo
	else
		echo "No \`results.csv\`: the simulator did not run ($(why 'simulator sweep' 'no CSV parts were written'))."
		echo
	fi
	if [ -s "$dir/skipped.txt" ]; then
		echo "Parts of the study skipped in this run:"
		echo
		sed 's/^/- /' "$dir/skipped.txt"
		echo
	fi
	if [ -s "$dir/failed.txt" ]; then
		echo "**Parts that failed** (the folder was not marked complete):"
		echo
		sed 's/^/- /' "$dir/failed.txt"
		echo
	fi

	# --- miss-ratio curves ------------------------------------------------
	echo "## Miss-ratio curves"
	echo
	traces=$(ls "$data" 2>/dev/null | sed -nE 's/^mrc-([^-]+)-.*\.dat$/\1/p' | sort -u)
	if [ -z "$traces" ]; then
		echo "Not drawn: no simulator rows with full observation."
		echo
	fi
	for t in $traces; do
		echo "### Trace $t"
		echo
		fig "mrc-$t" "miss-ratio curves of trace $t"
		# every policy's miss ratio per size (the median over the seeds);
		# the middle size of the sweep
		for f in "$data"/mrc-"$t"-*.dat; do
			p=$(basename "$f" .dat); p=${p#mrc-"$t"-}
			[ "$p" = lru-exact ] && continue
			awk -v p="$p" '!/^#/ { print p, $1, $2, $5 }' "$f"
		done | awk -v exact="$data/mrc-$t-lru-exact.dat" '
		BEGIN { while ((getline l < exact) > 0) if (l !~ /^#/) { split(l, xf, " "); ex[xf[1]] = xf[2]; nex++ } }
		{ mr[$1, $2] = $3; pol[$1] = 1; size[$2] = 1; sum[$1] += $3; n[$1]++; if ($4 > seeds) seeds = $4 }
		END {
			ns = 0
			for (s in size) ss[++ns] = s + 0
			for (i = 2; i <= ns; i++)
				for (j = i; j > 1 && ss[j - 1] > ss[j]; j--) { x = ss[j]; ss[j] = ss[j - 1]; ss[j - 1] = x }
			mid = ss[int((ns + 1) / 2)]
			printf "Miss ratio (load faults per access, every access seen by the policy) against RAM size, %d sizes from %d to %d pages", ns, ss[1], ss[ns]
			if (seeds > 1) printf "; each line is the median of %d seeds of the trace (generator and randomized policies), the band their min-max", seeds
			printf ". "
			if (nex && ("lru" in pol)) {
				md = 0; nm = 0; miss = 0
				for (i = 1; i <= ns; i++) if (("lru", ss[i]) in mr) {
					if (!(ss[i] in ex)) { miss++; continue }
					d = mr["lru", ss[i]] - ex[ss[i]]; if (d < 0) d = -d; if (d > md) md = d; nm++ }
				printf "The exact LRU curve of `pagelab mrc` (pale wide line) and the simulated LRU points "
				if (md < 5e-7 && !miss) printf "coincide at all %d sizes. ", nm
				else printf "differ by up to %.4f in miss ratio over %d sizes%s: this trace writes, and a dirty page cannot be evicted until it is written out (docs/ENGINE.md), which the stack-distance curve of a pure LRU cache does not model. ", md, nm, miss ? sprintf(" (%d sizes without an exact value)", miss) : ""
			}
			printf "At %d pages", mid
			if ((("opt", mid) in mr)) printf ", OPT misses %.1f %%", 100 * mr["opt", mid]
			best = ""; worst = ""
			for (p in pol) {
				if (p == "opt" || !((p, mid) in mr)) continue
				if (best == "" || mr[p, mid] < mr[best, mid]) best = p
				if (worst == "" || mr[p, mid] > mr[worst, mid]) worst = p
			}
			if (best != "" && sprintf("%.1f", 100 * mr[best, mid]) == sprintf("%.1f", 100 * mr[worst, mid]))
				printf ", every online policy %.1f %%", 100 * mr[best, mid]
			else if (best != "") {
				printf ", the best online policy, %s, %.1f %%", best, 100 * mr[best, mid]
				if (best != "lru" && ("lru", mid) in mr) printf ", LRU %.1f %%%s", 100 * mr["lru", mid], worst == "lru" ? " (the worst)" : ""
				if (best != "fifo" && ("fifo", mid) in mr) printf ", FIFO %.1f %%%s", 100 * mr["fifo", mid], worst == "fifo" ? " (the worst)" : ""
				if (worst != "lru" && worst != "fifo") printf " and the worst, %s, %.1f %%", worst, 100 * mr[worst, mid]
			}
			printf ". "
			mb = ""
			for (p in pol) if (p != "opt" && (mb == "" || sum[p] / n[p] < sum[mb] / n[mb])) mb = p
			if (mb != "") {
				printf "Averaged over all sizes, %s has the lowest miss ratio of the online policies (%.1f %%", mb, 100 * sum[mb] / n[mb]
				if ("opt" in n) printf "; OPT %.1f %%, so %.1f points are left to an oracle", 100 * sum["opt"] / n["opt"], 100 * (sum[mb] / n[mb] - sum["opt"] / n["opt"])
				printf ")."
			}
			if (!("opt" in pol)) printf " OPT is missing from this trace."
			if (!("fifo" in pol)) printf " FIFO is missing from this trace."
			printf "\n\n"
		}'
	done

	# --- observation gap --------------------------------------------------
	echo "## What seeing only faults costs"
	echo
	if [ -s "$dir/plots/obsgap.png" ]; then
		fig obsgap "miss-ratio increase from full to faults observation, per trace, policy and RAM size"
		for f in "$data"/obsgap-*.dat; do
			b=$(basename "$f" .dat); b=${b#obsgap-}
			awk -v t="${b%%-*}" -v p="${b#*-}" '!/^#/ { print t, p, $1, $2 }' "$f"
		done | awk '
		{ s[$2] += $4; n[$2]++; if (!($2 in seen)) { seen[$2] = 1; pol[++np] = $2 }
		  if (mx == "" || $4 > mx) { mx = $4; mxp = $2; mxt = $1; mxr = $3 }
		  if (mn == "" || $4 < mn) { mn = $4; mnp = $2; mnt = $1; mnr = $3 } }
		END {
			printf "Each panel is one trace; each line a policy'"'"'s miss ratio when it sees only faults (what a userspace pager sees: hits on mapped pages are invisible) minus its miss ratio when it sees every access, in percentage points, against RAM size. "
			printf "The largest loss is %s on %s at %d pages, %+.2f points; the lowest value %s on %s at %d pages, %+.2f points. ", mxp, mxt, mxr, mx, mnp, mnt, mnr, mn
			printf "Mean over every trace and size:"
			for (i = 1; i <= np; i++) printf " %s %+.2f%s", pol[i], s[pol[i]] / n[pol[i]], i < np ? "," : "."
			if ("fifo" in n) printf " FIFO never looks at hits, so its %+.2f points are the control: what the observation mode changes in the replay itself rather than in the policy'"'"'s knowledge.", s["fifo"] / n["fifo"]
			printf "\n\n"
		}'
	else
		echo "Not drawn: no configuration was run with both \`full\` and \`faults\` observation."
		echo
	fi

	# --- VMAs ---------------------------------------------------------------
	echo "## Kernel VMAs per allocator"
	echo
	if [ -s "$data/vmas.dat" ]; then
		fig vmas "peak kernel VMA count per allocator"
		awk 'NR == 1 { for (i = 2; i <= NF; i++) al[i] = $i; na = NF; next }
		{ lo = hi = ""
		  for (i = 2; i <= na; i++) if ($i != "?") {
			if (lo == "" || $i < $lo) lo = i
			if (hi == "" || $i > $hi) hi = i }
		  if (lo == "") next
		  if ($lo == $hi) line = line sprintf("%s %s: %d with every allocator", line == "" ? "" : ";", $1, $lo)
		  else { line = line sprintf("%s %s: %s %d, %s %d", line == "" ? "" : ";", $1, al[lo], $lo, al[hi], $hi); differ++ } }
		END {
			printf "The simulator models the kernel'"'"'s VMA merging over each allocator'"'"'s choice of RAM offsets (lru, faults observation, 4 KiB pages). A bar is the peak VMA count over the RAM sizes swept; per trace, the fewest and the most:%s. ", line
			if (differ) printf "An allocator that keeps file-adjacent pages at adjacent RAM offsets lets the kernel merge their mappings, which keeps a process under vm.max_map_count."
			else printf "Every allocator gave the same peak on every trace in this run."
			printf "\n\n"
		}' "$data/vmas.dat"
	else
		echo "Not drawn: no allocator sweep rows (simulator, lru, faults observation)."
		echo
	fi

	# --- throughput -----------------------------------------------------------
	echo "## Simulator throughput"
	echo
	if [ -s "$data/throughput.dat" ]; then
		fig throughput "simulator throughput per policy"
		awk -v tr="$(kv hyperfine_trace "$dir/run.txt")" -v runs="$(kv hyperfine_runs "$dir/run.txt")" \
			-v jobs="$(kv jobs_parallel "$dir/run.txt")" '
		$2 != "?" { h[$1] = $2; lo[$1] = $3; hi[$1] = $4; if (hb == "" || $2 > h[hb]) hb = $1; if (hw == "" || $2 < h[hw]) hw = $1 }
		$5 != "?" { e[$1] = $5; if (eb == "" || $5 > e[eb]) eb = $1; if (ew == "" || $5 < e[ew]) ew = $1 }
		END {
			if (hb != "") {
				printf "Whole `pagelab sim` commands on trace %s (one policy, RAM 10 %%, full observation) timed by hyperfine, median of %s runs after a warm-up (`hyperfine.md`, `hyperfine.json`): ", tr, runs
				printf "fastest %s at %.2f million accesses/s, slowest %s at %.2f", hb, h[hb], hw, h[hw]
				# columns 3 and 4: the rate at the slowest and fastest run
				if (lo[hb] <= hi[hw]) printf " (their min-max ranges overlap: the order is within the noise of this machine)"
				printf ". "
			}
			if (eb != "") {
				printf "Per CSV row (accesses / `wall_s`, median over the RAM sizes, measured inside the sweep, which ran %s jobs at once) the simulator ran from %.2f (%s) to %.2f (%s) million accesses/s", jobs, e[ew], ew, e[eb], eb
				if (hb != "" && (hb in e)) {
					r = e[hb] / h[hb]
					if (r > 1.1) printf "; for %s that is %.1f times the whole command'"'"'s rate, the rest being process start, trace reading and set-up", hb, r
					else if (r < 0.9) printf "; for %s that is %.1f times the whole command'"'"'s rate: the sweep shared the cores, hyperfine ran alone", hb, r
					else printf "; for %s, within 10 %% of the whole command'"'"'s rate", hb
				}
				printf "."
			}
			printf "\n\n"
		}' "$data/throughput.dat"
		if [ -s "$dir/hyperfine.md" ]; then
			cat "$dir/hyperfine.md"
			echo
		fi
	else
		echo "Not drawn: $(why 'hyperfine' 'no timings')."
		echo
	fi

	# --- real engine ----------------------------------------------------------
	echo "## Fault latency of the real engine"
	echo
	if [ -s "$dir/plots/latency.png" ]; then
		fig latency "fault latency distributions per class and mechanism"
		# per curve: the bin edge where the CDF reaches 0.5 and 0.99
		for f in "$data"/lat-*.dat; do
			b=$(basename "$f" .dat); b=${b#lat-}
			awk -v k="$b" 'NR == 1 { n = $0; sub(/.*\(/, "", n); sub(/ faults.*/, "", n) }
				!/^#/ && p50 == "" && $2 >= 0.5 { p50 = $1 } !/^#/ && p99 == "" && $2 >= 0.99 { p99 = $1 }
				END { i = index(k, "-"); printf "%s %s %s %s %s\n", substr(k, 1, i - 1), substr(k, i + 1), p50, p99, n }' "$f"
		done | awk -v kf="$(awk '$1 == "shmfs" && $2 == "kernel" { print $3; exit }' "$dir/bench_fault.txt" 2>/dev/null)" '
		{ p50[$1, $2] = $3; line = line sprintf("%s%s faults on %s: median at most %.1f us, p99 at most %.1f us (%d faults)", line == "" ? "" : "; ", $2, $1, $3 / 1000, $4 / 1000, $5) }
		END {
			printf "Each curve is the fraction of faults of one class taking at most x, from the full latency histogram the real engine recorded (`hist/`) on the configuration with the most faults of that class; solid shmfs, dashed hugetlbfs: %s. ", line
			if (("shmfs", "load") in p50 && ("hugetlbfs", "load") in p50 && p50["shmfs", "load"] > 0)
				printf "A hugetlbfs load fault takes %.0f times a shmfs one at the median (a 2 MiB page is loaded and zeroed at once). ", p50["hugetlbfs", "load"] / p50["shmfs", "load"]
			if (kf != "") printf "The dotted line is the kernel'"'"'s own minor fault on a shared-memory page, %.0f ns at the median (`bench_fault`, row kernel).", kf
			printf "\n\n"
		}'
	else
		echo "Not drawn: no real runs ($(why 'real replays' 'no rows with mode real'))."
		echo
	fi

	echo "## Simulator against the real engine"
	echo
	if [ -s "$data/simreal.dat" ]; then
		fig simreal "simulator against real engine: faults and fault time"
		costs="the built-in costs"
		[ -s "$dir/costs.txt" ] && costs="the costs \`pagelab calibrate\` measured (\`costs.txt\`)"
		awk -v costs="$costs" '!/^#/ { n++; if ($1 == $2) eq++; d = $1 > 0 ? ($2 - $1) / $1 : 0; if (d < 0) d = -d; if (d > md) md = d
			if ($3 > 0) { r = $4 / $3; rs += r; if (rmin == "" || r < rmin) rmin = r; if (r > rmax) rmax = r; nr++ }
			if ($5 == $6) veq++ }
		END {
			printf "%d configurations ran in both engines (same trace, policies, RAM size, faults observation). Fault counts agree exactly in %d of them (largest relative difference %.2f %%), VMA peaks in %d. ", n, eq, 100 * md, veq
			if (nr) printf "Measured fault time over modelled time: mean %.2f, from %.2f to %.2f (measured = faults x median latency per class, unless the real engine reports its total; modelled with %s).", rs / nr, rmin, rmax, costs
			printf "\n\n"
		}' "$data/simreal.dat"
	else
		echo "Not drawn: $(why 'sim-vs-real' 'no configuration ran in both engines')."
		echo
	fi

	echo "## Reproducing"
	echo
	echo "Every command this study ran is in \`jobs/*.jobs\`, one shell line each, and each reruns from this folder alone: \`jobs/gen.jobs\` regenerates the seeded traces byte for byte, and every line that reads a generated trace first runs \`jobs/trace.sh\`, which regenerates it when it is missing (the study deletes its traces unless \`KEEP_TRACES=1\`). \`jobs/mrc.jobs\` writes the exact LRU curves in full (\`mrc/*.full.csv\`; the study keeps them thinned to log-spaced sizes and the swept sizes, \`mrc/*.csv\`). \`make plot RESULTS=DIR\` (DIR: this folder) redraws the figures and this report from the folder alone; \`scripts/check-csv.sh results.csv\` checks the CSV against \`results/SCHEMA.md\`."
	echo

	# --- benchmark programs -----------------------------------------------------
	set -- "$dir"/bench_*.txt
	if [ -e "$1" ]; then
		echo "## Benchmark programs"
		echo
		echo "What each \`bench/*.c\` program printed (also in its own \`.txt\` file):"
		echo
		for f in "$@"; do
			echo "### $(basename "$f" .txt)"
			echo
			echo '```'
			cat "$f"
			echo '```'
			echo
		done
	fi
} >"$tmp" && mv "$tmp" "$rep"
