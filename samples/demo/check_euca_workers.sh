# check_euca_workers on built DescribeInstances / properties / DescribeImages / DescribeConversionTasks
# answers (samples/euca-workers, see SOURCES.md there). Live: check_euca_workers --clc CLC
# --compute UFS --credentials /etc/nagios/euca/eucarc; the tests run it against euca-clc-double.
run check_euca_workers --input describe-instances=samples/euca-workers/01-healthy.xml --input properties=samples/euca-workers/01-images-set-euctl.txt --input describe-images=samples/euca-workers/01-both-available.xml
run check_euca_workers --input describe-instances=samples/euca-workers/02-elb-without-worker.xml --input properties=samples/euca-workers/01-images-set-euctl.txt --input describe-images=samples/euca-workers/01-both-available.xml --input conversion-tasks=samples/euca-workers/01-one-waiting.xml
