//! Icinga 2: a `CheckCommand` for every plugin with every option (checkcommand.rs), hosts
//! whose variables carry the roles, the zone and each planned service with its option values,
//! one `apply Service for` rule keyed on those variables (host-local checks on the host's agent
//! through `command_endpoint`), `Dependency` objects, and mail notifications to a `User` per
//! contact (the Core's also to the pagers, sooner repeated). The ITL's `hostalive`, `disk`,
//! `ntp_time` and `tcp` serve the standard checks.
//!
//! Layout (the shape of /etc/icinga2): `zones.conf`, `zones.d/global-templates/` (commands,
//! templates, users, apply rules), `zones.d/master/` (hosts checked by the master), with
//! `--distributed` `zones.d/zone-<zone>/` (hosts checked by the zone's satellite).

use super::checkcommand::{self, quote, Kind};
use super::zones::{self, GLOBAL};
use super::{command_name, contacts as who, header, schedule, Output, Settings};
use crate::plan::{Layer, Plan, Runs, Service};
use crate::plugins;
use std::collections::BTreeMap;
use topology::Topology;

pub const ADMINS: &str = "euca-admins";
pub const PAGERS: &str = "euca-oncall";

pub fn generate(t: &Topology, plan: &Plan, settings: &Settings) -> Result<Vec<Output>, String> {
    zones::check(t, settings)?;
    let mut out = vec![
        Output::new("zones.conf", zones::zones_conf(t, settings)),
        Output::new(
            format!("zones.d/{GLOBAL}/commands.conf"),
            commands(settings),
        ),
        Output::new(
            format!("zones.d/{GLOBAL}/services.conf"),
            services(settings),
        ),
        Output::new(
            format!("zones.d/{GLOBAL}/notifications.conf"),
            notifications(t, settings),
        ),
    ];
    // Hosts grouped by the zone that checks them.
    let mut by_zone: BTreeMap<String, String> = BTreeMap::new();
    for h in &t.hosts {
        let text = host(
            &h.name,
            &h.address,
            &display(h),
            Some(h),
            plan,
            &t.cloud.name,
        )?;
        by_zone
            .entry(zones::zone_of(Some(h), settings))
            .or_default()
            .push_str(&text);
    }
    for x in &plan.extra_hosts {
        // No Dependency on the servers behind the name: Icinga 2 before 2.15 (no
        // redundancy_group) would call the name unreachable when ONE of them is down.
        let text = host(&x.name, &x.address, &x.about, None, plan, &t.cloud.name)?;
        by_zone
            .entry(zones::zone_of(None, settings))
            .or_default()
            .push_str(&text);
    }
    for (zone, text) in by_zone {
        let mut body = header(
            "//",
            &format!("Icinga 2 hosts checked by zone {zone} (euca-checks)."),
            settings,
        );
        body.push_str(&text);
        out.push(Output::new(format!("zones.d/{zone}/hosts.conf"), body));
    }
    Ok(out)
}

fn display(h: &topology::Host) -> String {
    let roles: Vec<&str> = h.roles.iter().map(|r| r.title()).collect();
    match &h.zone {
        Some(z) => format!("{} (zone {z})", roles.join(", ")),
        None => roles.join(", "),
    }
}

pub fn commands(settings: &Settings) -> String {
    let mut out = header(
        "//",
        "Icinga 2 CheckCommands of euca-checks, one per plugin, every option an argument (from each plugin's own definition).",
        settings,
    );
    for k in plugins::all() {
        out.push_str(&checkcommand::checkcommand(&k));
    }
    out
}

fn services(settings: &Settings) -> String {
    let mut out = header(
        "//",
        "Icinga 2 templates and service rule of euca-checks: every service a host's vars.euca_services names.",
        settings,
    );
    out.push_str(
        "template Host \"euca-host\" {\n  check_command = \"hostalive\"\n  check_interval = 5m\n  \
         retry_interval = 1m\n  max_check_attempts = 3\n}\n\n",
    );
    out.push_str(
        "// Intervals by layer (hardware 5m, platform 2m, the Core's 1m, operations 1h) come with\n\
         // each service. Host-local checks run on the host's agent.\n\
         apply Service for (name => svc in host.vars.euca_services) {\n  \
         display_name = svc.display_name\n  check_command = svc.check_command\n  \
         check_interval = svc.check_interval\n  retry_interval = svc.retry_interval\n  \
         max_check_attempts = svc.max_check_attempts\n  \
         if (svc.on_host) {\n    command_endpoint = host.vars.agent_endpoint\n  }\n  \
         vars += svc.vars\n  vars.euca_core = svc.core\n  vars.euca_layer = svc.layer\n  \
         assign where typeof(host.vars.euca_services) == Dictionary\n}\n",
    );
    out
}

