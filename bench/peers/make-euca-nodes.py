#!/usr/bin/python3
"""Generate the answers of a cloud of 1,000 NCs for the check_euca_nodes benchmark: 10 zones of
100 NCs each, every NC ENABLED. Writes DIR/availability-zones.xml (DescribeAvailabilityZones
verbose: per zone the CC item, the vm types header and 19 VM types, shapes as the fixtures in
plugins/check_euca_nodes/tests/fixtures/availability-zones/) and DIR/describe-services.xml
(DescribeServices: per zone a CC and an SC, then 100 node services, ENABLED with no event as in a healthy cloud,
the shape of describe-services/07-healthy-4.4.xml). Usage: make-euca-nodes.py DIR [ZONES NCS_PER_ZONE]"""

import os
import sys

TYPES = [  # name, cpu, ram MB, disk GB (vmtypes/VmTypes.java defaults)
    ("t1.micro", 1, 256, 5), ("m1.small", 1, 256, 5), ("m1.medium", 1, 512, 10),
    ("c1.medium", 2, 512, 10), ("m1.large", 2, 512, 10), ("m1.xlarge", 2, 1024, 10),
    ("m2.xlarge", 2, 2048, 10), ("c1.xlarge", 2, 2048, 10), ("m3.xlarge", 4, 2048, 15),
    ("m2.2xlarge", 2, 4096, 30), ("m3.2xlarge", 4, 4096, 30), ("cc1.4xlarge", 8, 3072, 60),
    ("m2.4xlarge", 8, 4096, 60), ("hi1.4xlarge", 8, 6144, 120), ("cc2.8xlarge", 16, 6144, 120),
    ("cg1.4xlarge", 16, 12288, 200), ("cr1.8xlarge", 16, 16384, 240),
    ("hs1.8xlarge", 48, 119808, 24000),
]
NC_CORES = 16


def item(name, state):
    return (f"    <item>\n      <zoneName>{name}</zoneName>\n      <zoneState>{state}</zoneState>\n"
            "      <regionName/>\n      <messageSet/>\n    </item>\n")


def main():
    out = sys.argv[1]
    zones = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    per = int(sys.argv[3]) if len(sys.argv) > 3 else 100
    os.makedirs(out, exist_ok=True)
    az = ['<?xml version="1.0" encoding="UTF-8"?>\n<DescribeAvailabilityZonesResponse xmlns="http://ec2.amazonaws.com/doc/2014-06-15/">\n'
          "  <requestId>bench</requestId>\n  <availabilityZoneInfo>\n"]
    ds = ['<euca:DescribeServicesResponseType xmlns:euca="http://msgs.eucalyptus.com/4.4.2">\n'
          "  <euca:_return>true</euca:_return>\n  <euca:serviceStatuses>\n"]

    def service(kind, zone, name, host, port, path):
        return (f"    <euca:item>\n      <euca:serviceId>\n        <euca:partition>{zone}</euca:partition>\n"
                f"        <euca:name>{name}</euca:name>\n        <euca:type>{kind}</euca:type>\n"
                f"        <euca:fullName>arn:euca:eucalyptus:{zone}:{kind}:{name}/</euca:fullName>\n"
                f"        <euca:uri>http://{host}:{port}{path}</euca:uri>\n        <euca:host>{host}</euca:host>\n"
                "      </euca:serviceId>\n      <euca:localState>ENABLED</euca:localState>\n"
                "      <euca:localEpoch>112</euca:localEpoch>\n      <euca:details/>\n"
                "      <euca:statusDetails/>\n      <euca:serviceAccounts/>\n    </euca:item>\n")

    for z in range(zones):
        zone = f"zone{z:02d}"
        cc = f"10.{100 + z}.0.1"
        az.append(item(zone, f"{cc} arn:euca:eucalyptus:{zone}:cluster:{zone}-cc-1/"))
        az.append(item("|- vm types", "free / max   cpu   ram  disk"))
        for name, cpu, ram, disk in TYPES:
            mx = per * (NC_CORES // cpu)
            free = mx * 2 // 3
            az.append(item(f"|- {name}", f"{free:04d} / {mx:04d}  {cpu:2d}   {ram:4d}  {disk:4d}"))
        ds.append(service("cluster", zone, f"{zone}-cc-1", cc, 8774, "/axis2/services/EucalyptusCC"))
        ds.append(service("storage", zone, f"{zone}-sc-1", cc, 8773, "/services/Storage"))
        for n in range(per):
            host = f"10.{100 + z}.{1 + n // 250}.{1 + n % 250}"
            ds.append(service("node", zone, host, host, 8775, "/axis2/services/EucalyptusNC"))
    az.append("  </availabilityZoneInfo>\n</DescribeAvailabilityZonesResponse>\n")
    ds.append("  </euca:serviceStatuses>\n</euca:DescribeServicesResponseType>\n")
    with open(os.path.join(out, "availability-zones.xml"), "w", encoding="utf-8") as f:
        f.write("".join(az))
    with open(os.path.join(out, "describe-services.xml"), "w", encoding="utf-8") as f:
        f.write("".join(ds))


if __name__ == "__main__":
    main()
