# The state directory belongs to the monitoring user, which runs the plugins: nagios (Nagios,
# Icinga's nagios-plugins setups) or nrpe (EPEL's NRPE). Only made when one exists: otherwise
# the plugins use a directory of their own (see --state-dir in any plugin's --help).
for user in nagios nrpe; do
  if getent passwd "$user" >/dev/null 2>&1; then
    install -d -m 0750 -o "$user" -g "$(id -gn "$user")" /var/lib/euca-checks
    break
  fi
done
exit 0
