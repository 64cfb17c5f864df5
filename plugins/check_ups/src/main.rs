common::main!(check_ups);
