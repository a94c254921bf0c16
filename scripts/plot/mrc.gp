# scripts/plot/mrc.gp — miss-ratio curves of one trace: every reclaim
# policy, simulator, full observation; miss ratio against RAM size.
# Vars: trace, policies (the legend order; opt and fifo first), data, out.
load gp . "/common.gp"
set title sprintf("Miss-ratio curves, trace %s (simulator, every access observed)", trace)
set xlabel "RAM size (pages of 4 KiB, log scale)"
set ylabel "miss ratio (load faults / accesses)"
set logscale x
set autoscale xfix
set offsets graph 0.02, graph 0.02, graph 0.04, 0
set yrange [0:*]
set format x "%.0s%c"
p(i) = word(policies, i)
plot for [i = 1:words(policies)] sprintf("%s/mrc-%s-%s.dat", data, trace, p(i)) \
	using 1:2 with linespoints lw (p(i) eq "opt" ? 3 : 2) dt 1 + (p(i) eq "opt") \
	pt (i % 13 + 1) ps 0.8 lc rgb color(i) \
	title (p(i) eq "opt" ? "opt (Belady)" : p(i))
