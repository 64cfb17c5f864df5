# check_euca_props on the property fixtures: the drifted listing against the baseline. Live:
# check_euca_props --clc CLC --credentials /etc/nagios/euca/eucarc --baseline FILE (3.x-4.1: add
# --properties-url http://CLC:8773/services/Empyrean); the tests run it against euca-clc-double.
run check_euca_props --input properties=plugins/check_euca_props/tests/fixtures/properties/drifted.txt --baseline plugins/check_euca_props/tests/fixtures/properties/baseline.txt
