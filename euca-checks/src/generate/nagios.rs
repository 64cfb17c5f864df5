//! Nagios 4 objects, to include with `cfg_dir=` from nagios.cfg: templates and the time
//! period, commands (one per plugin of the suite, the standard monitoring-plugins used, check_nrpe,
//! mail notifications), contacts, hosts and host groups per role and per zone, services,
//! service dependencies and the Core's escalations. Every name starts with `euca` so the files
//! sit beside a distribution's own objects (Debian's generic-service, 24x7 ...) without clashes.

use super::{command_name, contacts as who, header, nrpe_command, schedule, Output, Settings};
use crate::plan::{Layer, Plan, Runs, Service};
use crate::plugins;
use topology::{Role, Topology};

/// Contact group every notification goes to; the pagers' group gets the Core's escalations.
pub const ADMINS: &str = "euca-admins";
pub const PAGERS: &str = "euca-oncall";
pub const PERIOD: &str = "euca-24x7";

/// One `define TYPE { ... }` block, keys aligned.
fn define(kind: &str, fields: &[(&str, String)]) -> String {
    let mut out = format!("define {kind} {{\n");
    for (k, v) in fields {
        out.push_str(&format!("    {k:<30} {v}\n"));
    }
    out.push_str("}\n\n");
    out
}

fn f(k: &'static str, v: impl Into<String>) -> (&'static str, String) {
    (k, v.into())
}

/// The service's `check_command`: its plugin's command with the planned arguments, or, for a
/// host-local one, check_nrpe asking the host's NRPE for the fixed command.
pub fn check_command(s: &Service) -> String {
    match s.runs {
        Runs::OnHost => format!("euca_nrpe!{}", nrpe_command(s)),
        Runs::FromMonitor => format!("{}!{}", command_name(s.program, s.ours), s.args().join(" ")),
    }
}

pub fn generate(t: &Topology, plan: &Plan, settings: &Settings) -> Result<Vec<Output>, String> {
    Ok(vec![
        Output::new("euca-templates.cfg", templates(settings)),
        Output::new("euca-commands.cfg", commands(plan, settings)),
        Output::new("euca-contacts.cfg", contacts(t, settings)),
        Output::new("euca-hosts.cfg", hosts(t, plan, settings)),
        Output::new("euca-services.cfg", services(t, plan, settings)?),
    ])
}

fn has_pagers(t: &Topology) -> bool {
    who(t).iter().any(|c| c.pager.is_some())
}

fn templates(settings: &Settings) -> String {
    let mut out = header(
        "#",
        "Nagios 4 templates and time period of euca-checks.",
        settings,
    );
    let mut period = vec![f("timeperiod_name", PERIOD), f("alias", "Always")];
    for day in [
        "sunday",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
    ] {
        period.push((day, "00:00-24:00".to_string()));
    }
    out.push_str(&define("timeperiod", &period));
    let groups = |mut v: Vec<(&'static str, String)>| {
        v.push(f("contact_groups", ADMINS));
        v
    };
    out.push_str("# Hosts: ping every 5 minutes, DOWN after 3 failures a minute apart.\n");
    out.push_str(&define(
        "host",
        &groups(vec![
            f("name", "euca-host"),
            f("check_command", "euca_host_alive"),
            f("check_interval", "5"),
            f("retry_interval", "1"),
            f("max_check_attempts", "3"),
            f("check_period", PERIOD),
            f("notification_period", PERIOD),
            f("notification_interval", "60"),
            f("notification_options", "d,u,r"),
            f("register", "0"),
        ]),
    ));
    out.push_str(
        "# Services by layer: hardware every 5 minutes, the platform every 2 (the Core's every\n\
         # minute: euca-core-platform), operations (backups, properties) hourly. A soft problem\n\
         # is retried every minute (operations: 15) before it becomes hard and is notified.\n",
    );
    let base = groups(vec![
        f("name", "euca-service"),
        f("check_period", PERIOD),
        f("notification_period", PERIOD),
        f("notification_options", "w,u,c,r"),
        f("notification_interval", "120"),
        f("register", "0"),
    ]);
    out.push_str(&define("service", &base));
    for (name, layer, core) in [
        ("euca-hardware", Layer::Hardware, false),
        ("euca-platform", Layer::Platform, false),
        ("euca-core-platform", Layer::Platform, true),
        ("euca-operations", Layer::Operations, false),
    ] {
        let probe = Service {
            host: String::new(),
            description: String::new(),
            id: String::new(),
            program: "",
            ours: true,
            opts: Vec::new(),
            runs: Runs::OnHost,
            layer,
            core,
            depends_on: Vec::new(),
        };
        let (check, retry, attempts) = schedule(&probe);
        out.push_str(&define(
            "service",
            &[
                f("name", name),
                f("use", "euca-service"),
                f("check_interval", check.to_string()),
                f("retry_interval", retry.to_string()),
                f("max_check_attempts", attempts.to_string()),
                f("register", "0"),
            ],
        ));
    }
    out
}

