# scripts/plot/mrc.gp — miss-ratio curves of one trace: every reclaim
# policy, simulator, full observation; miss ratio against RAM size (log).
# A line is the median over the trace's seeds, the shaded band their min
# to max (no band with one seed); the exact LRU curve of `pagelab mrc`
# (stack distances, Mattson et al. 1970) is drawn as a wide pale line under
# the simulated LRU points, which must sit on it.  The y-axis is fitted to
# the data.  Vars: trace, exact (1: mrc-TRACE-lru-exact.dat exists), and
# the styles of scripts/plot.sh: names (legend order, lru-exact last),
# cols, dts, pts.
load gp . "/common.gp"
set title sprintf("Miss-ratio curves, trace %s (simulator, every access observed)", trace)
set xlabel "RAM size (pages of 4 KiB, log scale)"
set ylabel "miss ratio (load faults / accesses)"
set logscale x
set autoscale xfix
set autoscale yfix
set offsets graph 0.02, graph 0.02, graph 0.03, graph 0.03
set format x "%.0s%c"
set style fill transparent solid 0.12 noborder
n = words(names) - 1
f(i) = sprintf("%s/mrc-%s-%s.dat", data, trace, word(names, i))
lbl(i) = word(names, i) eq "opt" ? "opt (Belady)" : word(names, i)
plot \
	for [i = 1:n] f(i) using 1:3:4 with filledcurves lc rgb word(cols, i) notitle, \
	(exact ? sprintf("%s/mrc-%s-lru-exact.dat", data, trace) : f(1)) using 1:(exact ? $2 : NaN) \
		with lines lw 7 lc rgb word(cols, n + 1) title (exact ? "lru exact (pagelab mrc)" : ""), \
	for [i = 1:n] f(i) using 1:2 with linespoints lw (word(names, i) eq "opt" ? 3 : 2) \
		dt int(word(dts, i)) pt int(word(pts, i)) ps 0.7 lc rgb word(cols, i) title lbl(i)
