#![cfg_attr(not(test), no_main)]
common::main!(check_san_path, tools);
