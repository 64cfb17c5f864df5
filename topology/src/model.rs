//! The checked deployment: what `parse` returns once every name, reference and value is known
//! to be valid. Consumers (the generator, the audit, the runner) never see raw TOML.

use std::fmt;

/// A place in the topology file, 1-based, for messages an admin can act on
/// (`topology.toml:12:9: ...`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Pos {
    pub line: usize,
    pub col: usize,
}

impl fmt::Display for Pos {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.col)
    }
}

/// A Eucalyptus release, major.minor (the patch level changes nothing the suite judges).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Version {
    pub major: u32,
    pub minor: u32,
}

impl Version {
    pub const fn new(major: u32, minor: u32) -> Version {
        Version { major, minor }
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

/// The Eucalyptus components a host can run (the seed's "Eucalyptus Core" plus the console and
/// the VMware broker), and a Riak node of the object store's backend.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    Clc,
    Ufs,
    Console,
    Osg,
    Walrus,
    Riak,
    Cc,
    Sc,
    Nc,
    VmwareBroker,
}

impl Role {
    pub const ALL: [Role; 10] = [
        Role::Clc,
        Role::Ufs,
        Role::Console,
        Role::Osg,
        Role::Walrus,
        Role::Riak,
        Role::Cc,
        Role::Sc,
        Role::Nc,
        Role::VmwareBroker,
    ];

    /// The name written in the topology file (and in generated host groups).
    pub fn name(self) -> &'static str {
        match self {
            Role::Clc => "clc",
            Role::Ufs => "ufs",
            Role::Console => "console",
            Role::Osg => "osg",
            Role::Walrus => "walrus",
            Role::Riak => "riak",
            Role::Cc => "cc",
            Role::Sc => "sc",
            Role::Nc => "nc",
            Role::VmwareBroker => "vmware-broker",
        }
    }

    /// What an admin calls it.
    pub fn title(self) -> &'static str {
        match self {
            Role::Clc => "Cloud Controller",
            Role::Ufs => "User Facing Services",
            Role::Console => "Management Console",
            Role::Osg => "Object Storage Gateway",
            Role::Walrus => "Walrus",
            Role::Riak => "Riak node",
            Role::Cc => "Cluster Controller",
            Role::Sc => "Storage Controller",
            Role::Nc => "Node Controller",
            Role::VmwareBroker => "VMware Broker",
        }
    }

    pub fn from_name(name: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.name() == name)
    }

    /// Registered per availability zone (a host with one of these must name its zone).
    pub fn is_zonal(self) -> bool {
        matches!(self, Role::Cc | Role::Sc | Role::Nc | Role::VmwareBroker)
    }

    /// Part of the seed's "Eucalyptus Core": must all run for the cloud to be available (the
    /// console is not; the VMware broker only in VMware zones). Core servers get the
    /// reliability features first and faster escalation.
    pub fn is_core(self) -> bool {
        matches!(
            self,
            Role::Clc
                | Role::Ufs
                | Role::Osg
                | Role::Walrus
                | Role::Riak
                | Role::Cc
                | Role::Sc
                | Role::Nc
        )
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// EBS backing store of the Storage Controllers (`storage.blockstoragemanager`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ebs {
    /// A SAN device pool (EMC VNX, NetApp, Dell EqualLogic ... ): the seed's choice.
    San,
    /// Local disk of the SC (overlay or DAS).
    Overlay,
    Das,
    CephRbd,
}

impl Ebs {
    pub const NAMES: &'static str = "san, overlay, das, ceph-rbd";
    pub fn from_name(name: &str) -> Option<Ebs> {
        Some(match name {
            "san" => Ebs::San,
            "overlay" => Ebs::Overlay,
            "das" => Ebs::Das,
            "ceph-rbd" => Ebs::CephRbd,
            _ => return None,
        })
    }
    pub fn name(self) -> &'static str {
        match self {
            Ebs::San => "san",
            Ebs::Overlay => "overlay",
            Ebs::Das => "das",
            Ebs::CephRbd => "ceph-rbd",
        }
    }
}

/// The object store's backend behind the OSG (`objectstorage.providerclient`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObjectStorage {
    /// Riak CS on a Riak ring: the seed's choice.
    Riak,
    /// Walrus on its own disks (or on a SAN mount, see the Walrus host's `san_mounts`).
    Walrus,
}

impl ObjectStorage {
    pub const NAMES: &'static str = "riak, walrus";
    pub fn from_name(name: &str) -> Option<ObjectStorage> {
        Some(match name {
            "riak" => ObjectStorage::Riak,
            "walrus" => ObjectStorage::Walrus,
            _ => return None,
        })
    }
    pub fn name(self) -> &'static str {
        match self {
            ObjectStorage::Riak => "riak",
            ObjectStorage::Walrus => "walrus",
        }
    }
}

/// The RAID a host's disks are on: which check_raid `--controller` watches it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Raid {
    Md,
    Storcli,
    Megacli,
    Ssacli,
    Arcconf,
    /// The host has no RAID (stated, so the audit can say so).
    None,
}

impl Raid {
    pub const NAMES: &'static str = "md, storcli, megacli, ssacli, arcconf, none";
    pub fn from_name(name: &str) -> Option<Raid> {
        Some(match name {
            "md" => Raid::Md,
            "storcli" => Raid::Storcli,
            "megacli" => Raid::Megacli,
            "ssacli" => Raid::Ssacli,
            "arcconf" => Raid::Arcconf,
            "none" => Raid::None,
            _ => return None,
        })
    }
    /// check_raid's `--controller` value.
    pub fn name(self) -> &'static str {
        match self {
            Raid::Md => "md",
            Raid::Storcli => "storcli",
            Raid::Megacli => "megacli",
            Raid::Ssacli => "ssacli",
            Raid::Arcconf => "arcconf",
            Raid::None => "none",
        }
    }
}