/// The service template of a service.
fn template(s: &Service) -> &'static str {
    match (s.layer, s.core) {
        (Layer::Hardware, _) => "euca-hardware",
        (Layer::Platform, true) => "euca-core-platform",
        (Layer::Platform, false) => "euca-platform",
        (Layer::Operations, _) => "euca-operations",
    }
}

pub fn commands(plan: &Plan, settings: &Settings) -> String {
    let mut out = header(
        "#",
        "Nagios 4 commands of euca-checks. $USER1$ is the plugin directory (resource.cfg), e.g. /usr/lib/nagios/plugins.",
        settings,
    );
    out.push_str(
        "# The suite's plugins, asked from this server; $ARG1$ is the whole option list (the\n\
         # services below give it). Host-local checks go through euca_nrpe instead.\n",
    );
    for k in plugins::all() {
        out.push_str(&format!("# {}: {}\n", k.plugin.name, k.plugin.about));
        out.push_str(&define(
            "command",
            &[
                f("command_name", command_name(k.plugin.name, true)),
                f("command_line", format!("$USER1$/{} $ARG1$", k.plugin.name)),
            ],
        ));
    }
    out.push_str(
        "# A host's NRPE command (nrpe/<host>.cfg there). TLS, and no argument sent: the host's\n\
         # snippet holds every option. 30 s, above each plugin's own -t.\n",
    );
    out.push_str(&define(
        "command",
        &[
            f("command_name", "euca_nrpe"),
            f(
                "command_line",
                format!(
                    "$USER1$/check_nrpe -H $HOSTADDRESS$ -p {} -t 30:UNKNOWN -c $ARG1$",
                    settings.nrpe_port
                ),
            ),
        ],
    ));
    out.push_str("# Standard monitoring-plugins, where they already do the job.\n");
    out.push_str(&define(
        "command",
        &[
            f("command_name", "euca_host_alive"),
            f(
                "command_line",
                "$USER1$/check_ping -H $HOSTADDRESS$ -w 3000.0,80% -c 5000.0,100% -p 5",
            ),
        ],
    ));
    let mut standard: Vec<&'static str> = plan
        .services
        .iter()
        .filter(|s| !s.ours)
        .map(|s| s.program)
        .collect();
    standard.sort_unstable();
    standard.dedup();
    for program in standard {
        out.push_str(&define(
            "command",
            &[
                f("command_name", command_name(program, false)),
                f("command_line", format!("$USER1$/{program} $ARG1$")),
            ],
        ));
    }
    out.push_str("# Mail notifications (the shape of Debian's notify-*-by-email).\n");
    out.push_str(&define(
        "command",
        &[
            f("command_name", "euca-notify-host-by-email"),
            f(
                "command_line",
                "/usr/bin/printf \"%b\" \"***** euca-checks *****\\n\\nNotification Type: $NOTIFICATIONTYPE$\\nHost: $HOSTNAME$\\nState: $HOSTSTATE$\\nAddress: $HOSTADDRESS$\\nInfo: $HOSTOUTPUT$\\n\\nDate/Time: $LONGDATETIME$\\n\" | /usr/bin/mail -s \"** $NOTIFICATIONTYPE$ Host Alert: $HOSTNAME$ is $HOSTSTATE$ **\" $CONTACTEMAIL$",
            ),
        ],
    ));
    out.push_str(&define(
        "command",
        &[
            f("command_name", "euca-notify-service-by-email"),
            f(
                "command_line",
                "/usr/bin/printf \"%b\" \"***** euca-checks *****\\n\\nNotification Type: $NOTIFICATIONTYPE$\\n\\nService: $SERVICEDESC$\\nHost: $HOSTALIAS$\\nAddress: $HOSTADDRESS$\\nState: $SERVICESTATE$\\n\\nDate/Time: $LONGDATETIME$\\n\\nAdditional Info:\\n\\n$SERVICEOUTPUT$\\n$LONGSERVICEOUTPUT$\\n\" | /usr/bin/mail -s \"** $NOTIFICATIONTYPE$ Service Alert: $HOSTALIAS$/$SERVICEDESC$ is $SERVICESTATE$ **\" $CONTACTEMAIL$",
            ),
        ],
    ));
    out
}

