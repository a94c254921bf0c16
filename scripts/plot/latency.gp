# scripts/plot/latency.gp — fault-latency distributions of the real runs,
# drawn from the full histograms (hist/*.hist.csv, bins of a few percent):
# for each fault mechanism (RAM type) and class, the fraction of faults
# that took at most x (a CDF, log x).  Vars: curves (the MECH-CLASS names
# of lat-*.dat), kfault (the kernel's own minor fault in ns, a reference
# line; "" when unknown).  One colour per class, one dash per mechanism.
load gp . "/common.gp"
set title "Fault latency of the real engine per fault class and mechanism (full histograms)"
set xlabel "fault latency (ns, log scale)"
set ylabel "fraction of faults taking at most x"
set logscale x
set format x "10^{%T}"
set yrange [0:1.02]
set key outside right top
if (kfault ne "") {
	set arrow 1 from kfault, graph 0 to kfault, graph 1 nohead dt 3 lw 2 lc rgb "#000000"
	set label 1 sprintf(" kernel minor fault %.0f ns", kfault + 0) at kfault, graph 0.94 left
	set xrange [kfault * 0.7:*]
}
classes = "load map dirty ref"
cls(s) = s[strstrt(s, "-") + 1:]
mech(s) = s[1:strstrt(s, "-") - 1]
ci(s) = (cls(s) eq "load") ? 1 : (cls(s) eq "map") ? 2 : (cls(s) eq "dirty") ? 3 : 4
di(s) = (mech(s) eq "shmfs") ? 1 : (mech(s) eq "hugetlbfs") ? 2 : 4
plot for [i = 1:words(curves)] sprintf("%s/lat-%s.dat", data, word(curves, i)) \
	using 1:2 with steps lw 2 dt di(word(curves, i)) lc rgb color(ci(word(curves, i)) + 2) \
	title sprintf("%s fault, %s", cls(word(curves, i)), mech(word(curves, i)))