fn notifications(t: &Topology, settings: &Settings) -> String {
    let mut out = header(
        "//",
        "Icinga 2 users and mail notifications of euca-checks ([[contact]] of the topology).",
        settings,
    );
    let contacts = who(t);
    if t.contacts.is_empty() {
        out.push_str("// The topology names no [[contact]]: mail goes to root on the master.\n");
    }
    out.push_str(&format!(
        "object UserGroup {} {{\n  display_name = \"Cloud administrators\"\n}}\n\n",
        quote(ADMINS)
    ));
    let pagers = contacts.iter().any(|c| c.pager.is_some());
    if pagers {
        out.push_str(&format!(
            "object UserGroup {} {{\n  display_name = \"On-call pagers (the Eucalyptus Core)\"\n}}\n\n",
            quote(PAGERS)
        ));
    }
    for c in &contacts {
        out.push_str(&format!(
            "object User {} {{\n  email = {}\n  groups = [ {} ]\n}}\n\n",
            quote(&c.name),
            quote(&c.email),
            quote(ADMINS)
        ));
        if let Some(p) = &c.pager {
            out.push_str(&format!(
                "object User {} {{\n  display_name = {}\n  email = {}\n  groups = [ {} ]\n}}\n\n",
                quote(&format!("{}-pager", c.name)),
                quote(&format!("{} (pager)", c.name)),
                quote(p),
                quote(PAGERS)
            ));
        }
    }
    // The required arguments of the scripts Icinga 2's packages install in ConfigDir/scripts.
    out.push_str(
        "object NotificationCommand \"euca-mail-service\" {\n  \
         command = [ ConfigDir + \"/scripts/mail-service-notification.sh\" ]\n  arguments = {\n    \
         \"-d\" = \"$icinga.long_date_time$\"\n    \"-e\" = \"$service.name$\"\n    \
         \"-l\" = \"$host.name$\"\n    \"-n\" = \"$host.display_name$\"\n    \
         \"-o\" = \"$service.output$\"\n    \"-r\" = \"$user.email$\"\n    \
         \"-s\" = \"$service.state$\"\n    \"-t\" = \"$notification.type$\"\n    \
         \"-u\" = \"$service.display_name$\"\n  }\n}\n\n\
         object NotificationCommand \"euca-mail-host\" {\n  \
         command = [ ConfigDir + \"/scripts/mail-host-notification.sh\" ]\n  arguments = {\n    \
         \"-d\" = \"$icinga.long_date_time$\"\n    \"-l\" = \"$host.name$\"\n    \
         \"-n\" = \"$host.display_name$\"\n    \"-o\" = \"$host.output$\"\n    \
         \"-r\" = \"$user.email$\"\n    \"-s\" = \"$host.state$\"\n    \
         \"-t\" = \"$notification.type$\"\n  }\n}\n\n",
    );
    out.push_str(&format!(
        "apply Notification \"mail\" to Host {{\n  command = \"euca-mail-host\"\n  \
         user_groups = [ {a} ]\n  interval = 1h\n  assign where host.vars.euca_cloud == {cloud}\n}}\n\n\
         // Every service mails the administrators; the Core's repeat every 30 minutes, not 2 hours.\n\
         apply Notification \"mail\" to Service {{\n  command = \"euca-mail-service\"\n  \
         user_groups = [ {a} ]\n  interval = 2h\n  if (service.vars.euca_core) {{\n    interval = 30m\n  }}\n  \
         assign where host.vars.euca_cloud == {cloud}\n}}\n",
        a = quote(ADMINS),
        cloud = quote(&t.cloud.name)
    ));
    if pagers {
        out.push_str(&format!(
            "\n// The Core's problems still there after 5 minutes reach the pagers, every 10 minutes.\n\
             apply Notification \"page\" to Service {{\n  command = \"euca-mail-service\"\n  \
             user_groups = [ {} ]\n  interval = 10m\n  times = {{ begin = 5m }}\n  \
             assign where host.vars.euca_cloud == {} && service.vars.euca_core == true\n}}\n",
            quote(PAGERS),
            quote(&t.cloud.name)
        ));
    }
    out
}

