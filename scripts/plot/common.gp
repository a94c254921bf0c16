# scripts/plot/common.gp — what every pagelab figure shares: size, fonts,
# grid, and a palette for what is not a policy or allocator (fault classes,
# engines).  Policies and allocators take their colour, dash and point
# from scripts/plot/styles.txt, which scripts/plot.sh passes as the
# strings names, cols, dts and pts (word i of each), so a policy looks the
# same in every figure and every results folder.  Loaded first by each
# script; the caller (scripts/plot.sh) sets gp, out, data and fmt (png or
# svg: each figure is drawn once per format).
COLORS = "#000000 #7f7f7f #1f77b4 #d62728 #2ca02c #9467bd #ff7f0e #8c564b " . \
         "#e377c2 #17becf #bcbd22 #393b79 #ad494a #637939 #843c39 #7b4173"
color(i) = word(COLORS, (i - 1) % 16 + 1)
if (fmt eq "svg") {
	set terminal svg size 1100,680 dynamic font "Sans,11" background "#ffffff"
} else {
	set terminal pngcairo size 1100,680 font "Sans,11"
}
set output out . "." . fmt
set grid lc rgb "#d0d0d0"
set border lw 1
set key outside right top box opaque Left reverse samplen 3 spacing 1.1 width 1
set tics nomirror
set datafile missing "?"