fn contacts(t: &Topology, settings: &Settings) -> String {
    let mut out = header(
        "#",
        "Nagios 4 contacts of euca-checks ([[contact]] of the topology).",
        settings,
    );
    let contacts = who(t);
    if t.contacts.is_empty() {
        out.push_str("# The topology names no [[contact]]: mail goes to root on this server.\n");
    }
    let contact = |name: String, alias: String, email: &str| {
        define(
            "contact",
            &[
                f("contact_name", name),
                f("alias", alias),
                f("email", email),
                f("host_notification_period", PERIOD),
                f("service_notification_period", PERIOD),
                f("host_notification_options", "d,u,r"),
                f("service_notification_options", "w,u,c,r"),
                f("host_notification_commands", "euca-notify-host-by-email"),
                f(
                    "service_notification_commands",
                    "euca-notify-service-by-email",
                ),
            ],
        )
    };
    for c in &contacts {
        out.push_str(&contact(c.name.clone(), c.name.clone(), &c.email));
        if let Some(pager) = &c.pager {
            out.push_str(&contact(
                format!("{}-pager", c.name),
                format!("{} (pager)", c.name),
                pager,
            ));
        }
    }
    let names: Vec<String> = contacts.iter().map(|c| c.name.clone()).collect();
    out.push_str(&define(
        "contactgroup",
        &[
            f("contactgroup_name", ADMINS),
            f("alias", "Cloud administrators"),
            f("members", names.join(",")),
        ],
    ));
    if has_pagers(t) {
        let pagers: Vec<String> = contacts
            .iter()
            .filter(|c| c.pager.is_some())
            .map(|c| format!("{}-pager", c.name))
            .collect();
        out.push_str(&define(
            "contactgroup",
            &[
                f("contactgroup_name", PAGERS),
                f(
                    "alias",
                    "On-call pagers (the Eucalyptus Core's escalations)",
                ),
                f("members", pagers.join(",")),
            ],
        ));
    }
    out
}

fn hosts(t: &Topology, plan: &Plan, settings: &Settings) -> String {
    let mut out = header(
        "#",
        "Nagios 4 hosts and host groups of euca-checks.",
        settings,
    );
    for h in &t.hosts {
        let roles: Vec<&str> = h.roles.iter().map(|r| r.title()).collect();
        let mut alias = roles.join(", ");
        if let Some(z) = &h.zone {
            alias.push_str(&format!(" (zone {z})"));
        }
        out.push_str(&define(
            "host",
            &[
                f("use", "euca-host"),
                f("host_name", h.name.clone()),
                f("alias", alias),
                f("address", h.address.clone()),
            ],
        ));
    }
    for x in &plan.extra_hosts {
        let mut fields = vec![
            f("use", "euca-host"),
            f("host_name", x.name.clone()),
            f("alias", x.about.clone()),
            f("address", x.address.clone()),
        ];
        // Reached through the servers behind it: UNREACHABLE, not DOWN, when they all are.
        if !x.behind.is_empty() {
            fields.push(f("parents", x.behind.join(",")));
        }
        out.push_str(&define("host", &fields));
    }
    for role in Role::ALL {
        let members: Vec<&str> = t.with_role(role).map(|h| h.name.as_str()).collect();
        if members.is_empty() {
            continue;
        }
        out.push_str(&define(
            "hostgroup",
            &[
                f("hostgroup_name", format!("euca-{}", role.name())),
                f("alias", format!("{}s", role.title())),
                f("members", members.join(",")),
            ],
        ));
    }
    for z in &t.zones {
        let members: Vec<&str> = t
            .hosts
            .iter()
            .filter(|h| h.zone.as_deref() == Some(z.name.as_str()))
            .map(|h| h.name.as_str())
            .collect();
        if members.is_empty() {
            continue;
        }
        out.push_str(&define(
            "hostgroup",
            &[
                f("hostgroup_name", format!("euca-zone-{}", z.name)),
                f("alias", format!("Availability zone {}", z.name)),
                f("members", members.join(",")),
            ],
        ));
    }
    out
}

