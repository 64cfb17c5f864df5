common::main!(check_euca_clc);
