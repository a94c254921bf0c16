# scripts/plot/obsgap.gp — what each policy loses when it sees only faults
# (a userspace pager does not see hits on mapped pages): miss ratio with
# `faults` observation minus miss ratio with `full`, in percentage points,
# against RAM size; one panel per trace (small multiples, each its own
# y-axis), the legend in the last panel.  Vars: traces, and the styles of
# scripts/plot.sh: names, cols, dts, pts.
load gp . "/common.gp"
if (fmt eq "svg") {
	set terminal svg size 1200,900 dynamic font "Sans,10" background "#ffffff"
} else {
	set terminal pngcairo size 1200,900 font "Sans,10"
}
set output out . "." . fmt
nt = words(traces)
nc = 3
nr = int((nt + 1 + nc - 1) / nc)
set multiplot layout nr, nc title "Cost of seeing only faults: miss ratio (faults observation) - miss ratio (full observation), percentage points"
set logscale x
set autoscale xfix
set format x "%.0s%c"
set xzeroaxis lt -1
set key off
set offsets 0, 0, graph 0.05, graph 0.05
f(t, i) = sprintf("%s/obsgap-%s-%s.dat", data, t, word(names, i))
do for [j = 1:nt] {
	set title word(traces, j)
	set xlabel "RAM size (pages, log scale)"
	set ylabel "points"
	plot for [i = 1:words(names)] f(word(traces, j), i) using 1:2 with linespoints \
		lw 1.5 dt int(word(dts, i)) pt int(word(pts, i)) ps 0.5 lc rgb word(cols, i) notitle
}
# the legend panel: the same styles, no data
unset title
unset xlabel
unset ylabel
unset logscale x
unset border
unset tics
unset grid
unset xzeroaxis
set xrange [0:1]
set yrange [0:1]
set key inside center center box opaque Left reverse samplen 3 spacing 1.1
plot for [i = 1:words(names)] NaN with linespoints lw 1.5 dt int(word(dts, i)) \
	pt int(word(pts, i)) lc rgb word(cols, i) title word(names, i)
unset multiplot
