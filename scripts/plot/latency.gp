# scripts/plot/latency.gp — fault-latency distributions of the real runs:
# for each fault class and RAM type, the fraction of faults slower than x
# (a complementary CDF; log-log, so the tail shows).  Points are the
# p50/p90/p99/p99.9 percentiles and the maximum.  Vars: kfault (the
# kernel's own minor fault in ns, a reference line; "" when unknown).
load gp . "/common.gp"
set title "Fault latency of the real engine, per fault class (shmfs solid, hugetlbfs dashed)"
set xlabel "fault latency (ns, log scale)"
set ylabel "fraction of faults slower than x (log scale)"
set logscale xy
set format xy "10^{%T}"
set yrange [*:1]
if (kfault ne "") {
	set arrow 1 from kfault, graph 0 to kfault, graph 1 nohead dt 3 lw 2 lc rgb "#000000"
	set label 1 sprintf(" kernel minor fault %.0f ns", kfault + 0) at kfault, graph 0.06 left
}
classes = "load map dirty ref"
types = "shmfs hugetlbfs"
plot for [t = 1:2] for [c = 1:4] sprintf("%s/lat-%s-%s.dat", data, word(types, t), word(classes, c)) \
	using 1:2 with linespoints lw 2 dt t pt (c + 4 * t) lc rgb color(c + 2) \
	title sprintf("%s fault, %s", word(classes, c), word(types, t))
