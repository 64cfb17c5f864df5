# check_riak on saved /stats and riak-admin output (samples/riak/SOURCES.md). Live:
# check_riak --node HOST [--node HOST]... [--cs HOST] (Riak KV 8098, Riak CS 8080).
run check_riak --input stats=samples/riak/stats-healthy-5node.json
run check_riak --input stats=samples/riak/stats-one-node-down.json -w 50000 -c 200000
run check_riak --input member-status=samples/riak/member-status-one-node-unreachable.txt --input ring-status=samples/riak/ring-status-one-node-unreachable.txt
run check_riak --input ring-status=samples/riak/ring-status-not-converged.txt
run check_riak --input member-status=samples/riak/captured-member-status-4-marked-down.txt
