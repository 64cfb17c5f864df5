#![cfg_attr(not(test), no_main)]
common::main!(check_euca_topology);
