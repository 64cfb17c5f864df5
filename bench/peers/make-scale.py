#!/usr/bin/python3
"""Generate the inputs of bench/run's scale cases, one size at a time (issue 19: how each cost
grows with its input). Every generated input is healthy, so the plugin does all its work (no
early CRITICAL) and the verdict is the same at every size; bench/run prints each first line.

  make-scale.py clc DIR N       DIR/describe-services.xml: the 45 services of
                                plugins/check_euca_clc/tests/fixtures/describe-services/07-healthy-4.4.xml
                                plus ENABLED node services in zones one and two, N services in all
  make-scale.py raid DIR N      DIR/proc/mdstat: N active raid1 arrays (md0..), each [2/2] [UU]
  make-scale.py san DIR N       DIR/multipath: `multipath -ll` text of N maps, 4 active paths each
                                (the shape of check_san_path's multipath-falcon-2luns-4paths-ok)
  make-scale.py bond DIR N      DIR/proc/net/bonding/bond0..: N 802.3ad bonds, two links up each
  make-scale.py topology DIR N  DIR/topology.toml: the reference deployment's core (CLC, two UFS,
                                three Riak) and, per zone, an HA pair of CC+SC and NCs: N hosts

The paths are relative to the repository; run from its root (bench/run does)."""

import os
import sys

CLC_FIXTURE = "plugins/check_euca_clc/tests/fixtures/describe-services/07-healthy-4.4.xml"


def clc(out, n):
    text = open(CLC_FIXTURE, encoding="utf-8").read()
    base = 45  # services of the fixture (items nested inside items are not services)
    end = "  </euca:serviceStatuses>"
    if n < base or end not in text:
        sys.exit(f"clc: at least {base} services, and {CLC_FIXTURE} must end its serviceStatuses")
    extra = []
    for i in range(n - base):
        zone = ("one", "two")[i % 2]
        host = f"10.120.{i // 250}.{1 + i % 250}"
        name = f"nc-{zone}-{1000 + i}"
        extra.append(
            f"    <euca:item>\n      <euca:serviceId>\n        <euca:partition>{zone}</euca:partition>\n"
            f"        <euca:name>{name}</euca:name>\n        <euca:type>node</euca:type>\n"
            f"        <euca:fullName>arn:euca:eucalyptus:{zone}:node:{name}/</euca:fullName>\n"
            f"        <euca:uri>http://{host}:8775/axis2/services/EucalyptusNC</euca:uri>\n"
            f"        <euca:host>{host}</euca:host>\n      </euca:serviceId>\n"
            "      <euca:localState>ENABLED</euca:localState>\n      <euca:localEpoch>112</euca:localEpoch>\n"
            "      <euca:details/>\n      <euca:statusDetails/>\n      <euca:serviceAccounts/>\n"
            "    </euca:item>\n")
    head, tail = text.rsplit(end, 1)
    write(out, "describe-services.xml", head + "".join(extra) + end + tail)


def raid(out, n):
    lines = ["Personalities : [raid1] [linear] [multipath] [raid0] [raid6] [raid5] [raid4] [raid10] "]
    for i in range(n):
        a, b = disk(2 * i), disk(2 * i + 1)
        lines += [f"md{i} : active raid1 {b}1[1] {a}1[0]",
                  "      976629760 blocks super 1.2 [2/2] [UU]",
                  "      bitmap: 2/8 pages [8KB], 65536KB chunk", ""]
    lines += ["unused devices: <none>", ""]
    write(os.path.join(out, "proc"), "mdstat", "\n".join(lines))


def disk(i):
    """sda..sdz, sdaa.. as the kernel names them."""
    name = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        name = chr(97 + r) + name
    return "sd" + name


def san(out, n):
    parts = []
    for m in range(n):
        wwid = f"36000d774000045f655ea91cb{m:08x}"
        parts.append(f"mpath{m} ({wwid}) dm-{m} FALCON,IPSTOR DISK\n"
                     "size=1.9T features='1 queue_if_no_path' hwhandler='0' wp=rw\n"
                     "`-+- policy='round-robin 0' prio=1 status=active\n")
        for p in range(4):
            host, target = 3 + p // 2, p % 2
            dev = disk(4 * m + p)
            lead = "`-" if p == 3 else "|-"
            parts.append(f"  {lead} {host}:0:{target}:{m} {dev} 8:{(4 * m + p) * 16 % 256:<3d} active ready running\n")
    write(out, "multipath", "".join(parts))