/// The ITL command of a standard plugin, and its variable for each option the plan uses.
fn itl(program: &str, flag: &str) -> Option<(&'static str, &'static str, bool)> {
    Some(match (program, flag) {
        ("check_disk", "-w") => ("disk", "disk_wfree", false),
        ("check_disk", "-c") => ("disk", "disk_cfree", false),
        ("check_disk", "-p") => ("disk", "disk_partitions", true),
        ("check_ntp_time", "-H") => ("ntp_time", "ntp_address", false),
        ("check_ntp_time", "-w") => ("ntp_time", "ntp_warning", false),
        ("check_ntp_time", "-c") => ("ntp_time", "ntp_critical", false),
        ("check_tcp", "-H") => ("tcp", "tcp_address", false),
        ("check_tcp", "-p") => ("tcp", "tcp_port", false),
        _ => return None,
    })
}

/// A variable's value: a string, an array of strings, or true.
enum Value {
    One(String),
    Many(Vec<String>),
    True,
}

impl Value {
    fn text(&self) -> String {
        match self {
            Value::One(s) => quote(s),
            Value::Many(v) => format!(
                "[ {} ]",
                v.iter().map(|s| quote(s)).collect::<Vec<_>>().join(", ")
            ),
            Value::True => "true".to_string(),
        }
    }
}

/// The service's check command and its variables, from the planned options.
fn command_and_vars(s: &Service) -> Result<(String, Vec<(String, Value)>), String> {
    let mut vars: Vec<(String, Value)> = Vec::new();
    let mut push = |var: String, value: Option<&String>, repeat: bool| match (value, repeat) {
        (None, _) => vars.push((var, Value::True)),
        (Some(v), true) => match vars.iter_mut().find(|(n, _)| *n == var) {
            Some((_, Value::Many(list))) => list.push(v.clone()),
            _ => vars.push((var, Value::Many(vec![v.clone()]))),
        },
        (Some(v), false) => vars.push((var, Value::One(v.clone()))),
    };
    let unknown = |flag: &str| {
        format!(
            "'{}' of {}: {} has no option {flag}",
            s.description, s.host, s.program
        )
    };
    if !s.ours {
        let mut command = None;
        for o in &s.opts {
            let (c, var, repeat) = itl(s.program, o.flag).ok_or_else(|| unknown(o.flag))?;
            command = Some(c);
            push(var.to_string(), o.value.as_ref(), repeat);
        }
        let command = command.ok_or_else(|| unknown("(none)"))?;
        return once_each(s, command.to_string(), vars);
    }
    let known = plugins::find(s.program).ok_or_else(|| unknown("(not a plugin)"))?;
    let options = checkcommand::options(&known);
    for o in &s.opts {
        let spec = checkcommand::find(&options, o.flag).ok_or_else(|| unknown(o.flag))?;
        push(
            spec.var.clone(),
            o.value.as_ref(),
            spec.kind == Kind::Repeat,
        );
    }
    once_each(s, command_name(s.program, true), vars)
}

/// A single-valued option given twice would keep only one value in a dictionary: refused.
fn once_each(
    s: &Service,
    command: String,
    vars: Vec<(String, Value)>,
) -> Result<(String, Vec<(String, Value)>), String> {
    for (i, (name, _)) in vars.iter().enumerate() {
        if vars[..i].iter().any(|(n, _)| n == name) {
            return Err(format!(
                "'{}' of {}: {name} given twice, and {} takes one value",
                s.description, s.host, s.program
            ));
        }
    }
    Ok((command, vars))
}

fn layer(l: Layer) -> &'static str {
    match l {
        Layer::Hardware => "hardware",
        Layer::Platform => "platform",
        Layer::Operations => "operations",
    }
}

