# check_euca_db needs a running PostgreSQL; the demo reads nothing on this host, so it asks a
# directory with no server socket in it: CRITICAL, not running. Live, on the CLC as root:
# check_euca_db (socket /var/lib/eucalyptus/db/data, port 8777, peer authentication).
run check_euca_db --socket-dir samples/euca-db