fn services(t: &Topology, plan: &Plan, settings: &Settings) -> Result<String, String> {
    let mut out = header("#", "Nagios 4 services of euca-checks.", settings);
    for s in &plan.services {
        let mut fields = vec![
            f("use", template(s)),
            f("host_name", s.host.clone()),
            f("service_description", s.description.clone()),
            f("check_command", check_command(s)),
        ];
        if s.core && s.layer != Layer::Operations {
            // The Core's failures are repeated every 30 minutes, not every 2 hours (operations
            // checks run hourly: a shorter interval could not be kept).
            fields.push(f("notification_interval", "30"));
        }
        out.push_str(&define("service", &fields));
    }
    out.push_str(
        "# No alarm storm: these services are not notified (nor checked) while the service they\n\
         # depend on is WARNING, UNKNOWN or CRITICAL (a zone's CCs, the CLC's port).\n",
    );
    for s in &plan.services {
        for (host, id) in &s.depends_on {
            let Some(master) = plan.for_host(host).find(|m| &m.id == id) else {
                return Err(format!(
                    "'{}' on {} depends on service '{id}' of {host}, which is not planned",
                    s.description, s.host
                ));
            };
            out.push_str(&define(
                "servicedependency",
                &[
                    f("host_name", host.clone()),
                    f("service_description", master.description.clone()),
                    f("dependent_host_name", s.host.clone()),
                    f("dependent_service_description", s.description.clone()),
                    f("execution_failure_criteria", "c,u"),
                    f("notification_failure_criteria", "w,u,c"),
                ],
            ));
        }
    }
    if has_pagers(t) {
        out.push_str(
            "# The Eucalyptus Core: from the second notification on (one check interval later,\n\
             # the problem persists) the on-call pagers are told too, every 10 minutes.\n",
        );
        for s in plan.services.iter().filter(|s| s.core) {
            out.push_str(&define(
                "serviceescalation",
                &[
                    f("host_name", s.host.clone()),
                    f("service_description", s.description.clone()),
                    f("first_notification", "2"),
                    f("last_notification", "0"),
                    f("notification_interval", "10"),
                    f("contact_groups", format!("{ADMINS},{PAGERS}")),
                ],
            ));
        }
    } else {
        out.push_str("# No [[contact]] has a pager: no escalation.\n");
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::super::tests::topology;
    use super::super::{generate as gen, Format, Settings};

    fn text() -> String {
        let t = topology("reference.toml");
        gen(&t, &Settings::new(Format::Nagios, "reference.toml"))
            .unwrap()
            .into_iter()
            .map(|o| o.text)
            .collect()
    }

    #[test]
    fn services_run_where_they_must() {
        let text = text();
        assert!(
            text.contains("check_command                  euca_nrpe!euca_raid\n"),
            "{text}"
        );
        assert!(text.contains(
            "check_command                  euca_ups!-t 10 --ups ups-a@10.111.5.3 --charge-warning 50:"
        ));
        assert!(
            text.contains("check_command                  euca_mp_tcp!-H 10.111.5.10 -p 8773\n")
        );
        assert!(text.contains("hostgroup_name                 euca-nc\n"));
        assert!(text.contains("host_name                      ufs.cloud.example\n"));
        assert!(text.contains("parents                        ufs1,ufs2\n"));
        assert!(text.contains("hostgroup_name                 euca-zone-two\n"));
    }

    #[test]
    fn zone_services_depend_on_its_ccs_and_the_core_escalates() {
        let text = text();
        assert!(text.contains(
            "    host_name                      cc-two-a\n    service_description            Eucalyptus processes\n    dependent_host_name            nc-two-2\n    dependent_service_description  EDGE networking\n"
        ), "{text}");
        assert!(text.contains("define serviceescalation {\n    host_name                      clc1\n    service_description            Eucalyptus services\n"));
        assert!(text.contains("members                        cloud-admins-pager\n"));
    }
}
