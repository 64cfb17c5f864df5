common::main!(check_bond, tools);
