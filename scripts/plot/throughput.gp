# scripts/plot/throughput.gp — simulator speed per policy in million
# accesses per second: the whole command timed by hyperfine (median, bar;
# min-max, error bar) and the replay loop alone (wall_s of the CSV rows,
# median).  Vars: hftrace (the trace hyperfine ran).
load gp . "/common.gp"
set title sprintf("Simulator throughput per policy%s", hftrace eq "" ? "" : " (trace " . hftrace . ", full observation)")
set xlabel "reclaim policy"
set ylabel "throughput (million accesses / s)"
set yrange [0:*]
set style data histograms
set style histogram errorbars gap 1 lw 1
set style fill solid 0.85 border -1
set xtics rotate by -30 nomirror
plot data . "/throughput.dat" using 2:3:4:xtic(1) lc rgb color(3) \
	title "whole command, hyperfine median (min-max)", \
     "" using 5:5:5 lc rgb color(7) title "replay loop only, median of rows (wall\\_s)"
