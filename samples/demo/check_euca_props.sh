# check_euca_props on the property fixtures: the drifted listing against the baseline.
run check_euca_props --input properties=plugins/check_euca_props/tests/fixtures/properties/drifted.txt --baseline plugins/check_euca_props/tests/fixtures/properties/baseline.txt