/// Eucalyptus' VM networking modes (`cloud.network.network_configuration` Mode).
pub const NETWORK_MODES: [&str; 6] = [
    "EDGE",
    "VPCMIDO",
    "MANAGED",
    "MANAGED-NOVLAN",
    "STATIC",
    "SYSTEM",
];

/// A monitoring server: Nagios/Icinga 2 master, or an Icinga 2 satellite of one zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Monitor {
    pub name: String,
    pub address: String,
    pub at: Pos,
}

/// Someone the failures must reach.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    pub name: String,
    pub email: String,
    /// Paged (a second notification command) for the Eucalyptus Core's services.
    pub pager: Option<String>,
    pub at: Pos,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cloud {
    pub name: String,
    pub version: Version,
    /// One of [`NETWORK_MODES`].
    pub networking: String,
    pub ebs: Ebs,
    pub object_storage: ObjectStorage,
    /// The DNS name end users reach the UFSes by (the seed: required with more than one UFS).
    pub ufs_name: Option<String>,
    /// The DNS name of the consoles.
    pub console_name: Option<String>,
    /// The DNS server that answers for those names (else the resolver of the checking host).
    pub dns_server: Option<String>,
    /// A cloud administrator's credentials file on the monitoring server (eucarc or .ini).
    pub credentials: String,
    pub at: Pos,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Zone {
    pub name: String,
    /// The Icinga 2 satellite of this zone (`--distributed`).
    pub satellite: Option<Monitor>,
    pub at: Pos,
}

/// One NUT UPS: `NAME@HOST[:PORT]`, as check_ups' `--ups` takes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ups {
    pub name: String,
    pub upsd: String,
}

impl fmt::Display for Ups {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}@{}", self.name, self.upsd)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Host {
    pub name: String,
    pub address: String,
    pub roles: Vec<Role>,
    pub zone: Option<String>,
    /// The host that runs this one's active/passive components' other half.
    pub partner: Option<String>,

    // Hardware under the components (the seed's Part 1, "Reliability in Hardware").
    pub raid: Option<Raid>,
    /// Arrays / logical drives check_raid must find (`--expect`).
    pub raid_arrays: Option<u32>,
    pub bonds: Vec<String>,
    pub teams: Vec<String>,
    /// The mode every bond/team must run (check_bond `--mode`); 802.3ad (LACP) by default.
    pub bond_mode: String,
    /// The switches (of the stack) the host's links go to.
    pub switches: Vec<String>,
    /// The UPSes feeding the host's power supplies, over NUT.
    pub ups: Vec<Ups>,
    /// apcupsd daemons (`HOST[:PORT]`) watching its UPSes, where NUT is not used.
    pub apcupsd: Vec<String>,
    /// The BMC's LAN address (check_ipmi `-H`); in-band (`/dev/ipmi0`) when `bmc_local`.
    pub bmc: Option<String>,
    pub bmc_local: bool,
    /// Power supplies that must be present and fed.
    pub psus: u32,
    /// Multipath maps (alias or WWID) that must exist with every path.
    pub san_maps: Vec<String>,
    /// iSCSI targets (IQN) that must have a session.
    pub iscsi_targets: Vec<String>,
    /// Backing-store mounts that must be mounted read-write (and answer a write).
    pub san_mounts: Vec<String>,
    /// Where the Eucalyptus backups of this host are kept (usually on the CLC).
    pub backup_dir: Option<String>,

    /// Simulations and tests only: read this host's files under this directory (`--root`).
    pub root: Option<String>,
    pub at: Pos,
}

impl Host {
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    /// Runs any of the Eucalyptus Core's components.
    pub fn is_core(&self) -> bool {
        self.roles.iter().any(|r| r.is_core())
    }
}

/// The whole deployment, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Topology {
    pub cloud: Cloud,
    pub monitoring: Monitor,
    pub contacts: Vec<Contact>,
    pub zones: Vec<Zone>,
    pub hosts: Vec<Host>,
    /// Tests and simulations only: options added to (or replacing those of) planned checks.
    pub simulation: Vec<SimulationArgs>,
}

/// `[simulation.args]` (tests and simulations only, docs/topology.md): for the service `service`
/// (a planned service's id) of `host` (`*`: every host's), these arguments are given besides
/// the planned ones; an option the plan already gives takes the value given here instead.
/// The simulated reference deployment feeds saved tool output (`--input`) and points checks at
/// its test doubles with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimulationArgs {
    pub host: String,
    pub service: String,
    pub args: Vec<String>,
    pub at: Pos,
}

impl Topology {
    pub fn host(&self, name: &str) -> Option<&Host> {
        self.hosts.iter().find(|h| h.name == name)
    }

    pub fn zone(&self, name: &str) -> Option<&Zone> {
        self.zones.iter().find(|z| z.name == name)
    }

    /// Hosts running `role`, in file order.
    pub fn with_role(&self, role: Role) -> impl Iterator<Item = &Host> {
        self.hosts.iter().filter(move |h| h.has(role))
    }

    /// Hosts running `role` in `zone`.
    pub fn in_zone<'a>(&'a self, zone: &'a str, role: Role) -> impl Iterator<Item = &'a Host> {
        self.with_role(role)
            .filter(move |h| h.zone.as_deref() == Some(zone))
    }

    /// Active/passive on this version: CC, SC and VMware broker always; the CLC only on
    /// 3.4-4.1 (4.2 dropped CLC HA).
    pub fn is_active_passive(&self, role: Role) -> bool {
        match role {
            Role::Cc | Role::Sc | Role::VmwareBroker => true,
            Role::Clc => self.cloud.version < Version::new(4, 2),
            _ => false,
        }
    }
}
