# check_euca_backup on saved backup sets (samples/euca-backup/SOURCES.md). The sets' age is the
# checkout's, so the age thresholds are set wide here; live: check_euca_backup --dir DIR.
run check_euca_backup --dir samples/euca-backup/documented -w 87600 -c 175200
run check_euca_backup --dir samples/euca-backup/cut -w 87600 -c 175200