fn host(
    name: &str,
    address: &str,
    display_name: &str,
    h: Option<&topology::Host>,
    plan: &Plan,
    cloud: &str,
) -> Result<String, String> {
    let mut out = format!(
        "object Host {} {{\n  import \"euca-host\"\n  address = {}\n  display_name = {}\n",
        quote(name),
        quote(address),
        quote(display_name)
    );
    if let Some(h) = h {
        let roles: Vec<String> = h.roles.iter().map(|r| quote(r.name())).collect();
        out.push_str(&format!("  vars.euca_roles = [ {} ]\n", roles.join(", ")));
        if let Some(z) = &h.zone {
            out.push_str(&format!("  vars.euca_zone = {}\n", quote(z)));
        }
        out.push_str(&format!("  vars.agent_endpoint = {}\n", quote(&h.name)));
    }
    out.push_str(&format!("  vars.euca_cloud = {}\n", quote(cloud)));
    for s in plan.for_host(name) {
        let (command, vars) = command_and_vars(s)?;
        let (check, retry, attempts) = schedule(s);
        out.push_str(&format!(
            "  vars.euca_services[{}] = {{\n    display_name = {}\n    check_command = {}\n    \
             on_host = {}\n    core = {}\n    layer = {}\n    check_interval = {check}m\n    \
             retry_interval = {retry}m\n    max_check_attempts = {attempts}\n    vars = {{\n",
            quote(&s.id),
            quote(&s.description),
            quote(&command),
            s.runs == Runs::OnHost,
            s.core,
            quote(layer(s.layer)),
        ));
        for (var, value) in vars {
            out.push_str(&format!("      {var} = {}\n", value.text()));
        }
        out.push_str("    }\n  }\n");
    }
    out.push_str("}\n\n");
    for s in plan.for_host(name) {
        for (parent, id) in &s.depends_on {
            if plan.for_host(parent).all(|p| &p.id != id) {
                return Err(format!(
                    "'{}' on {name} depends on service '{id}' of {parent}, which is not planned",
                    s.description
                ));
            }
            out.push_str(&format!(
                "object Dependency {} {{\n  parent_host_name = {}\n  parent_service_name = {}\n  \
                 child_host_name = {}\n  child_service_name = {}\n  disable_checks = true\n  \
                 disable_notifications = true\n  states = [ OK, Warning ]\n}}\n\n",
                quote(&format!("{name}-{}-on-{parent}-{id}", s.id)),
                quote(parent),
                quote(id),
                quote(name),
                quote(&s.id)
            ));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::super::tests::topology;
    use super::super::{generate as gen, Format, Settings};

    fn file(distributed: bool, path: &str) -> String {
        let t = topology("reference.toml");
        let mut s = Settings::new(Format::Icinga2, "reference.toml");
        s.distributed = distributed;
        gen(&t, &s)
            .unwrap()
            .into_iter()
            .find(|o| o.path == path)
            .unwrap_or_else(|| panic!("no {path}"))
            .text
    }

    #[test]
    fn hosts_carry_their_services_options_as_variables() {
        let text = file(false, "zones.d/master/hosts.conf");
        assert!(text.contains(
            "  vars.euca_services[\"disk\"] = {\n    display_name = \"Disk\"\n    check_command = \"disk\"\n    on_host = true\n"
        ), "{text}");
        // check_disk's two -p: one array of the ITL's disk_partitions.
        assert!(text.contains(
            "      disk_partitions = [ \"/var/lib/eucalyptus\", \"/var/lib/eucalyptus/instances\" ]\n"
        ));
        assert!(text.contains("      euca_raid_sudo = true\n"));
        assert!(text.contains("      euca_clc_zone = [ \"one\", \"two\" ]\n"));
        assert!(text.contains(
            "object Dependency \"nc-two-2-edge-on-cc-two-a-proc\" {\n  parent_host_name = \"cc-two-a\"\n"
        ));
        assert!(text.contains("object Host \"ufs.cloud.example\" {"));
    }

    #[test]
    fn distributed_hosts_live_in_their_satellites_zone() {
        let zone = file(true, "zones.d/zone-two/hosts.conf");
        assert!(zone.contains("object Host \"nc-two-1\" {"));
        assert!(!zone.contains("object Host \"clc1\" {"));
        let master = file(true, "zones.d/master/hosts.conf");
        assert!(master.contains("object Host \"clc1\" {"));
        assert!(!master.contains("object Host \"nc-two-1\" {"));
        let rules = file(true, "zones.d/global-templates/services.conf");
        assert!(rules.contains("command_endpoint = host.vars.agent_endpoint"));
        let mail = file(true, "zones.d/global-templates/notifications.conf");
        assert!(mail.contains("object User \"cloud-admins-pager\" {"));
        assert!(mail.contains(
            "assign where host.vars.euca_cloud == \"reference\" && service.vars.euca_core == true"
        ));
    }
}
