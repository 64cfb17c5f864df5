# check_ipmi on saved ipmi-sensors / ipmitool output (see samples/ipmi/SOURCES.md).
# Live: check_ipmi -H BMC --user monitor --password-file FILE --psu-count 2, or in-band --sudo.
run check_ipmi --input ipmi-sensors=samples/ipmi/ipmi-sensors-ipmimonitoring-dell-idrac6-ok --psu-count 2
run check_ipmi --input ipmitool-sdr=samples/ipmi/ipmitool-sdr-type-psu-dell-ac-lost-redundancy-degraded
run check_ipmi --input ipmi-sensors=samples/ipmi/sim-ipmi-sensors-psu1-fail-redundancy-lost-cpu-hot-fan-stopped-cr
