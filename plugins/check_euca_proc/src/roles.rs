//! What each Eucalyptus role needs running on its host: processes, pid files, listening
//! ports and sockets, service units (EL7, 4.3/4.4) and init scripts (EL6, 3.4-4.2), the
//! Heartbeat components of the JVM roles, and where to look when it is down.
//!
//! Data only; one row per role, each citing where its facts come from (docs/EUCALYPTUS.md
//! section 5 gathers them; the upstream file is named in each row's comment).

/// A role this check knows (`--role`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, clap::ValueEnum)]
pub enum Role {
    Clc,
    Ufs,
    Osg,
    Walrus,
    Sc,
    Cc,
    Nc,
    Console,
    /// A JVM host (eucalyptus-cloud) whose components only its Heartbeat tells: what
    /// `--role auto` infers where no CLC database is found.
    Cloud,
}

/// How to recognise a process of a role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProcSpec {
    /// The name an admin knows it by; also its perfdata label stem.
    pub label: &'static str,
    /// The program: argv[0]'s file name, or argv[1]'s for an interpreter (python), or the
    /// kernel's 15-character comm.
    pub program: &'static str,
    /// An argument that must end with this (httpd runs both the CC and the NC: told apart
    /// by its config file).
    pub arg_suffix: Option<&'static str>,
    /// The Eucalyptus JVM (RSS and threads in perfdata, Heartbeat).
    pub jvm: bool,
    /// Pid files it writes (host paths; `@` is `$EUCALYPTUS/var/run/eucalyptus`). Several are
    /// the era's alternatives (EL7 name, EL6 name): those that exist are checked.
    pub pid_files: &'static [&'static str],
    /// Its log, for the hint.
    pub log: &'static str,
    /// Users lose this service when the process is down (seed Part 2: the console is down
    /// for users if either eucaconsole or nginx is).
    pub down_for_users: Option<&'static str>,
}

/// A TCP port a role listens on, and the process that opens it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PortSpec {
    pub port: u16,
    /// The eucalyptus.conf setting that moves it, if any.
    pub conf_key: Option<&'static str>,
    /// label of the ProcSpec that listens on it.
    pub owner: &'static str,
    pub what: &'static str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RoleSpec {
    pub role: Role,
    pub name: &'static str,
    pub processes: &'static [ProcSpec],
    pub ports: &'static [PortSpec],
    /// Unix sockets that must be listening (host paths).
    pub sockets: &'static [(&'static str, &'static str)],
    /// systemd units (EL7) whose enablement makes `--role auto` infer the role.
    pub units: &'static [&'static str],
    /// EL6 init scripts, the same.
    pub init_scripts: &'static [&'static str],
    /// Heartbeat components this role's JVM hosts.
    pub components: &'static [&'static str],
    /// How to bring it back (long output).
    pub restore: &'static str,
}

const JVM: ProcSpec = ProcSpec {
    label: "eucalyptus-cloud",
    program: "eucalyptus-cloud",
    arg_suffix: None,
    jvm: true,
    // clc/modules/bootstrap/src/main/native/arguments.ggo.in: --pidfile default
    pid_files: &["@/eucalyptus-cloud.pid"],
    log: "/var/log/eucalyptus/cloud-output.log and *-fault.log",
    down_for_users: None,
};

// systemd/units/eucalyptus-cloud.service; EL6 /etc/init.d/eucalyptus-cloud
const JVM_UNITS: &[&str] = &["eucalyptus-cloud.service"];
const JVM_INIT: &[&str] = &["eucalyptus-cloud"];
const JVM_RESTORE: &str =
    "systemctl restart eucalyptus-cloud (EL6: service eucalyptus-cloud restart)";

/// Web services port of every JVM (Corymbia docs, preparing_firewalls).
const WS: PortSpec = PortSpec {
    port: 8773,
    conf_key: None,
    owner: "eucalyptus-cloud",
    what: "web services",
};

