# check_euca_endpoint needs a name with servers behind it; the demo probes localhost on a port
# nothing listens on (its only address failing). With dnsmasq, see README.md's check_euca_endpoint.
run check_euca_endpoint --name localhost --port 1
