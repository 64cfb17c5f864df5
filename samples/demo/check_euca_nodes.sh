# check_euca_nodes on saved DescribeAvailabilityZones verbose / DescribeServices / node listings
# (samples/euca-nodes, see SOURCES.md there). Live: check_euca_nodes --clc CLC --compute UFS
# --credentials /etc/nagios/euca/eucarc; the tests run it over HTTP against euca-clc-double.
run check_euca_nodes --input availability-zones=samples/euca-nodes/01-verbose-healthy.xml --input describe-services=samples/euca-clc/describe-services-healthy-4.4.xml -w 25% -c 5
run check_euca_nodes --input availability-zones=samples/euca-nodes/02-verbose-zone-two-exhausted.txt --input nodes=samples/euca-nodes/02-euserv-describe-node-controllers-degraded-4.4.txt --min-nodes 2
