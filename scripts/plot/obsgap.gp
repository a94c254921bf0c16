# scripts/plot/obsgap.gp — what each policy loses when it sees only faults:
# miss ratio with `faults` observation minus miss ratio with `full`, in
# percentage points, the mean over the RAM sizes; one bar per trace.
# Vars: ncols (columns of obsgap.dat: policy, then one per trace).
load gp . "/common.gp"
set title "Cost of seeing only faults: miss ratio (faults observation) - miss ratio (full observation)"
set xlabel "reclaim policy"
set ylabel "miss-ratio increase (percentage points, mean over RAM sizes)"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set xtics rotate by -30 nomirror
set xzeroaxis lt -1
set key autotitle columnheader
plot for [c = 2:ncols] data . "/obsgap.dat" using c:xtic(1) lc rgb color(c + 1) title columnheader(c)
