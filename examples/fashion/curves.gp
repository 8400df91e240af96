# Training curves of examples/fashion/train.dis --csv FILE: loss, and
# training and test accuracy, per epoch, as one PNG.
#   gnuplot -e "csv='metrics.csv'; png='curves.png'" examples/fashion/curves.gp
if (!exists("csv")) csv = 'metrics.csv'
if (!exists("png")) png = 'curves.png'
set datafile separator ','
set terminal pngcairo size 1000,420 font 'sans,10'
set output png
set multiplot layout 1,2 title 'Fashion-MNIST training (' . csv . ')'
set xlabel 'epoch'
set grid
set xtics 1
set key top right
set ylabel 'mean training loss'
plot csv using 1:2 skip 1 with linespoints lw 2 pt 7 title 'loss'
set ylabel 'accuracy (%)'
set key bottom right
plot csv using 1:3 skip 1 with linespoints lw 2 pt 7 title 'train', \
     csv using 1:4 skip 1 with linespoints lw 2 pt 5 title 'test'
unset multiplot
