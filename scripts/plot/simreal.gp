# scripts/plot/simreal.gp — the simulator against the real engine on the
# same configurations: faults counted (left) and fault time (right: the
# simulator's cost model against the real engine's measured time).  Each
# point is one (trace, allocator, RAM size); on the diagonal they agree.
load gp . "/common.gp"
# equal ranges on both axes, so the diagonal is the diagonal; the stats
# come first, before log scales and ranges apply
stats data . "/simreal.dat" using 1:2 nooutput prefix "F"
stats data . "/simreal.dat" using 3:4 nooutput prefix "T"
lo(a, b) = 0.7 * (a < b ? a : b)
hi(a, b) = 1.4 * (a > b ? a : b)
range(a, b) = sprintf("set xrange [%g:%g]; set yrange [%g:%g]", a, b, a, b)

set multiplot layout 1, 2 title "Simulator against real engine (same trace, policies, RAM size)"
set logscale xy
set size square
set format xy "%.0s%c"
set key inside right bottom box opaque
eval range(lo(F_min_x, F_min_y), hi(F_max_x, F_max_y))
set xlabel "simulator: faults"
set ylabel "real engine: faults"
set title "fault counts"
plot data . "/simreal.dat" using ($7 == 4096 ? $1 : 1/0):2 with points pt 7 ps 1.2 lc rgb color(3) title "shmfs (4 KiB)", \
     "" using ($7 != 4096 ? $1 : 1/0):2 with points pt 5 ps 1.2 lc rgb color(4) title "hugetlbfs (2 MiB)", \
     x with lines dt 2 lc rgb "#000000" title "agreement"
eval range(lo(T_min_x, T_min_y), hi(T_max_x, T_max_y))
set xlabel "simulator: modelled fault time (ms)"
set ylabel "real engine: measured fault time (ms)"
set title "fault time"
plot data . "/simreal.dat" using ($7 == 4096 ? $3 : 1/0):4 with points pt 7 ps 1.2 lc rgb color(3) title "shmfs (4 KiB)", \
     "" using ($7 != 4096 ? $3 : 1/0):4 with points pt 5 ps 1.2 lc rgb color(4) title "hugetlbfs (2 MiB)", \
     x with lines dt 2 lc rgb "#000000" title "agreement"
unset multiplot