pub const ROLES: &[RoleSpec] = &[
    // CLC: eucalyptus-cloud JVM + its PostgreSQL on 8777 started by the JVM
    // (clc/modules/postgresql/conf/scripts/setup_db.groovy: pg_ctl -o "-h0.0.0.0 -p8777").
    RoleSpec {
        role: Role::Clc,
        name: "clc",
        processes: &[JVM],
        ports: &[
            WS,
            PortSpec {
                port: 8777,
                conf_key: None,
                owner: "eucalyptus-cloud",
                what: "CLC database, PostgreSQL started by the JVM",
            },
        ],
        sockets: &[],
        units: JVM_UNITS,
        init_scripts: JVM_INIT,
        // Heartbeat component of the CLC (ComponentId "eucalyptus", captured clc-4.4 answer)
        components: &["eucalyptus"],
        restore: JVM_RESTORE,
    },
    // UFS: user-facing services in the same JVM (4.4 ComponentId user-api)
    RoleSpec {
        role: Role::Ufs,
        name: "ufs",
        processes: &[JVM],
        ports: &[WS],
        sockets: &[],
        units: JVM_UNITS,
        init_scripts: JVM_INIT,
        components: &["user-api"],
        restore: JVM_RESTORE,
    },
    // OSG: object storage gateway (ComponentId objectstorage), same JVM
    RoleSpec {
        role: Role::Osg,
        name: "osg",
        processes: &[JVM],
        ports: &[WS],
        sockets: &[],
        units: JVM_UNITS,
        init_scripts: JVM_INIT,
        components: &["objectstorage"],
        restore: JVM_RESTORE,
    },
    // Walrus backend (ComponentId walrusbackend, /services/WalrusBackend), same JVM
    RoleSpec {
        role: Role::Walrus,
        name: "walrus",
        processes: &[JVM],
        ports: &[WS],
        sockets: &[],
        units: JVM_UNITS,
        init_scripts: JVM_INIT,
        components: &["walrusbackend"],
        restore: JVM_RESTORE,
    },
    // SC: storage controller (ComponentId storage), same JVM
    RoleSpec {
        role: Role::Sc,
        name: "sc",
        processes: &[JVM],
        ports: &[WS],
        sockets: &[],
        units: JVM_UNITS,
        init_scripts: JVM_INIT,
        components: &["storage"],
        restore: JVM_RESTORE,
    },
    // CC: cluster/eucalyptus-cluster.in execs httpd -f /run/eucalyptus/httpd-cc.conf on
    // CC_PORT 8774; pid file eucalyptus-cluster.pid (EL6 tools/eucalyptus-cc.in @maint-4.2:
    // eucalyptus-cc.pid)
    RoleSpec {
        role: Role::Cc,
        name: "cc",
        processes: &[ProcSpec {
            label: "eucalyptus-cluster",
            program: "httpd",
            arg_suffix: Some("httpd-cc.conf"),
            jvm: false,
            pid_files: &["@/eucalyptus-cluster.pid", "@/eucalyptus-cc.pid"],
            log: "/var/log/eucalyptus/cc.log and httpd-cluster_error_log",
            down_for_users: None,
        }],
        ports: &[PortSpec {
            port: 8774,
            conf_key: Some("CC_PORT"),
            owner: "eucalyptus-cluster",
            what: "cluster controller",
        }],
        sockets: &[],
        units: &["eucalyptus-cluster.service"],
        init_scripts: &["eucalyptus-cc"],
        components: &[],
        restore: "systemctl restart eucalyptus-cluster (EL6: service eucalyptus-cc restart)",
    },
    // NC: node/eucalyptus-node.in: httpd -f /run/eucalyptus/httpd-nc.conf on NC_PORT 8775,
    // after libvirtd (systemd unit eucalyptus-node.service); EL6 eucalyptus-nc
    RoleSpec {
        role: Role::Nc,
        name: "nc",
        processes: &[
            ProcSpec {
                label: "eucalyptus-node",
                program: "httpd",
                arg_suffix: Some("httpd-nc.conf"),
                jvm: false,
                pid_files: &["@/eucalyptus-node.pid", "@/eucalyptus-nc.pid"],
                log: "/var/log/eucalyptus/nc.log and httpd-node_error_log",
                down_for_users: None,
            },
            ProcSpec {
                label: "libvirtd",
                program: "libvirtd",
                arg_suffix: None,
                jvm: false,
                pid_files: &[],
                log: "its journal (journalctl -u libvirtd)",
                down_for_users: None,
            },
        ],
        ports: &[PortSpec {
            port: 8775,
            conf_key: Some("NC_PORT"),
            owner: "eucalyptus-node",
            what: "node controller",
        }],
        sockets: &[],
        units: &["eucalyptus-node.service"],
        init_scripts: &["eucalyptus-nc"],
        components: &[],
        restore:
            "systemctl restart libvirtd, then eucalyptus-node (EL6: service libvirtd restart; \
            service eucalyptus-nc restart)",
    },
    // Console: eucalyptus/eucaconsole systemd/units/*: eucaconsole (gunicorn, conf/console.ini
    // port 8888 on 127.0.0.1), eucaconsole-nginx (nginx -c /etc/eucaconsole/nginx.conf, 443
    // ssl, 80 redirect), eucaconsole-memcached (memcached -s /run/eucaconsole/memcached.sock)
    RoleSpec {
        role: Role::Console,
        name: "console",
        processes: &[
            ProcSpec {
                label: "eucaconsole",
                program: "eucaconsole",
                arg_suffix: None,
                jvm: false,
                pid_files: &[],
                log: "/var/log/eucaconsole.log",
                down_for_users: Some("the console"),
            },
            ProcSpec {
                label: "nginx",
                program: "nginx",
                arg_suffix: None,
                jvm: false,
                pid_files: &[],
                log: "/var/log/nginx/error.log",
                down_for_users: Some("the console"),
            },
            ProcSpec {
                label: "memcached",
                program: "memcached",
                arg_suffix: None,
                jvm: false,
                pid_files: &[],
                log: "its journal (journalctl -u eucaconsole-memcached)",
                down_for_users: None,
            },
        ],
        ports: &[
            PortSpec {
                port: 8888,
                conf_key: None,
                owner: "eucaconsole",
                what: "console application, gunicorn",
            },
            PortSpec {
                port: 443,
                conf_key: None,
                owner: "nginx",
                what: "console HTTPS, nginx",
            },
        ],
        sockets: &[("/run/eucaconsole/memcached.sock", "memcached")],
        units: &["eucaconsole.service"],
        init_scripts: &["eucaconsole"],
        components: &[],
        // Seed Part 2: the console is stateless; restart both through their init scripts.
        restore: "the console is stateless: restart eucaconsole and nginx through their init \
            scripts (systemctl restart eucaconsole eucaconsole-nginx eucaconsole-memcached)",
    },
    // A JVM host of unknown roles (see Role::Cloud)
    RoleSpec {
        role: Role::Cloud,
        name: "cloud",
        processes: &[JVM],
        ports: &[WS],
        sockets: &[],
        units: JVM_UNITS,
        init_scripts: JVM_INIT,
        components: &[],
        restore: JVM_RESTORE,
    },
];

pub fn spec(role: Role) -> &'static RoleSpec {
    ROLES.iter().find(|r| r.role == role).unwrap_or(&ROLES[0]) // every Role has a row (test below)
}

/// Which role a Heartbeat component belongs to.
pub fn role_of_component(component: &str) -> Option<Role> {
    ROLES
        .iter()
        .find(|r| r.components.contains(&component))
        .map(|r| r.role)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::ValueEnum;

    #[test]
    fn every_role_has_one_row() {
        for role in Role::value_variants() {
            assert_eq!(
                ROLES.iter().filter(|r| r.role == *role).count(),
                1,
                "{role:?}"
            );
            assert_eq!(spec(*role).role, *role);
        }
    }

    #[test]
    fn every_port_has_its_owner_among_the_roles_processes() {
        for r in ROLES {
            for p in r.ports {
                assert!(
                    r.processes.iter().any(|s| s.label == p.owner),
                    "{} {}",
                    r.name,
                    p.port
                );
            }
            for (_, owner) in r.sockets {
                assert!(r.processes.iter().any(|s| s.label == *owner));
            }
        }
    }
}