def bond(out, n):
    d = os.path.join(out, "proc", "net", "bonding")
    for b in range(n):
        text = ("Ethernet Channel Bonding Driver: v3.7.1 (April 27, 2011)\n\n"
                "Bonding Mode: IEEE 802.3ad Dynamic link aggregation\n"
                "Transmit Hash Policy: layer2 (0)\nMII Status: up\nMII Polling Interval (ms): 100\n"
                "Up Delay (ms): 0\nDown Delay (ms): 0\n\n802.3ad info\nLACP rate: fast\nMin links: 0\n"
                "Aggregator selection policy (ad_select): stable\n")
        for s in range(2):
            text += (f"\nSlave Interface: eth{2 * b + s}\nMII Status: up\nSpeed: 10000 Mbps\n"
                     "Duplex: full\nLink Failure Count: 0\n"
                     f"Permanent HW addr: 3c:ec:ef:5e:{b:02x}:{s:02x}\nSlave queue ID: 0\n"
                     "Aggregator ID: 2\nActor Churn State: none\nPartner Churn State: none\n"
                     "Actor Churned Count: 0\nPartner Churned Count: 0\n")
        write(d, f"bond{b}", text)


HOST_TAIL = ('raid = "{raid}"\nbonds = ["bond0"]\nswitches = ["stack1-a", "stack1-b"]\n'
             'ups = ["ups-{ups}@10.111.5.3"]\nbmc = "{bmc}"\npsus = 2\n')
ISCSI = 'iscsi_targets = ["iqn.1992-04.com.emc:cx.san1.a0", "iqn.1992-04.com.emc:cx.san1.b0"]\n'


def topology(out, n):
    core = [("clc1", '["clc"]', 'backup_dir = "/var/backups/eucalyptus"\n', "md"),
            ("ufs1", '["ufs", "console", "osg"]', "", "md"), ("ufs2", '["ufs", "console", "osg"]', "", "md"),
            ("riak1", '["riak"]', "", "storcli"), ("riak2", '["riak"]', "", "storcli"),
            ("riak3", '["riak"]', "", "storcli")]
    zones = max(1, min(10, n // 25))
    if n < len(core) + 4 * zones:
        sys.exit(f"topology: at least {len(core) + 4 * zones} hosts")
    ncs = n - len(core) - 2 * zones
    t = ['# Generated by bench/peers/make-scale.py: the reference deployment (samples/topology/\n'
         f'# reference.toml) grown to {n} hosts in {zones} zones, for bench/run.\n\n'
         '[cloud]\nname = "scale"\neucalyptus = "4.4"\nnetworking = "EDGE"\nebs = "san"\n'
         'object_storage = "riak"\nufs_name = "ufs.cloud.example"\nconsole_name = "console.cloud.example"\n'
         'dns_server = "10.111.5.2"\ncredentials = "/etc/nagios/euca/eucarc"\n\n'
         '[monitoring]\nname = "mon1"\naddress = "10.111.7.10"\n\n'
         '[[contact]]\nname = "cloud-admins"\nemail = "cloud-admins@example.com"\n'
         'pager = "cloud-oncall@example.com"\n']
    for z in range(zones):
        t.append(f'\n[[zone]]\nname = "z{z}"\n'
                 f'satellite = {{ name = "mon-z{z}", address = "10.111.7.{20 + z}" }}\n')
    count = 0

    def host(name, roles, extra, raid_kind):
        nonlocal count
        t.append(f'\n[[host]]\nname = "{name}"\naddress = "{addr(count)}"\nroles = {roles}\n{extra}'
                 + HOST_TAIL.format(raid=raid_kind, ups="ab"[count % 2], bmc=addr(count, 6)))
        count += 1

    for name, roles, extra, raid_kind in core:
        host(name, roles, extra, raid_kind)
    for z in range(zones):
        for side, other in (("a", "b"), ("b", "a")):
            host(f"cc-z{z}-{side}", '["cc", "sc"]',
                 f'zone = "z{z}"\npartner = "cc-z{z}-{other}"\nsan_maps = ["ebs-z{z}"]\n' + ISCSI, "md")
    for i in range(ncs):
        z = i % zones
        host(f"nc-z{z}-{i // zones + 1}", '["nc"]', f'zone = "z{z}"\n' + ISCSI, "storcli")
    write(out, "topology.toml", "".join(t))


def addr(i, net=5):
    """10.{net*16 + i // 250}.{i % 250 + 1}: unique, never .0 or .255."""
    return f"10.{net * 16 + i // 250}.{(i // 250) % 250}.{i % 250 + 1}"


def write(d, name, text):
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "w", encoding="utf-8") as f:
        f.write(text)


def main():
    kinds = {"clc": clc, "raid": raid, "san": san, "bond": bond, "topology": topology}
    if len(sys.argv) != 4 or sys.argv[1] not in kinds or not sys.argv[3].isdigit():
        sys.exit(__doc__)
    kinds[sys.argv[1]](sys.argv[2], int(sys.argv[3]))


if __name__ == "__main__":
    main()
