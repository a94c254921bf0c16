# scripts/plot/vmas.gp — kernel VMAs each allocator's placement of pages
# costs: the peak VMA count over the RAM sizes swept (simulator, lru,
# faults observation, 4 KiB pages), per trace; log scale.
# Vars: ncols (columns of vmas.dat: trace, then one per allocator), and
# the allocators' styles (scripts/plot.sh styles): cols.
load gp . "/common.gp"
set title "Kernel VMAs per allocator (simulator, peak over the RAM sizes)"
set xlabel "trace"
set ylabel "peak kernel VMAs (log scale)"
set logscale y
set yrange [0.8:*]
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set xtics rotate by -20 nomirror
plot for [c = 2:ncols] data . "/vmas.dat" using c:xtic(1) lc rgb word(cols, c - 1) title columnheader(c)
