common::main!(check_raid);
