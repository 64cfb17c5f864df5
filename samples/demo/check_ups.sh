# check_ups on saved upsc / apcaccess output (captured from the real test daemons, see
# samples/ups/SOURCES.md). Live: check_ups --ups ups1@HOST --ups ups2@HOST, or --apcupsd HOST.
run check_ups --input upsc=samples/ups/healthy/ups1 --input upsc=samples/ups/healthy/ups2
run check_ups --input upsc=samples/ups/power-cut/ups1 --input upsc=samples/ups/power-cut/ups2
run check_ups --input upsc=samples/ups/healthy/ups1 --charge-warning 50: --charge-critical 20: --load-warning 20
run check_ups --input apcaccess=samples/ups/apcupsd-online/simups
run check_ups --input apcaccess=samples/ups/apcupsd-lowbatt/simups --runtime-warning 600: --runtime-critical 300:
